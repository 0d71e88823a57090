// _streamgnn: the C++ side of the Python package. Arrays leave as NumPy views of C++-owned
// buffers (a capsule keeps the owner alive), so no data is copied; the Python layer
// (streamgnn/__init__.py) wraps them with torch.from_numpy. Every call that does real work
// releases the GIL. A non-ok Status becomes a Python exception carrying its message
// (ValueError for bad input, FileNotFoundError, OSError, RuntimeError otherwise).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trainers/temporal_config.h"
#include "core/threads.h"
#include "datasets/loaders.h"
#include "datasets/summary.h"
#include "datasets/synthetic.h"
#include "graph/temporal_graph.h"
#include "sampling/negative_sampler.h"
#include "sampling/temporal_sampler.h"
#if STREAMGNN_WITH_TRAINERS
#include "memory/importance_weights.h"
#include "trainers/continual_trainer.h"
#include "trainers/static_trainer.h"
#include "trainers/temporal_trainer.h"
#endif

namespace py = pybind11;
using namespace streamgnn;

namespace {

[[noreturn]] void Raise(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      throw py::value_error(status.message());
    case StatusCode::kNotFound:
      PyErr_SetString(PyExc_FileNotFoundError, status.message().c_str());
      throw py::error_already_set();
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
      PyErr_SetString(PyExc_OSError, status.message().c_str());
      throw py::error_already_set();
    case StatusCode::kUnimplemented:
      PyErr_SetString(PyExc_NotImplementedError, status.message().c_str());
      throw py::error_already_set();
    default:
      throw std::runtime_error(status.ToString());
  }
}

void Check(const Status& status) {
  if (!status.ok()) Raise(status);
}

template <typename T>
T Take(StatusOr<T> result) {
  if (!result.ok()) Raise(result.status());
  return std::move(result).value();
}

// A NumPy view of `data` (length n) that keeps `owner` alive.
template <typename T, typename Owner>
py::array_t<T> View(const T* data, int64_t n, const std::shared_ptr<Owner>& owner) {
  auto* keep = new std::shared_ptr<Owner>(owner);
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<Owner>*>(p); });
  return py::array_t<T>({n}, {static_cast<py::ssize_t>(sizeof(T))}, data, base);
}

// Contiguous int64 / float64 input from any array-like (torch tensors arrive as NumPy arrays
// through the Python layer); a copy only when the input is not already contiguous of that type.
using Int64In = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;
using Float64In = py::array_t<double, py::array::c_style | py::array::forcecast>;

template <typename T>
Span<const T> AsSpan(const py::array_t<T, py::array::c_style | py::array::forcecast>& a,
                     const char* name) {
  if (a.ndim() != 1) throw py::value_error(std::string(name) + " must be one-dimensional");
  return Span<const T>(a.data(), static_cast<size_t>(a.size()));
}

// ---- datasets ---------------------------------------------------------------------------------

py::dict DatasetDict(std::shared_ptr<datasets::TemporalDataset> ds, bool cache_hit) {
  const int64_t e = ds->num_events();
  py::dict d;
  d["name"] = ds->name;
  d["num_nodes"] = ds->num_nodes;
  d["num_users"] = ds->num_users;
  d["src"] = View(ds->src.data(), e, ds);
  d["dst"] = View(ds->dst.data(), e, ds);
  d["t"] = View(ds->ts.data(), e, ds);
  d["labels"] = View(ds->labels.data(), static_cast<int64_t>(ds->labels.size()), ds);
  d["split"] = View(ds->split.data(), static_cast<int64_t>(ds->split.size()), ds);
  d["edge_feat"] = View(ds->edge_feat.data(), static_cast<int64_t>(ds->edge_feat.size()), ds)
                       .reshape({e, ds->edge_feat_dim});
  d["node_feat"] = View(ds->node_feat.data(), static_cast<int64_t>(ds->node_feat.size()), ds)
                       .reshape({ds->num_nodes, ds->node_feat_dim});
  d["active_nodes"] = ds->CountActiveNodes();
  d["cache_hit"] = cache_hit;
  d["summary"] = datasets::SummaryJson(datasets::Summarize(*ds));
  return d;
}

py::dict LoadDataset(const std::string& path, const std::string& format, bool cache,
                     const std::string& cache_dir) {
  datasets::LoadSpec spec;
  spec.format = Take(datasets::ParseFormat(format));
  spec.path = path;
  spec.cache.enable = cache;
  spec.cache.dir = cache_dir;
  datasets::LoadReport report;
  StatusOr<datasets::TemporalDataset> loaded = Status::Internal("not loaded");
  {
    py::gil_scoped_release release;
    loaded = datasets::LoadTemporal(spec, &report);
  }
  return DatasetDict(std::make_shared<datasets::TemporalDataset>(Take(std::move(loaded))),
                     report.cache_hit);
}

py::dict GenerateDataset(const datasets::SyntheticOptions& options) {
  StatusOr<datasets::TemporalDataset> made = Status::Internal("not generated");
  {
    py::gil_scoped_release release;
    made = datasets::GenerateSynthetic(options);
  }
  return DatasetDict(std::make_shared<datasets::TemporalDataset>(Take(std::move(made))), false);
}

// ---- graph ------------------------------------------------------------------------------------

struct PyGraph {
  std::shared_ptr<graph::TemporalGraph> graph;
};

// A snapshot holds its graph alive, and pins an epoch until closed or collected.
struct PySnapshot {
  std::shared_ptr<graph::TemporalGraph> graph;
  std::unique_ptr<graph::Snapshot> snapshot;

  const graph::Snapshot& get() const {
    if (!snapshot) throw py::value_error("snapshot is closed");
    return *snapshot;
  }
};

graph::TemporalGraphOptions GraphOptions(bool undirected, const std::string& out_of_order,
                                         double eviction_window, int min_block, int max_block) {
  graph::TemporalGraphOptions o;
  o.undirected = undirected;
  if (!core::EnumFromString(out_of_order, &o.out_of_order)) {
    throw py::value_error("out_of_order must be 'insert' or 'refuse', got '" + out_of_order + "'");
  }
  o.eviction_window = eviction_window;
  o.min_block_capacity = min_block;
  o.max_block_capacity = max_block;
  Check(graph::TemporalGraph::ValidateOptions(o));
  return o;
}

py::dict StatsDict(const graph::TemporalGraph& g) {
  const graph::GraphStats s = g.Stats();
  const graph::MemoryUsage m = g.Memory();
  py::dict d;
  d["num_nodes"] = s.num_nodes;
  d["num_edges"] = s.num_edges;
  d["num_entries"] = s.num_entries;
  d["evicted_entries"] = s.evicted_entries;
  d["out_of_order_inserted"] = s.out_of_order_inserted;
  d["out_of_order_refused"] = s.out_of_order_refused;
  d["batches"] = s.batches;
  d["newest_time"] = s.newest_time;
  d["evict_before"] = s.evict_before;
  d["memory_bytes"] = m.total();
  d["block_bytes"] = m.block_bytes;
  d["table_bytes"] = m.table_bytes;
  d["node_bytes"] = m.node_bytes;
  d["retired_bytes"] = m.retired_bytes;
  return d;
}

// ---- sampling ---------------------------------------------------------------------------------

// The result of one Sample call. `reuse` samplers hand out the same object every call (its
// buffers keep their addresses while they are large enough); others a fresh one.
struct PySampler {
  std::shared_ptr<sampling::TemporalSampler> sampler;
  std::shared_ptr<sampling::SampleResult> reused;
};

py::list Blocks(const std::shared_ptr<sampling::SampleResult>& result) {
  py::list layers;
  for (const sampling::SampledBlock& b : result->layers) {
    py::dict d;
    d["root_nodes"] = View(b.root_nodes.data(), b.num_roots(), result);
    d["root_times"] = View(b.root_times.data(), b.num_roots(), result);
    d["offsets"] = View(b.offsets.data(), static_cast<int64_t>(b.offsets.size()), result);
    d["neighbors"] = View(b.neighbors.data(), b.num_sampled(), result);
    d["edges"] = View(b.edges.data(), b.num_sampled(), result);
    d["times"] = View(b.times.data(), b.num_sampled(), result);
    d["dt"] = View(b.dt.data(), b.num_sampled(), result);
    layers.append(d);
  }
  return layers;
}

#if STREAMGNN_WITH_TRAINERS
// Trains a temporal model per the config (a YAML file, or YAML/JSON text). The GIL is released
// for the whole run; `on_epoch(json)` is called with the GIL held after every epoch. An
// exception raised by the callback is re-raised once training has finished.
py::dict Train(const std::string& source, bool is_file, const std::vector<std::string>& overrides,
               bool resume, py::object on_epoch) {
  trainers::TemporalConfig config = Take(is_file ? trainers::LoadTemporalConfigFile(source, overrides)
                                     : trainers::LoadTemporalConfigString(source, "<dict>", overrides));
  if (is_file) Check(trainers::CheckInputFiles(config, source));
  trainers::TrainOptions options;
  options.resume = resume;
  options.print_epochs = false;
  std::unique_ptr<py::error_already_set> callback_error;
  if (!on_epoch.is_none()) {
    options.on_epoch = [&](const trainers::EpochRecord& r) {
      py::gil_scoped_acquire acquire;
      if (callback_error) return;
      try {
        on_epoch(r.ToJson(true));
      } catch (py::error_already_set& e) {
        callback_error = std::make_unique<py::error_already_set>(std::move(e));
      }
    };
  }
  StatusOr<trainers::TrainSummary> summary = Status::Internal("not trained");
  {
    py::gil_scoped_release release;
    summary = trainers::TrainTemporal(config, options);
  }
  if (callback_error) throw std::move(*callback_error);
  const trainers::TrainSummary s = Take(std::move(summary));
  py::list epochs;
  for (const trainers::EpochRecord& r : s.epochs) epochs.append(r.ToJson(true));
  py::dict d;
  d["epochs"] = epochs;
  d["best_epoch"] = s.best_epoch;
  d["stopped_early"] = s.stopped_early;
  return d;
}

// The static config a Python call names: a YAML path, or a dict the Python layer dumped to JSON.
trainers::StaticConfig StaticConfigArg(const std::string& source, bool is_file,
                                       const std::vector<std::string>& overrides) {
  return Take(is_file ? trainers::LoadStaticConfigFile(source, overrides)
                      : trainers::LoadStaticConfigString(source, "<dict>", overrides));
}

// f() (a StatusOr) run with the GIL released; its value, or its error raised.
template <typename F>
auto TakeWithoutGil(F&& f) {
  std::optional<decltype(f())> r;
  {
    py::gil_scoped_release release;
    r.emplace(f());
  }
  return Take(std::move(*r));
}

// Trains a static (homogeneous or heterogeneous) node classifier per the config, as
// `streamgnn static-train`.
py::dict TrainStaticRun(const std::string& source, bool is_file,
                        const std::vector<std::string>& overrides) {
  const trainers::StaticConfig config = StaticConfigArg(source, is_file, overrides);
  const trainers::StaticRunResult r = TakeWithoutGil([&] { return trainers::TrainStatic(config); });
  py::list epochs;
  for (const trainers::StaticEpochRecord& e : r.epochs) {
    py::dict d;
    d["epoch"] = e.epoch;
    d["loss"] = e.loss;
    d["epoch_seconds"] = e.epoch_seconds;
    if (e.evaluated) {
      d["train_acc"] = e.train_acc;
      d["val_acc"] = e.val_acc;
      d["test_acc"] = e.test_acc;
      if (e.has_macro_f1) d["test_macro_f1"] = e.test_macro_f1;
    }
    epochs.append(d);
  }
  py::dict d;
  d["epochs"] = epochs;
  d["selected_epoch"] = r.selected_epoch;
  d["val_acc"] = r.val_acc;
  d["test_acc"] = r.test_acc;
  d["test_macro_f1"] = r.test_macro_f1;
  d["train_seconds"] = r.train_seconds;
  d["full_graph"] = r.full_graph;
  return d;
}

// Runs a continual-learning stream per the config, as `streamgnn continual-train`; its
// result as JSON text (ContinualResult::ToJson).
std::string TrainContinualRun(const std::string& source, bool is_file,
                              const std::vector<std::string>& overrides) {
  const trainers::StaticConfig config = StaticConfigArg(source, is_file, overrides);
  return TakeWithoutGil([&] { return trainers::TrainContinualFromConfig(config); }).ToJson();
}

// SEA-ER's kernel-mean-matching weights of the rows of z against the rows of x (2-D float32).
py::tuple KernelMeanMatchingRun(const py::array_t<float, py::array::c_style | py::array::forcecast>& z,
                                const py::array_t<float, py::array::c_style | py::array::forcecast>& x,
                                const std::string& kernel, double sigma, double upper_bound,
                                double epsilon) {
  if (z.ndim() != 2 || x.ndim() != 2 || z.shape(1) != x.shape(1)) {
    throw py::value_error("z and x must be 2-D with the same number of columns");
  }
  if (kernel != "linear" && kernel != "rbf") {
    throw py::value_error("kernel must be 'linear' or 'rbf', got '" + kernel + "'");
  }
  memory::KmmOptions o;
  o.kernel = kernel == "rbf" ? memory::KmmKernel::kRbf : memory::KmmKernel::kLinear;
  o.rbf_sigma = sigma;
  o.upper_bound = upper_bound;
  o.epsilon = epsilon;
  const Span<const float> zs(z.data(), static_cast<size_t>(z.size()));
  const Span<const float> xs(x.data(), static_cast<size_t>(x.size()));
  const memory::KmmResult result =
      TakeWithoutGil([&] { return memory::KernelMeanMatching(zs, xs, z.shape(1), o); });
  py::array_t<double> weights(static_cast<py::ssize_t>(result.weights.size()));
  std::copy(result.weights.begin(), result.weights.end(), weights.mutable_data());
  return py::make_tuple(weights, result.objective);
}
#endif

}  // namespace

PYBIND11_MODULE(_streamgnn, m) {
  m.doc() = "C++ core of streamgnn (use the `streamgnn` package, not this module)";

  m.def("set_thread_budget", &core::SetThreadBudget, py::arg("threads"),
        "Threads shared by TBB and LibTorch; 0 = all cores.");
  m.def("thread_budget", &core::ThreadBudget);

  m.def("generate_synthetic", [](int64_t num_nodes, int64_t num_edges, int64_t num_users,
                                  int64_t num_communities, double zipf_exponent, double p_recent,
                                  double p_community, int64_t node_feat_dim, int64_t edge_feat_dim,
                                  uint64_t seed) {
        datasets::SyntheticOptions o;
        o.num_nodes = num_nodes;
        o.num_edges = num_edges;
        o.num_users = num_users;
        o.num_communities = num_communities;
        o.zipf_exponent = zipf_exponent;
        o.p_recent = p_recent;
        o.p_community = p_community;
        o.node_feat_dim = node_feat_dim;
        o.edge_feat_dim = edge_feat_dim;
        o.seed = seed;
        return GenerateDataset(o);
      });
  m.def("load_dataset", &LoadDataset, py::arg("path"), py::arg("format"), py::arg("cache") = true,
        py::arg("cache_dir") = "");

  // Config: the same parser, validation and messages as the executable.
  m.def("config_from_yaml_file", [](const std::string& path, const std::vector<std::string>& overrides) {
        return core::ConfigAsJson(Take(trainers::LoadTemporalConfigFile(path, overrides)));
      }, py::arg("path"), py::arg("overrides") = std::vector<std::string>{});
  m.def("config_from_yaml_text", [](const std::string& text, const std::string& source,
                                    const std::vector<std::string>& overrides) {
        return core::ConfigAsJson(Take(trainers::LoadTemporalConfigString(text, source, overrides)));
      }, py::arg("text"), py::arg("source"), py::arg("overrides") = std::vector<std::string>{});
#if STREAMGNN_WITH_TRAINERS
  m.attr("has_trainers") = true;
  m.def("train", &Train, py::arg("source"), py::arg("is_file"), py::arg("overrides"),
        py::arg("resume") = false, py::arg("on_epoch") = py::none());
  m.def("train_static", &TrainStaticRun, py::arg("source"), py::arg("is_file"),
        py::arg("overrides"));
  m.def("train_continual", &TrainContinualRun, py::arg("source"), py::arg("is_file"),
        py::arg("overrides"));
  m.def("kernel_mean_matching", &KernelMeanMatchingRun, py::arg("z"), py::arg("x"),
        py::arg("kernel") = "linear", py::arg("sigma") = 1.0, py::arg("upper_bound") = 1.0,
        py::arg("epsilon") = -1.0);
  m.def("evaluate_checkpoint", [](const std::string& path, const std::string& scores_dir,
                                  const std::vector<std::string>& overrides) {
        const trainers::EvalOptions options{scores_dir, overrides};
        return TakeWithoutGil([&] { return trainers::EvaluateCheckpoint(path, nullptr, options); }).ToJson(true);
      }, py::arg("path"), py::arg("scores_dir") = "", py::arg("overrides") = std::vector<std::string>{});
#else
  m.attr("has_trainers") = false;
#endif
  m.def("config_to_yaml", [](const std::string& text, const std::string& source) {
        return core::ConfigAsYaml(Take(trainers::LoadTemporalConfigString(text, source, {})));
      });

  py::class_<PyGraph>(m, "TemporalGraph")
      .def(py::init([](bool undirected, const std::string& out_of_order, double eviction_window,
                       int min_block, int max_block) {
             return PyGraph{std::make_shared<graph::TemporalGraph>(
                 GraphOptions(undirected, out_of_order, eviction_window, min_block, max_block))};
           }),
           py::arg("undirected") = true, py::arg("out_of_order") = "insert",
           py::arg("eviction_window") = 0.0, py::arg("min_block_capacity") = 8,
           py::arg("max_block_capacity") = 4096)
      .def("append", [](PyGraph& g, const Int64In& src, const Int64In& dst, const Float64In& t) {
             const auto s = AsSpan(src, "src");
             const auto d = AsSpan(dst, "dst");
             const auto ts = AsSpan(t, "t");
             StatusOr<graph::AppendResult> r = Status::Internal("not appended");
             {
               py::gil_scoped_release release;
               r = g.graph->AppendEdges(s, d, ts);
             }
             const graph::AppendResult a = Take(std::move(r));
             return py::make_tuple(a.first_edge_id, a.count, a.out_of_order);
           }, py::arg("src"), py::arg("dst"), py::arg("t"))
      .def("evict_before", [](PyGraph& g, double cutoff) { Check(g.graph->EvictBefore(cutoff)); })
      .def("snapshot", [](PyGraph& g) {
             return PySnapshot{g.graph, std::make_unique<graph::Snapshot>(g.graph->GetSnapshot())};
           })
      .def("stats", [](PyGraph& g) { return StatsDict(*g.graph); });

  py::class_<PySnapshot>(m, "Snapshot")
      .def_property_readonly("watermark", [](const PySnapshot& s) { return s.get().watermark(); })
      .def_property_readonly("num_nodes", [](const PySnapshot& s) { return s.get().num_nodes(); })
      .def_property_readonly("evict_before", [](const PySnapshot& s) { return s.get().evict_before(); })
      .def("degree", [](const PySnapshot& s, NodeId v, double t) { return s.get().Degree(v, t); },
           py::arg("node"), py::arg("t") = kMaxTime)
      .def("edges", [](const PySnapshot& s, NodeId v, double t) {
             std::vector<py::tuple> out;
             for (const graph::Neighbor& n : s.get().Edges(v, t)) out.push_back(py::make_tuple(n.node, n.edge, n.time));
             return out;
           }, py::arg("node"), py::arg("t") = kMaxTime)
      .def("close", [](PySnapshot& s) { s.snapshot.reset(); });

  py::class_<PySampler>(m, "TemporalSampler")
      .def(py::init([](std::vector<int> fanouts, const std::string& strategy, bool prop_time,
                       uint64_t seed, bool reuse) {
             sampling::TemporalSamplerOptions o;
             o.fanouts = std::move(fanouts);
             if (!core::EnumFromString(strategy, &o.strategy)) {
               throw py::value_error("strategy must be 'recent' or 'uniform', got '" + strategy + "'");
             }
             o.prop_time = prop_time;
             o.seed = seed;
             PySampler s{std::make_shared<sampling::TemporalSampler>(
                             Take(sampling::TemporalSampler::Create(o))),
                         nullptr};
             if (reuse) s.reused = std::make_shared<sampling::SampleResult>();
             return s;
           }),
           py::arg("fanouts"), py::arg("strategy") = "recent", py::arg("prop_time") = false,
           py::arg("seed") = 0, py::arg("reuse") = false)
      .def("sample", [](PySampler& s, const PySnapshot& snap, const Int64In& nodes,
                        const Float64In& times, uint64_t batch_key) {
             const auto n = AsSpan(nodes, "nodes");
             const auto t = AsSpan(times, "times");
             if (n.size() != t.size()) throw py::value_error("nodes and times differ in length");
             auto result = s.reused ? s.reused : std::make_shared<sampling::SampleResult>();
             {
               py::gil_scoped_release release;
               s.sampler->Sample(snap.get(), n, t, batch_key, result.get());
             }
             return Blocks(result);
           }, py::arg("snapshot"), py::arg("nodes"), py::arg("times"), py::arg("batch_key") = 0);

  py::class_<sampling::NegativeSampler>(m, "NegativeSampler")
      .def_static("from_range", [](NodeId begin, NodeId end, uint64_t seed) {
             return Take(sampling::NegativeSampler::FromRange(begin, end, seed));
           }, py::arg("begin"), py::arg("end"), py::arg("seed") = 0)
      .def_static("from_candidates", [](std::vector<NodeId> c, uint64_t seed) {
             return Take(sampling::NegativeSampler::FromCandidates(std::move(c), seed));
           }, py::arg("candidates"), py::arg("seed") = 0)
      .def_property_readonly("num_candidates", &sampling::NegativeSampler::num_candidates)
      .def("sample", [](const sampling::NegativeSampler& s, uint64_t batch_key, int64_t count) {
             if (count < 0) throw py::value_error("count must be >= 0");
             py::array_t<int64_t> out(count);
             s.Sample(batch_key, Span<NodeId>(out.mutable_data(), static_cast<size_t>(count)));
             return out;
           }, py::arg("batch_key"), py::arg("count"));
}
