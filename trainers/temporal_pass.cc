// One pass of the temporal trainer over a list of events, batch by batch, through five stages:
// sample -> features -> memory read -> compute -> memory write. Sequential passes run them in
// order on the calling thread; pipeline.mode mspipe runs them as a pipeline with bounded
// staleness (trainers/pipeline.h). The compute stage runs a batch's shards on separate threads.
#include <fmt/format.h>
#include <tbb/task_group.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "core/logging.h"
#include "core/rng.h"
#include "models/dropout.h"
#include "trainers/link_metrics.h"
#include "trainers/pipeline.h"
#include "trainers/temporal_batch.h"
#include "trainers/temporal_trainer_impl.h"

namespace streamgnn::trainers {

using Clock = std::chrono::steady_clock;

namespace {

// Seeds of fixed draws (independent of train.seed, as TGN's fixed evaluation negatives).
constexpr uint64_t kValNegativeStream = 0x56414c;     // "VAL"
constexpr uint64_t kPrequentialStream = 0x50524551;   // "PREQ"
constexpr uint64_t kTestNegativeStream = 0x54455354;  // "TEST"
constexpr uint64_t kMrrStream = 0x4d5252;             // "MRR"
constexpr uint64_t kDropoutStream = 0x44524f50;       // "DROP"
// Batches a sequential pass samples ahead of the one it computes.
constexpr int64_t kPrefetchBatches = 2;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<float> ToVector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// torch::cat without the copy for a single part (a one-shard batch).
torch::Tensor Concat(const std::vector<torch::Tensor>& parts) {
  return parts.size() == 1 ? parts[0] : torch::cat(parts);
}

// Rows of `rows` from `start`, `length` of them (views).
memory::MemoryRows NarrowRows(const memory::MemoryRows& rows, int64_t start, int64_t length) {
  memory::MemoryRows r;
  r.memory = rows.memory.narrow(0, start, length);
  r.last_update = rows.last_update.narrow(0, start, length);
  r.mail = rows.mail.narrow(0, start, length);
  r.mail_ts = rows.mail_ts.narrow(0, start, length);
  r.mail_valid = rows.mail_valid.narrow(0, start, length);
  r.mail_events = rows.mail_events.narrow(0, start, length);
  return r;
}

}  // namespace

// The state of one pass; each stage is a member function of one batch.
class PassRunner {
 public:
  PassRunner(TemporalTrainerImpl& t, PassMode mode, const std::vector<int64_t>& events,
             EventStore* store, int64_t epoch, core::ProgressBar* progress, const TrainOptions* options);
  StatusOr<PassResult> Run();

 private:
  std::unique_ptr<BatchWork> Make(int64_t index) const;
  Status Sample(BatchWork& w);
  Status FillTgbNegatives(BatchWork& w) const;
  void KeepScores(const BatchWork& w, const std::vector<float>& pos, const std::vector<float>& neg);
  Status Features(BatchWork& w);
  Status ReadMemory(BatchWork& w);
  Status Compute(BatchWork& w);
  void ComputeShard(const BatchWork& w, int64_t s, BatchShard& shard);
  Status WriteMemory(BatchWork& w);
  void Finish(BatchWork& w);
  // `stage` run on `stream`, taking the batch over from the stage before (stage_streams.h).
  std::function<Status(BatchWork&)> On(const StageStream& stream,
                                       std::function<Status(BatchWork&)> stage) const;
  void ProfileForAutoStaleness(const BatchWork& w);

  TemporalTrainerImpl& t_;
  const trainers::TemporalConfig& config_;
  const std::vector<int64_t>& events_;
  EventStore* store_;
  int64_t epoch_;
  core::ProgressBar* progress_;
  bool training_;
  int64_t batch_size_, mrr_negatives_, levels_, shards_, num_batches_;
  int64_t positives_per_shard_ = 0;  // eval.positives_per_forward in val/test passes; 0 = no cap
  const datasets::TgbNegatives* tgb_ = nullptr;  // eval.protocol tgb, val and test passes
  uint64_t pass_stream_;
  const sampling::NegativeSampler* negatives_;
  bool attention_, deliver_neighbors_, pipelined_, mitigate_, profile_;
  std::function<void(const char*, int64_t)> hook_;
  int64_t base_version_ = 0;
  std::atomic<int64_t> bound_{0};

  PassResult result_;
  LinkMetricAccumulator all_acc_, ind_acc_;
  StageTimes profiled_;
  int64_t done_events_ = 0;
  // Write sets of batches whose commits a read may lack (mitigation), by batch index.
  std::mutex write_sets_mu_;
  std::map<int64_t, torch::Tensor> write_sets_;
  // On a GPU: the streams of the stages that prepare batches ahead of compute, and the default
  // stream of the others (no streams on the CPU).
  StageStream sample_stream_, features_stream_, default_stream_;
};

PassRunner::PassRunner(TemporalTrainerImpl& t, PassMode mode, const std::vector<int64_t>& events,
                       EventStore* store, int64_t epoch, core::ProgressBar* progress,
                       const TrainOptions* options)
    : t_(t),
      config_(t.config_),
      events_(events),
      store_(store),
      epoch_(epoch),
      progress_(progress),
      training_(mode == PassMode::kTrain),
      all_acc_(t.config_.train.ap_mode),
      ind_acc_(t.config_.train.ap_mode),
      sample_stream_(StageStream::Side(t.device_)),
      features_stream_(StageStream::Side(t.device_)),
      default_stream_(StageStream::Default(t.device_)) {
  const trainers::TrainConfig& tc = config_.train;
  batch_size_ = training_ || tc.eval_batch_size == 0 ? tc.batch_size : tc.eval_batch_size;
  mrr_negatives_ = training_ ? 0 : tc.eval_negatives;
  if (mode == PassMode::kVal || mode == PassMode::kTest) {
    const auto& table = mode == PassMode::kVal ? t.tgb_val_ : t.tgb_test_;
    if (table) {
      tgb_ = &*table;
      mrr_negatives_ = std::max<int64_t>(1, tgb_->max_count());
    }
    positives_per_shard_ = config_.eval.positives_per_forward;
  }
  attention_ = t.model_->uses_neighbors_for_embedding();
  deliver_neighbors_ = t.model_->has_memory() && config_.memory.deliver_to == memory::DeliverTo::kNeighbors;
  levels_ = attention_ ? static_cast<int64_t>(t.fanouts_.size()) + 1 : 1;
  shards_ = t.ShardsPerBatch();
  switch (mode) {
    case PassMode::kTrain:
      pass_stream_ = core::StreamKey(1, static_cast<uint64_t>(epoch));
      break;
    case PassMode::kVal:
      pass_stream_ = kValNegativeStream;
      break;
    case PassMode::kTest:
      pass_stream_ = kTestNegativeStream;
      break;
    case PassMode::kPrequential:
      pass_stream_ = core::StreamKey(kPrequentialStream, static_cast<uint64_t>(epoch));
      break;
  }
  negatives_ = training_ ? &*t.train_negatives_ : &*t.eval_negatives_;
  const trainers::PipelineConfig& pc = config_.pipeline;
  pipelined_ = training_ && pc.mode == trainers::PipelineMode::kMspipe;
  mitigate_ = pipelined_ && t.memory_ && pc.mitigation == trainers::StalenessMitigation::kSimilarity;
  if (options != nullptr && training_) hook_ = options->stage_hook;
  num_batches_ = (static_cast<int64_t>(events.size()) + batch_size_ - 1) / batch_size_;
  // Memory versions count commits since the memory was reset; evaluation continues from the
  // training pass's memory, so its batches start at the current version.
  base_version_ = t.memory_ ? t.memory_->version() : 0;
  // Staleness bound: 0 for sequential passes; for mspipe the configured one, or with auto, 0
  // while profiling then the chosen one (kept across epochs and in checkpoints).
  const int64_t configured = pc.StalenessBound();
  profile_ = pipelined_ && configured < 0 && t.auto_staleness_ < 0;
  if (pipelined_) bound_ = configured >= 0 ? configured : std::max<int64_t>(0, t.auto_staleness_);
}

std::unique_ptr<BatchWork> PassRunner::Make(int64_t index) const {
  auto w = std::make_unique<BatchWork>();
  w->index = index;
  const int64_t b = index * batch_size_;
  w->n = std::min(batch_size_, static_cast<int64_t>(events_.size()) - b);
  w->ev = events_.data() + b;
  w->batch_key = core::StreamKey(pass_stream_, static_cast<uint64_t>(index));
  return w;
}

// TGB's negatives of each positive of the batch, padded to mrr_negatives_ with the positive's own
// destination (the padding is scored but not ranked: mrr_counts says where each row ends).
Status PassRunner::FillTgbNegatives(BatchWork& w) const {
  const datasets::TemporalDataset& ds = t_.ds_;
  w.mrr_counts.resize(w.n);
  for (int64_t i = 0; i < w.n; ++i) {
    const int64_t e = w.ev[i];
    SG_ASSIGN_OR_RETURN(const Span<const NodeId> negs,
                        tgb_->Find(ds.src[e], ds.dst[e], static_cast<int64_t>(ds.ts[e])));
    if (static_cast<int64_t>(negs.size()) > mrr_negatives_) return Status::Internal("TGB row longer than its maximum");
    NodeId* row = w.mrr_neg.data() + i * mrr_negatives_;
    std::copy(negs.begin(), negs.end(), row);
    std::fill(row + negs.size(), row + mrr_negatives_, ds.dst[e]);
    w.mrr_counts[i] = static_cast<int64_t>(negs.size());
  }
  return Status::Ok();
}

void PassRunner::KeepScores(const BatchWork& w, const std::vector<float>& pos, const std::vector<float>& neg) {
  RankScores& r = result_.ranks;
  r.width = mrr_negatives_;
  r.pos.insert(r.pos.end(), pos.begin(), pos.end());
  r.neg.insert(r.neg.end(), neg.begin(), neg.end());
  if (tgb_ != nullptr) {
    r.counts.insert(r.counts.end(), w.mrr_counts.begin(), w.mrr_counts.end());
  } else {
    r.counts.insert(r.counts.end(), pos.size(), mrr_negatives_);
  }
}

// Store append, negatives, neighbour sampling and the model's index tensors, per shard.
Status PassRunner::Sample(BatchWork& w) {
  const auto t0 = Clock::now();
  if (hook_) hook_("sample", w.index);  // inside the stage's time: a slow stage
  const bool intra_batch = config_.train.intra_batch_neighbors;
  const bool append = !store_->complete;
  if (append && intra_batch) SG_RETURN_IF_ERROR(t_.Append(store_, w.ev, w.n));
  w.neg.resize(w.n);
  negatives_->Sample(w.batch_key, w.neg);
  w.mrr_neg.resize(w.n * mrr_negatives_);
  if (tgb_ != nullptr) {
    SG_RETURN_IF_ERROR(FillTgbNegatives(w));
  } else if (mrr_negatives_ > 0) {
    negatives_->Sample(core::StreamKey(kMrrStream, w.batch_key), w.mrr_neg);
  }
  // Shards share one memory read and write, so capping their size changes no score.
  int64_t shards = shards_;
  if (positives_per_shard_ > 0) shards = std::max(shards, (w.n + positives_per_shard_ - 1) / positives_per_shard_);
  MakeShards(t_.ds_, std::min(shards, w.n), mrr_negatives_, &w);
  if (t_.device_sampler_) {
    // On a GPU: one shard, its inputs built on the device; APAN's mail recipients also on the
    // host (WriteMemory and the mitigation's write sets read them there).
    BatchShard& shard = w.shards[0];
    const int64_t roots = attention_ ? static_cast<int64_t>(shard.roots.size()) : 2 * shard.n;
    SG_RETURN_IF_ERROR(t_.device_sampler_->Sample(*store_->device, roots, levels_, w.batch_key,
                                                  deliver_neighbors_, &shard));
  } else if (t_.sampler_) {
    const graph::Snapshot snapshot = store_->graph->GetSnapshot();
    for (size_t s = 0; s < w.shards.size(); ++s) {
      BatchShard& shard = w.shards[s];
      // With deliver_to neighbors and an identity embedding, only the positive roots'
      // neighbours are needed. Shard 0 draws with the batch's key (a one-shard batch draws
      // what an unsharded one would).
      const int64_t roots = attention_ ? static_cast<int64_t>(shard.roots.size()) : 2 * shard.n;
      const uint64_t key = s == 0 ? w.batch_key : core::StreamKey(w.batch_key, s);
      t_.sampler_->Sample(snapshot, Span<const NodeId>(shard.roots.data(), roots),
                          Span<const Timestamp>(shard.times.data(), roots), key, &shard.sample);
    }
  }
  if (append && !intra_batch) SG_RETURN_IF_ERROR(t_.Append(store_, w.ev, w.n));
  if (!t_.device_sampler_) {
    for (BatchShard& shard : w.shards) BuildShardInputs(store_->event_of_edge, levels_, &shard);
  }
  if (mitigate_) {
    // Nodes this batch's commit will change: its endpoints and, for APAN, their mail
    // recipients (the sampled neighbours of the positive roots).
    std::vector<int64_t> touched;
    for (const BatchShard& shard : w.shards) {
      touched.insert(touched.end(), shard.roots.begin(), shard.roots.begin() + 2 * shard.n);
      if (deliver_neighbors_) {
        const auto& layer = shard.sample.layers[0];
        touched.insert(touched.end(), layer.neighbors.begin(),
                       layer.neighbors.begin() + layer.offsets[2 * shard.n]);
      }
    }
    w.write_set = std::get<0>(at::_unique(torch::tensor(touched, torch::kInt64))).to(t_.device_);
    std::lock_guard<std::mutex> lock(write_sets_mu_);
    write_sets_[w.index] = w.write_set;
  }
  w.t.sample += Since(t0);
  return Status::Ok();
}

// The model inputs on the training device, and their node and edge feature rows.
Status PassRunner::Features(BatchWork& w) {
  const auto t0 = Clock::now();
  if (hook_) hook_("features", w.index);
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  for (BatchShard& shard : w.shards) SG_RETURN_IF_ERROR(t_.GatherInputs(&shard));
  SG_ASSIGN_OR_RETURN(w.batch_edge_feat,
                      t_.edge_features_.Gather(torch::from_blob(const_cast<int64_t*>(w.ev), {w.n}, i64)));
  w.t.features += Since(t0);
  return Status::Ok();
}

// Memory rows of every shard's nodes in one versioned read (all shards see one version);
// waits for the version the staleness bound requires.
Status PassRunner::ReadMemory(BatchWork& w) {
  const auto t0 = Clock::now();
  if (hook_) hook_("memory_read", w.index);
  if (t_.memory_) {
    std::vector<torch::Tensor> nodes;
    for (const BatchShard& shard : w.shards) nodes.push_back(shard.in.nodes);
    SG_ASSIGN_OR_RETURN(memory::VersionedRows vr,
                        t_.memory_->ReadAtLeast(Concat(nodes), base_version_ + w.index, bound_.load()));
    w.staleness = vr.staleness;
    // The stage's cost is the read, not the wait for the writer: auto staleness needs the
    // former (a wait at staleness 0 would count the write twice).
    w.read_wait_s = vr.wait_s;
    if (mitigate_) {  // one shard (ShardsPerBatch)
      // The commits this read lacks are those of batches version..index-1.
      std::vector<torch::Tensor> missing;
      {
        std::lock_guard<std::mutex> lock(write_sets_mu_);
        for (auto it = write_sets_.begin(); it != write_sets_.end();) {
          if (it->first < vr.version - base_version_) {
            it = write_sets_.erase(it);  // committed and seen: no later read can miss it
          } else {
            if (it->first < w.index) missing.push_back(it->second);
            ++it;
          }
        }
      }
      if (!missing.empty()) {
        const trainers::PipelineConfig& pc = config_.pipeline;
        const torch::Tensor stale = at::isin(w.shards[0].in.nodes, torch::cat(missing));
        vr.rows.memory = MitigateStaleMemory(vr.rows.memory, vr.rows.last_update, stale,
                                             pc.mitigation_lambda, pc.mitigation_neighbors, &w.mitigated);
      }
    }
    int64_t start = 0;
    for (BatchShard& shard : w.shards) {
      shard.rows = NarrowRows(vr.rows, start, shard.in.nodes.size(0));
      start += shard.in.nodes.size(0);
    }
  }
  w.t.memory_read += Since(t0) - w.read_wait_s;
  return Status::Ok();
}

// Forward, loss and the gradient of one shard. Its loss is its part of the batch's loss:
// mean BCE over the batch's positives plus mean BCE over its negatives.
void PassRunner::ComputeShard(const BatchWork& w, int64_t s, BatchShard& shard) {
  std::optional<torch::NoGradGuard> no_grad;
  if (!training_) no_grad.emplace();
  // A shard on its own thread draws dropout masks from its own generator; a one-shard batch
  // draws from LibTorch's default generator, seeded per epoch.
  std::optional<models::DropoutGeneratorScope> dropout_rng;
  if (w.shards.size() > 1) {
    const uint64_t pass = core::StreamKey(static_cast<uint64_t>(config_.train.seed), kDropoutStream,
                                          pass_stream_);
    dropout_rng.emplace(at::detail::createCPUGenerator(
        core::StreamKey(pass, static_cast<uint64_t>(w.index), static_cast<uint64_t>(s))));
  }
  const auto t0 = Clock::now();
  models::TemporalModel& model = t_.model_;
  const int64_t n = shard.n;
  models::ForwardOutput out = model->forward(shard.in, t_.memory_ ? &shard.rows : nullptr);
  const torch::Tensor src = model->ProjectSources(out.embeddings.narrow(0, 0, n));
  shard.pos = model->ScoreProjected(src, out.embeddings.narrow(0, n, n));
  shard.negs = model->ScoreProjected(src, out.embeddings.narrow(0, 2 * n, n));
  const double share = static_cast<double>(n) / static_cast<double>(w.n);
  torch::Tensor loss =
      torch::binary_cross_entropy_with_logits(shard.pos, torch::ones_like(shard.pos)) * share +
      torch::binary_cross_entropy_with_logits(shard.negs, torch::zeros_like(shard.negs)) * share;
  if (mrr_negatives_ > 0) {
    shard.mrr_scores = model->ScoreProjected(src.repeat_interleave(mrr_negatives_, 0),
                                             out.embeddings.narrow(0, 3 * n, n * mrr_negatives_));
  }
  if (t_.memory_) {
    shard.write_memory = out.new_memory.detach();
    shard.write_last_update = out.new_last_update;
  }
  if (t_.pres_) {  // one shard (ShardsPerBatch)
    const trainers::PresConfig& pc = config_.pres;
    const torch::Tensor updated = shard.rows.mail_valid.any(1).nonzero().squeeze(1);
    const torch::Tensor prev = shard.rows.memory.index_select(0, updated);
    const torch::Tensor computed = out.new_memory.index_select(0, updated);
    if (training_ && pc.coherence_weight > 0) {
      torch::Tensor coherence = models::CoherenceLoss(computed, prev);
      if (pc.detach_coherence) coherence = coherence.detach();
      loss = loss + pc.coherence_weight * coherence;
    }
    const torch::Tensor nodes = shard.in.nodes.index_select(0, updated);
    const torch::Tensor corrected = t_.pres_->Correct(
        nodes, prev, computed.detach(), shard.rows.mail_events.index_select(0, updated), pc.gamma);
    t_.pres_->Observe(nodes, prev, computed);
    shard.write_memory = shard.write_memory.index_copy(0, updated, corrected);
  }
  shard.loss = loss.item<double>();
  const auto t1 = Clock::now();
  shard.forward_s = std::chrono::duration<double>(t1 - t0).count();
  if (training_) {
    shard.grads = torch::autograd::grad({loss}, model->parameters(), /*grad_outputs=*/{},
                                        /*retain_graph=*/false, /*create_graph=*/false,
                                        /*allow_unused=*/true);
  }
  shard.backward_s = Since(t1);
}

// The shards' forward and backward passes (shard 0 on the calling thread, the others on TBB
// workers), then one optimiser step on the sum of their gradients, added in shard order.
Status PassRunner::Compute(BatchWork& w) {
  const auto t0 = Clock::now();
  if (hook_) hook_("compute", w.index);
  const int64_t shards = static_cast<int64_t>(w.shards.size());
  std::vector<std::exception_ptr> errors(static_cast<size_t>(shards));
  const auto run = [&](int64_t s) {
    try {
      ComputeShard(w, s, w.shards[s]);
    } catch (...) {  // LibTorch reports shape errors and the like by throwing
      errors[s] = std::current_exception();
    }
  };
  if (shards == 1) {
    run(0);
  } else {
    tbb::task_group group;
    for (int64_t s = 1; s < shards; ++s) group.run([&run, s] { run(s); });
    run(0);
    group.wait();
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  // Stage times: forward is the slowest shard's forward; backward the rest of the parallel
  // section, then the optimiser step (one shard: forward, then backward and step, as timed).
  w.loss = 0;
  double forward = 0;
  for (const BatchShard& shard : w.shards) {
    w.loss += shard.loss;
    forward = std::max(forward, shard.forward_s);
  }
  w.t.forward += forward;
  w.t.backward += Since(t0) - forward;
  const auto t1 = Clock::now();
  if (training_) {
    std::vector<torch::Tensor> params = t_.model_->parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      // Cleared to "none" when no shard used the parameter (the memory updater while no node
      // has mail): it then gets no Adam step, whatever earlier batches did, so a resumed run
      // takes the uninterrupted run's steps.
      torch::Tensor sum;
      for (BatchShard& shard : w.shards) {
        torch::Tensor& g = shard.grads[i];
        if (g.defined()) sum = sum.defined() ? sum.add_(g) : g;
      }
      params[i].mutable_grad() = sum;
    }
    for (BatchShard& shard : w.shards) shard.grads.clear();
    t_.optimizer_->step();
  }
  if (!std::isfinite(w.loss)) {
    return Status::Internal(fmt::format("epoch {} batch {}: the loss is {} (lower train.lr?)",
                                        epoch_, w.index, w.loss));
  }
  std::vector<torch::Tensor> pos, negs, mrr;
  for (const BatchShard& shard : w.shards) {
    pos.push_back(shard.pos.detach());
    negs.push_back(shard.negs.detach());
    if (mrr_negatives_ > 0) mrr.push_back(shard.mrr_scores);
  }
  w.pos = Concat(pos);
  w.negs = Concat(negs);
  if (mrr_negatives_ > 0) w.mrr_scores = Concat(mrr);
  w.t.backward += Since(t1);
  return Status::Ok();
}

// The batch's endpoints' memories and their mails, as one version. A node in several shards
// was updated from the same rows in each; the last shard's row is written.
Status PassRunner::WriteMemory(BatchWork& w) {
  const auto t0 = Clock::now();
  if (hook_) hook_("memory_write", w.index);
  if (t_.memory_) {
    torch::NoGradGuard guard;
    const torch::Device device = t_.device_;
    const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
    std::vector<torch::Tensor> nodes, memories, times, mail_nodes, mails, mail_times;
    for (BatchShard& shard : w.shards) {
      const int64_t n = shard.n;
      const torch::Tensor idx_src = shard.in.level_index[0].narrow(0, 0, n);
      const torch::Tensor idx_dst = shard.in.level_index[0].narrow(0, n, n);
      const torch::Tensor positives = std::get<0>(at::_unique(torch::cat({idx_src, idx_dst})));
      nodes.push_back(shard.in.nodes.index_select(0, positives));
      memories.push_back(shard.write_memory.index_select(0, positives));
      times.push_back(shard.write_last_update.index_select(0, positives));
      const torch::Tensor shard_mails = t_.model_->MakeMails(
          shard.write_memory.index_select(0, idx_src), shard.write_memory.index_select(0, idx_dst),
          w.batch_edge_feat.narrow(0, shard.first, n));
      // Mails go src_0, dst_0, src_1, dst_1, ... (MakeMails), from the inputs already on the
      // device: the roots [sources, destinations, ...] and their times.
      const torch::Tensor endpoints =
          shard.in.nodes.index_select(0, shard.in.level_index[0].narrow(0, 0, 2 * n)).view({2, n});
      torch::Tensor shard_mail_nodes = endpoints.t().reshape({-1});
      torch::Tensor shard_mail_times = shard.in.root_times.narrow(0, 0, n).repeat_interleave(2);
      torch::Tensor shard_mail_rows = shard_mails;
      if (deliver_neighbors_) {
        // Each endpoint's mail also goes to its sampled neighbours (APAN), in event order.
        const auto& layer = shard.sample.layers[0];
        std::vector<int64_t> nodes_v, mail_index;
        for (int64_t i = 0; i < n; ++i) {
          for (int64_t side = 0; side < 2; ++side) {
            const int64_t root = side * n + i;
            nodes_v.push_back(shard.roots[root]);
            mail_index.push_back(2 * i + side);
            for (int64_t j = layer.offsets[root]; j < layer.offsets[root + 1]; ++j) {
              nodes_v.push_back(layer.neighbors[j]);
              mail_index.push_back(2 * i + side);
            }
          }
        }
        const torch::Tensor mi = torch::tensor(mail_index, i64).to(device);
        shard_mail_nodes = torch::tensor(nodes_v, i64).to(device);
        shard_mail_rows = shard_mails.index_select(0, mi);
        shard_mail_times = shard_mail_times.index_select(0, mi);
      }
      mail_nodes.push_back(shard_mail_nodes);
      mails.push_back(shard_mail_rows);
      mail_times.push_back(shard_mail_times);
    }
    torch::Tensor write_nodes = Concat(nodes), write_memory = Concat(memories),
                  write_times = Concat(times);
    if (w.shards.size() > 1) {  // the last occurrence of every node
      auto [unique, inverse] = at::_unique(write_nodes, /*sorted=*/true, /*return_inverse=*/true);
      const torch::Tensor last = torch::full({unique.size(0)}, -1, unique.options()).scatter_reduce(
          0, inverse, torch::arange(write_nodes.size(0), unique.options()), "amax");
      write_nodes = unique;
      write_memory = write_memory.index_select(0, last);
      write_times = write_times.index_select(0, last);
    }
    t_.memory_->Commit(write_nodes, write_memory, write_times, Concat(mail_nodes),
                       Concat(mails), Concat(mail_times));
  }
  w.t.memory_write += Since(t0);
  return Status::Ok();
}

// Totals, metrics, progress and the auto-staleness profile, after the write.
void PassRunner::Finish(BatchWork& w) {
  result_.stages += w.t;
  result_.loss_sum += w.loss;
  result_.mitigated += w.mitigated;
  for (const BatchShard& shard : w.shards) {
    BatchShapes& b = result_.shapes;
    b.roots += static_cast<double>(shard.roots.size());
    b.unique_nodes += static_cast<double>(shard.in.nodes.size(0));
    if (shard.rows.mail_valid.defined()) {
      b.memory_updates += shard.rows.mail_valid.any(1).sum().item<double>();
    }
    for (const torch::Tensor& dt : shard.in.dt) b.slots += static_cast<double>(dt.size(0));
  }
  ++result_.batches;
  done_events_ += w.n;
  if (profile_ && w.index < config_.pipeline.profile_batches) ProfileForAutoStaleness(w);
  if (training_) return;
  const std::vector<float> p = ToVector(w.pos), q = ToVector(w.negs);
  all_acc_.AddBatch(p, q);
  std::vector<float> mrr_all;
  if (mrr_negatives_ > 0) {
    mrr_all = ToVector(w.mrr_scores);
    all_acc_.AddRanks(p, mrr_all, mrr_negatives_, tgb_ ? &w.mrr_counts : nullptr,
                      tgb_ ? config_.eval.hits_k : 0);
    if (t_.collect_scores_) KeepScores(w, p, mrr_all);
  }
  std::vector<float> ip, iq, imrr;
  for (int64_t i = 0; i < w.n; ++i) {
    if (!t_.split_.inductive[w.ev[i]]) continue;
    ip.push_back(p[i]);
    iq.push_back(q[i]);
    if (mrr_negatives_ > 0) {
      imrr.insert(imrr.end(), mrr_all.begin() + i * mrr_negatives_,
                  mrr_all.begin() + (i + 1) * mrr_negatives_);
    }
  }
  ind_acc_.AddBatch(ip, iq);
  if (mrr_negatives_ > 0) ind_acc_.AddRanks(ip, imrr, mrr_negatives_);
}

void PassRunner::ProfileForAutoStaleness(const BatchWork& w) {
  const trainers::PipelineConfig& pc = config_.pipeline;
  profiled_.sample += w.t.sample;
  profiled_.features += w.t.features;
  profiled_.memory_read += w.t.memory_read;
  profiled_.forward += w.t.forward + w.t.backward;
  profiled_.memory_write += w.t.memory_write;
  if (w.index + 1 != std::min(pc.profile_batches, num_batches_)) return;
  const double b = static_cast<double>(w.index + 1);
  StageCosts costs;
  costs.sample = profiled_.sample / b;
  costs.features = profiled_.features / b;
  costs.memory_read = profiled_.memory_read / b;
  costs.compute = profiled_.forward / b;
  costs.memory_write = profiled_.memory_write / b;
  t_.auto_staleness_ = ChooseStaleness(costs, pc.max_staleness);
  bound_ = t_.auto_staleness_;
  core::Logger()->info(
      "pipeline: staleness auto chose {} from {} profiled batches (per batch: sample {:.2f} ms, "
      "features {:.2f} ms, memory read {:.2f} ms, compute {:.2f} ms, memory write {:.2f} ms)",
      t_.auto_staleness_, w.index + 1, 1e3 * costs.sample, 1e3 * costs.features,
      1e3 * costs.memory_read, 1e3 * costs.compute, 1e3 * costs.memory_write);
}

std::function<Status(BatchWork&)> PassRunner::On(const StageStream& stream,
                                                 std::function<Status(BatchWork&)> stage) const {
  return [&stream, stage = std::move(stage)](BatchWork& w) {
    return stream.Run(&w.handover, [&w] { return PreparedTensors(w); }, [&] { return stage(w); });
  };
}

StatusOr<PassResult> PassRunner::Run() {
  if (t_.memory_) t_.memory_->ResetStalenessStats();
  const int64_t total = static_cast<int64_t>(events_.size());
  const auto t_pass = Clock::now();
  if (!pipelined_) {
    // Sequential semantics, with the next batches' sampling and features prepared on another
    // thread while this one computes (they read nothing the later stages write).
    std::vector<PipelineStage<BatchWork>> stages = {
        {"prepare", On(sample_stream_,
                       [this](BatchWork& w) -> Status {
                         SG_RETURN_IF_ERROR(Sample(w));
                         return Features(w);
                       })},
        {"compute", On(default_stream_, [this](BatchWork& w) -> Status {
           SG_RETURN_IF_ERROR(ReadMemory(w));
           SG_RETURN_IF_ERROR(Compute(w));
           SG_RETURN_IF_ERROR(WriteMemory(w));
           Finish(w);
           if (progress_ != nullptr) {
             progress_->Set(done_events_, fmt::format("loss {:.4f}", result_.loss_sum / result_.batches));
           }
           return Status::Ok();
         })},
    };
    SG_RETURN_IF_ERROR(RunPipeline<BatchWork>(
        num_batches_, [this](int64_t index) { return Make(index); }, stages, /*caller_stage=*/1,
        kPrefetchBatches, [this] { if (t_.memory_) t_.memory_->Abort(); }));
  } else {
    // The calling thread computes (the model, the optimiser and the torch generator stay on
    // one thread, as in a sequential pass); the other stages run on their own threads.
    const auto stage = [this](const StageStream& stream, Status (PassRunner::*f)(BatchWork&)) {
      return On(stream, [this, f](BatchWork& w) { return (this->*f)(w); });
    };
    std::vector<PipelineStage<BatchWork>> stages = {
        {"sample", stage(sample_stream_, &PassRunner::Sample)},
        {"features", stage(features_stream_, &PassRunner::Features)},
        {"memory_read", stage(default_stream_, &PassRunner::ReadMemory)},
        {"compute", On(default_stream_,
                       [this, total](BatchWork& w) -> Status {
                         SG_RETURN_IF_ERROR(Compute(w));
                         if (progress_ != nullptr) {
                           progress_->Set(std::min(total, (w.index + 1) * batch_size_),
                                          fmt::format("loss {:.4f}", w.loss));
                         }
                         return Status::Ok();
                       })},
        {"memory_write", On(default_stream_,
                            [this](BatchWork& w) -> Status {
                              SG_RETURN_IF_ERROR(WriteMemory(w));
                              Finish(w);
                              return Status::Ok();
                            })},
    };
    SG_RETURN_IF_ERROR(RunPipeline<BatchWork>(
        num_batches_, [this](int64_t index) { return Make(index); }, stages, /*caller_stage=*/3,
        config_.pipeline.queue_depth, [this] { if (t_.memory_) t_.memory_->Abort(); }));
  }
  result_.wall_s = Since(t_pass);
  if (t_.memory_) {
    const memory::StalenessStats st = t_.memory_->staleness_stats();
    result_.staleness_max = st.max;
    result_.staleness_mean = st.mean();
  }
  result_.staleness_bound = pipelined_ ? bound_.load() : 0;
  if (result_.batches > 0) {
    const double b = static_cast<double>(result_.batches);
    result_.shapes = {result_.shapes.roots / b, result_.shapes.unique_nodes / b,
                      result_.shapes.memory_updates / b, result_.shapes.slots / b};
  }
  result_.all = all_acc_.Result(mrr_negatives_ > 0);
  result_.inductive = ind_acc_.Result(mrr_negatives_ > 0);
  return std::move(result_);
}

Status TemporalTrainerImpl::GatherInputs(BatchShard* shard) {
  MoveInputsTo(device_, &shard->in);
  SG_ASSIGN_OR_RETURN(shard->in.node_feat, node_features_.Gather(shard->in.nodes));
  for (const torch::Tensor& events : shard->edge_events) {
    SG_ASSIGN_OR_RETURN(torch::Tensor rows, edge_features_.Gather(events));
    shard->in.edge_feat.push_back(std::move(rows));
  }
  return Status::Ok();
}

StatusOr<PassResult> TemporalTrainerImpl::RunPass(PassMode mode, const std::vector<int64_t>& events,
                                                  EventStore* store, int64_t epoch,
                                                  core::ProgressBar* progress,
                                                  const TrainOptions* options) {
  PassRunner runner(*this, mode, events, store, epoch, progress, options);
  return runner.Run();
}

}  // namespace streamgnn::trainers
