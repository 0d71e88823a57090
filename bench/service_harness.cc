#include "bench/service_harness.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <grpcpp/grpcpp.h>

namespace streamgnn::bench {

std::unique_ptr<ServiceClient> ConnectLoopback(int port) {
  return service::StreamGnn::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

ServerProcess StartServer(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path) {
  ServerProcess server;
  server.log_path = log_path;
  std::vector<std::string> argv_store = {binary, "serve", "--listen", "127.0.0.1:0"};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  server.pid = fork();
  if (server.pid == 0) {
    if (freopen(log_path.c_str(), "w", stderr) == nullptr) _exit(126);
    std::vector<char*> argv;
    for (std::string& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  for (int i = 0; i < 200 && server.port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(log_path);
    for (std::string line; std::getline(in, line);) {
      const auto p = line.find("listening on port ");
      if (p != std::string::npos) server.port = std::atoi(line.c_str() + p + 18);
    }
  }
  if (server.port == 0) {
    std::fprintf(stderr, "server did not start (see %s)\n", log_path.c_str());
    kill(server.pid, SIGKILL);
    waitpid(server.pid, nullptr, 0);
    server.pid = -1;
  }
  return server;
}

void StopServer(ServerProcess* server) {
  if (server->pid <= 0) return;
  kill(server->pid, SIGTERM);
  waitpid(server->pid, nullptr, 0);
  server->pid = -1;
}

int64_t ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  const std::string key = field;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::atoll(line.c_str() + key.size());
  }
  return -1;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1) + 0.5))];
}

}  // namespace streamgnn::bench
