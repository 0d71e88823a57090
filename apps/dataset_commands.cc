// `streamgnn dataset info|convert|generate`.
#include <cstdio>

#include "apps/commands.h"
#include "datasets/loaders.h"
#include "datasets/summary.h"
#include "datasets/synthetic.h"
#include "datasets/writers.h"

namespace streamgnn::apps {

StatusOr<datasets::TemporalDataset> LoadFromArgs(const DatasetArgs& in) {
  datasets::LoadSpec spec;
  SG_ASSIGN_OR_RETURN(spec.format, datasets::ParseFormat(in.format));
  spec.path = in.path;
  spec.csv.src_col = in.src_col;
  spec.csv.dst_col = in.dst_col;
  spec.csv.time_col = in.time_col;
  spec.csv.label_col = in.label_col;
  spec.csv.header = !in.no_header;
  spec.cache.enable = !in.no_cache;
  datasets::LoadReport report;
  auto ds = datasets::LoadTemporal(spec, &report);
  for (const std::string& w : report.warnings) std::fprintf(stderr, "streamgnn: warning: %s\n", w.c_str());
  return ds;
}

Status DatasetInfo(const DatasetArgs& in, bool json) {
  SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset ds, LoadFromArgs(in));
  const datasets::DatasetSummary summary = datasets::Summarize(ds);
  std::printf("%s\n", json ? datasets::SummaryJson(summary).c_str()
                           : datasets::FormatSummary(summary).c_str());
  return Status::Ok();
}

namespace {

Status Write(const datasets::TemporalDataset& ds, const std::string& to, const std::string& out) {
  if (to == "tgl") return datasets::WriteTglCsv(ds, out);
  if (to == "ml") return datasets::WriteMlCsv(ds, out);
  return datasets::WriteCsv(ds, out);
}

}  // namespace

Status DatasetConvert(const DatasetArgs& in, const std::string& to_format, const std::string& out) {
  SG_ASSIGN_OR_RETURN(const datasets::TemporalDataset ds, LoadFromArgs(in));
  SG_RETURN_IF_ERROR(Write(ds, to_format, out));
  std::printf("wrote %lld events to %s (%s)\n", static_cast<long long>(ds.num_events()), out.c_str(),
              to_format.c_str());
  return Status::Ok();
}

Status DatasetGenerate(const GenerateArgs& a) {
  datasets::TemporalDataset ds;
  if (a.kind == "zipf") {
    if (a.nodes < 1 || a.edges < 0 || !(a.zipf >= 0)) {
      return Status::InvalidArgument("zipf stream needs --nodes >= 1, --edges >= 0, --zipf >= 0");
    }
    ds = datasets::GenerateZipfStream(a.nodes, a.edges, a.zipf, a.seed);
  } else {
    datasets::SyntheticOptions o;
    o.num_nodes = a.nodes;
    o.num_edges = a.edges;
    o.num_users = a.users;
    o.num_communities = a.communities;
    o.zipf_exponent = a.zipf;
    o.node_feat_dim = a.node_feat_dim;
    o.edge_feat_dim = a.edge_feat_dim;
    o.seed = a.seed;
    SG_ASSIGN_OR_RETURN(ds, datasets::GenerateSynthetic(o));
  }
  SG_RETURN_IF_ERROR(Write(ds, a.to_format, a.out));
  std::printf("wrote %lld events, %lld nodes to %s\n", static_cast<long long>(ds.num_events()),
              static_cast<long long>(ds.num_nodes), a.out.c_str());
  return Status::Ok();
}

}  // namespace streamgnn::apps
