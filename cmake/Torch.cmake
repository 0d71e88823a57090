# LibTorch: Debian's libtorch-dev on CPU hosts; on GPU hosts the one inside the installed PyTorch
# (pass -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')).
# Only memory/, models/, trainers/ and what sits above them use it (DESIGN.md, Layout).
# Sets STREAMGNN_TORCH_ENABLED and defines streamgnn_torch_pch(target), which gives a target the
# shared precompiled header of the LibTorch-heavy modules (2-core CI builds).
option(STREAMGNN_WITH_TORCH "Build the LibTorch modules (models, trainers, ...)" ON)
set(STREAMGNN_TORCH_ENABLED OFF)
if(STREAMGNN_WITH_TORCH)
  find_package(Torch QUIET)
  if(Torch_FOUND)
    set(STREAMGNN_TORCH_ENABLED ON)
    message(STATUS "streamgnn: LibTorch ${Torch_VERSION} (${TORCH_LIBRARIES})")
  else()
    message(FATAL_ERROR "LibTorch not found: run scripts/setup (Debian libtorch-dev) or pass "
                        "-DSTREAMGNN_WITH_TORCH=OFF to build only the torch-free modules")
  endif()
endif()

# clang refuses a PCH whose -pthread setting differs from the consumer's (GCC does not check), and
# only some LibTorch targets get -pthread through their dependencies (gRPC, Threads): under clang
# every target compiles with it.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-pthread>)
endif()

# One precompiled <torch/torch.h> per code model, built once and reused by every LibTorch
# target: libraries compile with -fPIC, executables with -fPIE, and GCC rejects a PCH built with
# the other setting, so each kind gets its own host.
function(streamgnn_torch_pch target)
  if(NOT TARGET ${target})
    return()
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    set(host streamgnn_torch_pch_exe_host)
    if(NOT TARGET ${host})
      file(WRITE ${CMAKE_BINARY_DIR}/torch_pch_exe_host.cc "int main() { return 0; }\n")
      add_executable(${host} EXCLUDE_FROM_ALL ${CMAKE_BINARY_DIR}/torch_pch_exe_host.cc)
      target_link_libraries(${host} PRIVATE ${TORCH_LIBRARIES})
      target_precompile_headers(${host} PRIVATE <torch/torch.h>)
    endif()
  else()
    set(host streamgnn_torch_pch_host)
    if(NOT TARGET ${host})
      file(WRITE ${CMAKE_BINARY_DIR}/torch_pch_host.cc "// host of the shared LibTorch PCH\n")
      add_library(${host} OBJECT ${CMAKE_BINARY_DIR}/torch_pch_host.cc)
      target_link_libraries(${host} PRIVATE ${TORCH_LIBRARIES})
      target_precompile_headers(${host} PRIVATE <torch/torch.h>)
    endif()
  endif()
  target_precompile_headers(${target} REUSE_FROM ${host})
endfunction()
