// The service's request handling (service/requests.h) behind the gRPC transport: the first byte
// picks the call (IngestEdges batch, Sample, Embed, ReadEdges), the rest is its protobuf message.
// One store (RocksDB edge log in the scratch folder) lives for the whole run, as a server's
// does, so later inputs sample and read what earlier ones ingested. Bytes that are not a
// message are dropped as gRPC would drop them. Embed runs against a stand-in for the learner
// that answers a zero row per node: what is fuzzed is the server's checks.
#include <google/protobuf/stubs/logging.h>

#include "service/requests.h"
#include "tests/fuzz/fuzz_util.h"

using namespace streamgnn;

namespace {

service::StreamStore& Store() {
  static std::unique_ptr<service::StreamStore> store = [] {
    google::protobuf::SetLogHandler(nullptr);  // gRPC drops bad messages quietly too
    service::StreamStoreOptions o;
    o.data_dir = fuzz::ScratchDir::Get().path() + "/service";
    o.max_nodes = int64_t{1} << 20;
    o.max_batch = 4096;
    auto opened = service::StreamStore::Open(o);
    if (!opened.ok()) fuzz::ScratchDir::Fail(opened.status().ToString());
    return std::move(opened).value();
  }();
  return *store;
}

service::ServiceLimits Limits() {
  service::ServiceLimits l;
  l.max_sample_roots = 4096;
  l.max_sample_edges = 1 << 16;
  l.max_embed_nodes = 4096;
  l.max_read_edges = 1 << 16;
  return l;
}

StatusOr<service::Embeddings> ZeroEmbeddings(const std::vector<NodeId>& nodes) {
  return service::Embeddings{4, std::vector<float>(nodes.size() * 4, 0.0f), 0.0};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int call = data[0] % 4;
  const auto message = fuzz::Bytes(data + 1, size - 1);
  const auto expect_clean = [](const Status& s) {
    if (!s.ok() && s.message().empty()) fuzz::ScratchDir::Fail("an error without a message");
    if (s.code() == StatusCode::kInternal) fuzz::ScratchDir::Fail("internal error: " + s.ToString());
  };
  const service::ServiceLimits limits = Limits();
  if (call == 0) {
    service::EdgeBatch batch;
    if (!batch.ParseFromArray(message.data(), static_cast<int>(message.size()))) return 0;
    const auto ack = service::HandleIngest(&Store(), batch);
    expect_clean(ack.status());
    if (ack.ok() && ack->stored() > batch.src_size()) fuzz::ScratchDir::Fail("stored more than sent");
  } else if (call == 1) {
    service::SampleRequest request;
    service::SampleReply reply;
    if (!request.ParseFromArray(message.data(), static_cast<int>(message.size()))) return 0;
    expect_clean(service::HandleSample(Store(), limits, request, &reply));
  } else if (call == 2) {
    service::EmbedRequest request;
    service::EmbedReply reply;
    if (!request.ParseFromArray(message.data(), static_cast<int>(message.size()))) return 0;
    expect_clean(service::HandleEmbed(ZeroEmbeddings, Store(), limits, request, &reply));
  } else {
    service::ReadEdgesRequest request;
    service::EdgeBatch reply;
    if (!request.ParseFromArray(message.data(), static_cast<int>(message.size()))) return 0;
    expect_clean(service::HandleReadEdges(Store(), limits, request, &reply));
  }
  return 0;
}
