# Use ccache when it is installed; its cache lives outside the build tree and survives clean
# clones (CI rebuilds from scratch on 2 cores).
find_program(STREAMGNN_CCACHE ccache)
if(STREAMGNN_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${STREAMGNN_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${STREAMGNN_CCACHE})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${STREAMGNN_CCACHE})
  message(STATUS "streamgnn: ccache enabled (${STREAMGNN_CCACHE})")
endif()
