# streamgnn_warnings: an interface target carrying the project's warning flags, linked by every
# first-party target (not by third-party code).
add_library(streamgnn_warnings INTERFACE)
target_compile_options(streamgnn_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter -Wno-sign-compare>)
