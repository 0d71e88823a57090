// Linked into every executable (core/CMakeLists.txt, streamgnn_openmp_env), never into a
// library: a shared object cannot carry .preinit_array, and a static library's object would not
// be pulled in. The dynamic loader runs preinit functions before any shared library's
// initialiser, so this runs before GNU OpenMP (LibTorch's intra-op pool) reads its environment,
// which it does once, in its initialiser. glibc then starts main() with the environment the
// process was launched with, so the setting reaches OpenMP and nothing else (not getenv, not
// child processes); tests/trainers/torch_threads_test.cc reads OpenMP's own view.
#include <cstdlib>

namespace {

// Idle OpenMP workers sleep instead of spinning. GNU OpenMP's default spin keeps a waiting
// worker on its core for a long while after every parallel region; with as many threads as
// cores it takes the core that OpenBLAS's and TBB's threads need next (measured on 2 cores:
// TGN epochs 2.5-2.9x slower at 2 threads than at 1, docs/architecture.md "Threads"). A value
// the user set wins.
void PreferPassiveOpenMpWorkers(int /*argc*/, char** /*argv*/, char** /*envp*/) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
}

}  // namespace

__attribute__((section(".preinit_array"), used)) static void (*const kPreinit)(int, char**, char**) =
    &PreferPassiveOpenMpWorkers;
