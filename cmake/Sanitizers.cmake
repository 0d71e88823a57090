# STREAMGNN_SANITIZER=address+undefined | thread: applied to the whole build.
# STREAMGNN_FUZZ=ON (clang only, with address+undefined in the asan preset): every first- and
# third-party object compiled here also gets libFuzzer's coverage instrumentation, and the targets
# in tests/fuzz/ link libFuzzer's driver. Off, the same targets link tests/fuzz/replay_main.cc,
# which runs the committed corpus once (a regression test under ctest with any compiler).
option(STREAMGNN_FUZZ "Build tests/fuzz/ as libFuzzer targets (needs clang)" OFF)

if(STREAMGNN_SANITIZER STREQUAL "address+undefined")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(STREAMGNN_SANITIZER STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT STREAMGNN_SANITIZER STREQUAL "")
  message(FATAL_ERROR "STREAMGNN_SANITIZER must be '', 'address+undefined' or 'thread', got '${STREAMGNN_SANITIZER}'")
endif()

if(STREAMGNN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STREAMGNN_FUZZ needs clang (libFuzzer): configure with the asan preset, "
                        "which selects clang-14, or pass -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=fuzzer-no-link>)
endif()
