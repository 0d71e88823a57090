// Shared by the service benchmarks (bench_service_load, bench_service_soak): `streamgnn serve`
// in a child process on a free loopback port, its memory from /proc, and percentiles.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "service/proto/streamgnn.grpc.pb.h"

namespace streamgnn::bench {

struct ServerProcess {
  pid_t pid = -1;
  int port = 0;
  std::string log_path;  // the server's stderr
};

// Starts `binary serve --listen 127.0.0.1:0 <args>` and waits (up to 10 s) for the port it
// reports. pid -1 on failure (the log says why).
ServerProcess StartServer(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path);
// SIGTERM, then waits for the process.
void StopServer(ServerProcess* server);

// The StreamGnn client gRPC generates (its class is named Stub there).
using ServiceClient = service::StreamGnn::Stub;
// A client of the server on 127.0.0.1:port, without credentials (loopback).
std::unique_ptr<ServiceClient> ConnectLoopback(int port);

// A field of /proc/<pid>/status in kB ("VmRSS:", "VmHWM:"); -1 when unreadable.
int64_t ProcStatusKb(pid_t pid, const char* field);

// The p-quantile (0..1) by nearest rank; 0 for an empty sample.
double Percentile(std::vector<double> values, double p);

}  // namespace streamgnn::bench
