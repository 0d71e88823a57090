#include "service/client.h"

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "service/proto/streamgnn.grpc.pb.h"

namespace streamgnn::service {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<StreamGnn::Stub> Connect(const IngestOptions& o) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  args.SetMaxSendMessageSize(256 << 20);
  return StreamGnn::NewStub(grpc::CreateCustomChannel(o.server, grpc::InsecureChannelCredentials(), args));
}

void Authorize(grpc::ClientContext* ctx, const IngestOptions& o) {
  if (!o.token.empty()) ctx->AddMetadata("authorization", "Bearer " + o.token);
}

bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

Status FromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  const std::string msg = what + ": " + s.error_message();
  switch (s.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT: return Status::InvalidArgument(msg);
    case grpc::StatusCode::FAILED_PRECONDITION: return Status::FailedPrecondition(msg);
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return Status::ResourceExhausted(msg);
    case grpc::StatusCode::UNIMPLEMENTED: return Status::Unimplemented(msg);
    case grpc::StatusCode::UNAUTHENTICATED: return Status::FailedPrecondition(msg);
    default: return Status::IOError(msg + " (gRPC code " + std::to_string(s.error_code()) + ")");
  }
}

// One connection: resume from the server's count, stream until done or an error.
grpc::Status Attempt(const datasets::TemporalDataset& ds, const IngestOptions& o,
                     IngestReport* report, bool first_attempt, Clock::time_point start,
                     const std::function<void(int64_t)>& on_progress, bool* progressed) {
  auto stub = Connect(o);
  StatsReply stats;
  {
    grpc::ClientContext ctx;
    Authorize(&ctx, o);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = stub->Stats(&ctx, StatsRequest(), &stats);
    if (!s.ok()) return s;
  }
  int64_t pos = stats.num_edges();
  if (pos > ds.num_events()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "the server holds " + std::to_string(pos) + " edges, more than the " +
                            std::to_string(ds.num_events()) + " of this file: a different stream?");
  }
  if (first_attempt) report->resumed_from = pos;
  if (pos == ds.num_events()) return grpc::Status::OK;

  grpc::ClientContext ctx;
  Authorize(&ctx, o);
  auto stream = stub->IngestEdges(&ctx);
  const int64_t dim = ds.edge_feat_dim;
  EdgeBatch batch;
  IngestAck ack;
  while (pos < ds.num_events()) {
    const int64_t n = std::min<int64_t>(o.batch, ds.num_events() - pos);
    batch.Clear();
    batch.set_first_edge_id(pos);
    batch.mutable_src()->Add(ds.src.begin() + pos, ds.src.begin() + pos + n);
    batch.mutable_dst()->Add(ds.dst.begin() + pos, ds.dst.begin() + pos + n);
    batch.mutable_time()->Add(ds.ts.begin() + pos, ds.ts.begin() + pos + n);
    if (dim > 0) {
      batch.set_feature_dim(static_cast<int32_t>(dim));
      batch.mutable_features()->Add(ds.edge_feat.begin() + pos * dim, ds.edge_feat.begin() + (pos + n) * dim);
    }
    if (o.rate > 0) {  // pace to the requested rate over the whole call
      const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>((report->sent + n) / o.rate));
      std::this_thread::sleep_until(due);
    }
    const auto written = Clock::now();
    if (!stream->Write(batch)) break;
    report->sent += n;
    if (!stream->Read(&ack)) break;
    report->ack_latency_s.push_back(std::chrono::duration<double>(Clock::now() - written).count());
    if (ack.first_edge_id() != pos || ack.last_edge_id() != pos + n - 1) {
      ctx.TryCancel();
      return grpc::Status(grpc::StatusCode::INTERNAL, "ack for edges [" + std::to_string(ack.first_edge_id()) +
                                                          ", " + std::to_string(ack.last_edge_id()) +
                                                          "] does not match the batch sent");
    }
    report->stored += ack.stored();
    pos += n;
    *progressed = true;
    if (on_progress) on_progress(pos);
  }
  stream->WritesDone();
  return stream->Finish();
}

}  // namespace

Status IngestDataset(const datasets::TemporalDataset& ds, const IngestOptions& o,
                     IngestReport* report, const std::function<void(int64_t)>& on_progress) {
  if (o.batch < 1) return Status::InvalidArgument("--batch must be >= 1");
  if (o.rate < 0) return Status::InvalidArgument("--rate must be >= 0");
  *report = IngestReport();
  const auto start = Clock::now();
  int failures = 0;
  for (bool first = true;; first = false) {
    bool progressed = false;
    const grpc::Status s = Attempt(ds, o, report, first, start, on_progress, &progressed);
    report->seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (s.ok()) return Status::Ok();
    if (!Retryable(s.error_code())) return FromGrpc(s, "ingest to " + o.server);
    failures = progressed ? 1 : failures + 1;
    if (failures > o.max_retries || report->seconds > o.deadline_s) {
      return FromGrpc(s, "ingest to " + o.server + " gave up after " + std::to_string(failures) + " attempts");
    }
    ++report->retries;
    const double backoff = std::min(o.max_backoff_s, 0.05 * (1 << std::min(failures, 10)));
    std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
  }
}

double IngestReport::AckLatency(double q) const {
  if (ack_latency_s.empty()) return 0;
  std::vector<double> sorted = ack_latency_s;
  std::sort(sorted.begin(), sorted.end());
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank > 0 ? rank - 1 : 0)];
}

StatusOr<std::string> FetchStatsJson(const IngestOptions& o) {
  auto service = Connect(o);
  grpc::ClientContext ctx;
  Authorize(&ctx, o);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  StatsReply r;
  SG_RETURN_IF_ERROR(FromGrpc(service->Stats(&ctx, StatsRequest(), &r), "stats from " + o.server));
  nlohmann::ordered_json j;
  j["num_edges"] = r.num_edges();
  j["num_nodes"] = r.num_nodes();
  j["out_of_order_inserted"] = r.out_of_order_inserted();
  j["refused_batches"] = r.refused_batches();
  j["ingest_edges_per_s"] = r.ingest_edges_per_s();
  j["memory_bytes"] = r.memory_bytes();
  j["log_bytes"] = r.log_bytes();
  j["uptime_s"] = r.uptime_s();
  j["newest_time"] = r.newest_time();
  j["learning"] = r.learning();
  if (r.learning()) {
    j["learner_training"] = r.learner_training();
    j["learned_windows"] = r.learned_windows();
    j["learned_events"] = r.learned_events();
    j["learner_lag_events"] = r.learner_lag_events();
    j["coalesced_windows"] = r.coalesced_windows();
    j["learner_skipped_events"] = r.learner_skipped_events();
    j["prequential_ap"] = std::vector<double>(r.prequential_ap().begin(), r.prequential_ap().end());
    j["learner_train_s"] = r.learner_train_s();
    j["learner_error"] = r.learner_error();
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status VerifyDataset(const datasets::TemporalDataset& ds, const IngestOptions& o) {
  auto stub = Connect(o);
  constexpr int64_t kChunk = 1 << 20;
  int64_t checked = 0;
  for (int64_t first = 0;; first += kChunk) {
    grpc::ClientContext ctx;
    Authorize(&ctx, o);
    ReadEdgesRequest req;
    req.set_first_edge_id(first);
    req.set_count(kChunk);
    EdgeBatch got;
    SG_RETURN_IF_ERROR(FromGrpc(stub->ReadEdges(&ctx, req, &got), "reading edges back from " + o.server));
    for (int i = 0; i < got.src_size(); ++i) {
      const int64_t e = first + i;
      if (e >= ds.num_events()) {
        return Status::FailedPrecondition("the server holds more edges than the file's " +
                                          std::to_string(ds.num_events()));
      }
      if (got.src(i) != ds.src[e] || got.dst(i) != ds.dst[e] || got.time(i) != ds.ts[e]) {
        return Status::FailedPrecondition("edge " + std::to_string(e) + " differs: server has (" +
                                          std::to_string(got.src(i)) + ", " + std::to_string(got.dst(i)) +
                                          ", " + std::to_string(got.time(i)) + ")");
      }
    }
    checked += got.src_size();
    if (got.src_size() < kChunk) break;
  }
  if (checked != ds.num_events()) {
    return Status::FailedPrecondition("the server holds " + std::to_string(checked) + " of the file's " +
                                      std::to_string(ds.num_events()) + " edges");
  }
  return Status::Ok();
}

}  // namespace streamgnn::service
