#include "memory/node_memory.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <unordered_map>
#include <vector>

namespace streamgnn::memory {

StatusOr<NodeMemory> NodeMemory::Create(const NodeMemoryOptions& options) {
  const auto positive = [](const char* name, int64_t v) -> Status {
    if (v >= 1) return Status::Ok();
    return Status::InvalidArgument(fmt::format("NodeMemory: {} must be >= 1, got {}", name, v));
  };
  SG_RETURN_IF_ERROR(positive("num_nodes", options.num_nodes));
  SG_RETURN_IF_ERROR(positive("dim_memory", options.dim_memory));
  SG_RETURN_IF_ERROR(positive("dim_mail", options.dim_mail));
  SG_RETURN_IF_ERROR(positive("mailbox_size", options.mailbox_size));
  return NodeMemory(options);
}

NodeMemory::NodeMemory(const NodeMemoryOptions& options) : options_(options) {
  const int64_t n = options.num_nodes, m = options.mailbox_size;
  const auto on = torch::TensorOptions().device(options.device);
  memory_ = torch::zeros({n, options.dim_memory}, on.dtype(torch::kFloat32));
  last_update_ = torch::zeros({n}, on.dtype(torch::kFloat64));
  mailbox_ = torch::zeros({n, m, options.dim_mail}, on.dtype(torch::kFloat32));
  mail_ts_ = torch::zeros({n, m}, on.dtype(torch::kFloat64));
  mail_count_ = torch::zeros({n}, on.dtype(torch::kInt64));
  next_slot_ = torch::zeros({n}, on.dtype(torch::kInt64));
  mail_events_ = torch::zeros({n}, on.dtype(torch::kInt64));
}

void NodeMemory::Reset() {
  {
    std::lock_guard<std::mutex> lock(sync_->mu);
    sync_->version.store(0, std::memory_order_release);
    sync_->aborted = false;
  }
  memory_.zero_();
  last_update_.zero_();
  mailbox_.zero_();
  mail_ts_.zero_();
  mail_count_.zero_();
  next_slot_.zero_();
  mail_events_.zero_();
}

MemoryRows NodeMemory::Read(const torch::Tensor& nodes) const {
  TORCH_CHECK(nodes.dtype() == torch::kInt64 && nodes.dim() == 1, "NodeMemory::Read: int64 [n]");
  MemoryRows rows;
  rows.memory = memory_.index_select(0, nodes);
  rows.last_update = last_update_.index_select(0, nodes);
  rows.mail = mailbox_.index_select(0, nodes);
  rows.mail_ts = mail_ts_.index_select(0, nodes);
  const torch::Tensor slots = torch::arange(options_.mailbox_size, mail_count_.options());
  rows.mail_valid = slots.unsqueeze(0) < mail_count_.index_select(0, nodes).unsqueeze(1);
  rows.mail_events = mail_events_.index_select(0, nodes);
  return rows;
}

void NodeMemory::Write(const torch::Tensor& nodes, const torch::Tensor& values,
                       const torch::Tensor& times) {
  TORCH_CHECK(nodes.dtype() == torch::kInt64 && nodes.dim() == 1, "NodeMemory::Write: int64 [n]");
  TORCH_CHECK(values.dim() == 2 && values.size(0) == nodes.size(0) &&
                  values.size(1) == options_.dim_memory,
              "NodeMemory::Write: values must be [n, dim_memory]");
  TORCH_CHECK(times.dtype() == torch::kFloat64 && times.numel() == nodes.numel(),
              "NodeMemory::Write: times must be float64 [n]");
  torch::NoGradGuard no_grad;
  memory_.index_copy_(0, nodes, values.detach().to(torch::kFloat32));
  last_update_.index_copy_(0, nodes, times);
}

void NodeMemory::Deliver(const torch::Tensor& nodes, const torch::Tensor& mails,
                         const torch::Tensor& times) {
  TORCH_CHECK(nodes.dtype() == torch::kInt64 && nodes.dim() == 1, "NodeMemory::Deliver: int64 [n]");
  TORCH_CHECK(mails.dim() == 2 && mails.size(0) == nodes.size(0) &&
                  mails.size(1) == options_.dim_mail,
              "NodeMemory::Deliver: mails must be [n, dim_mail]");
  TORCH_CHECK(times.dtype() == torch::kFloat64 && times.numel() == nodes.numel(),
              "NodeMemory::Deliver: times must be float64 [n]");
  if (!mailbox_.is_cpu()) return DeliverComposed(nodes, mails, times);
  torch::NoGradGuard no_grad;
  const int64_t n = nodes.size(0);
  if (n == 0) return;
  const torch::Tensor node_c = nodes.contiguous();
  const torch::Tensor mail_c = mails.detach().to(torch::kFloat32).contiguous();
  const torch::Tensor time_c = times.contiguous();
  const int64_t* node = node_c.data_ptr<int64_t>();
  const double* time = time_c.data_ptr<double>();
  const float* mail = mail_c.data_ptr<float>();
  const int64_t d = options_.dim_mail, m = options_.mailbox_size;

  // Group by node in order of first appearance (deterministic).
  std::unordered_map<int64_t, int64_t> group_of;
  group_of.reserve(static_cast<size_t>(n) * 2);
  std::vector<int64_t> group_node, group_last, group_count;
  std::vector<float> group_sum;
  const bool mean = options_.combine == memory::MailCombine::kMean;
  for (int64_t i = 0; i < n; ++i) {
    TORCH_CHECK(node[i] >= 0 && node[i] < options_.num_nodes, "NodeMemory::Deliver: node id ",
                node[i], " out of range");
    auto [it, inserted] = group_of.try_emplace(node[i], static_cast<int64_t>(group_node.size()));
    const int64_t g = it->second;
    if (inserted) {
      group_node.push_back(node[i]);
      group_last.push_back(i);
      group_count.push_back(0);
      if (mean) group_sum.resize(group_sum.size() + d, 0.0f);
    }
    group_last[g] = i;
    ++group_count[g];
    if (mean) {
      float* sum = group_sum.data() + g * d;
      for (int64_t k = 0; k < d; ++k) sum[k] += mail[i * d + k];
    }
  }
  float* box = mailbox_.data_ptr<float>();
  double* box_ts = mail_ts_.data_ptr<double>();
  int64_t* count = mail_count_.data_ptr<int64_t>();
  int64_t* next = next_slot_.data_ptr<int64_t>();
  int64_t* events = mail_events_.data_ptr<int64_t>();
  for (size_t g = 0; g < group_node.size(); ++g) {
    const int64_t v = group_node[g];
    const int64_t slot = next[v];
    float* dst = box + (v * m + slot) * d;
    if (mean) {
      const float inv = 1.0f / static_cast<float>(group_count[g]);
      const float* sum = group_sum.data() + g * d;
      for (int64_t k = 0; k < d; ++k) dst[k] = sum[k] * inv;
    } else {
      const float* src = mail + group_last[g] * d;
      std::copy(src, src + d, dst);
    }
    box_ts[v * m + slot] = time[group_last[g]];
    next[v] = (slot + 1) % m;
    events[v] = group_count[g];
    count[v] = std::min(count[v] + 1, m);
  }
}

void NodeMemory::DeliverComposed(const torch::Tensor& nodes, const torch::Tensor& mails,
                                 const torch::Tensor& times) {
  torch::NoGradGuard no_grad;
  if (nodes.size(0) == 0) return;
  const int64_t m = options_.mailbox_size;
  const auto [group_node, group] = at::_unique(nodes, /*sorted=*/true, /*return_inverse=*/true);
  const int64_t groups = group_node.size(0);
  const torch::Tensor ones = torch::ones_like(group);
  const torch::Tensor count = torch::zeros({groups}, group.options()).index_add(0, group, ones);
  const torch::Tensor last = torch::full({groups}, -1, group.options())
                                 .scatter_reduce(0, group, torch::arange(group.size(0), group.options()), "amax");
  const torch::Tensor mail_f = mails.detach().to(torch::kFloat32);
  const torch::Tensor mail =
      options_.combine == memory::MailCombine::kMean
          ? torch::zeros({groups, options_.dim_mail}, mail_f.options()).index_add(0, group, mail_f) /
                count.unsqueeze(1).to(torch::kFloat32)
          : mail_f.index_select(0, last);
  const torch::Tensor slot = next_slot_.index_select(0, group_node);
  mailbox_.index_put_({group_node, slot}, mail);
  mail_ts_.index_put_({group_node, slot}, times.index_select(0, last));
  next_slot_.index_copy_(0, group_node, (slot + 1).remainder(m));
  mail_events_.index_copy_(0, group_node, count);
  mail_count_.index_copy_(0, group_node, (mail_count_.index_select(0, group_node) + 1).clamp_max(m));
}

void NodeMemory::Commit(const torch::Tensor& nodes, const torch::Tensor& values,
                        const torch::Tensor& times, const torch::Tensor& mail_nodes,
                        const torch::Tensor& mails, const torch::Tensor& mail_times) {
  {
    std::unique_lock<std::shared_mutex> data(sync_->data);
    Write(nodes, values, times);
    Deliver(mail_nodes, mails, mail_times);
    // Bumped under the data lock: a reader holding the shared lock sees data and version agree.
    sync_->version.fetch_add(1, std::memory_order_acq_rel);
  }
  { std::lock_guard<std::mutex> lock(sync_->mu); }  // no reader between its check and its wait
  sync_->cv.notify_all();
}

StatusOr<VersionedRows> NodeMemory::ReadAtLeast(const torch::Tensor& nodes, int64_t target,
                                                int64_t bound) const {
  TORCH_CHECK(bound >= 0, "NodeMemory::ReadAtLeast: bound must be >= 0");
  const int64_t need = target - bound;
  const auto wait_start = std::chrono::steady_clock::now();
  double waited = 0;
  {
    std::unique_lock<std::mutex> lock(sync_->mu);
    sync_->cv.wait(lock, [&] {
      return sync_->aborted || sync_->version.load(std::memory_order_acquire) >= need;
    });
    if (sync_->aborted) {
      return Status::FailedPrecondition("node memory: read aborted (the pipeline stopped)");
    }
    waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start).count();
  }
  VersionedRows out;
  out.wait_s = waited;
  {
    std::shared_lock<std::shared_mutex> data(sync_->data);
    out.version = sync_->version.load(std::memory_order_acquire);
    out.rows = Read(nodes);
  }
  SG_CHECK(out.version >= need, "versions only grow");
  out.staleness = std::max<int64_t>(0, target - out.version);
  std::lock_guard<std::mutex> lock(sync_->mu);
  StalenessStats& st = sync_->stats;
  ++st.reads;
  st.stale_reads += out.staleness > 0;
  st.max = std::max(st.max, out.staleness);
  st.sum += out.staleness;
  if (static_cast<int64_t>(st.histogram.size()) <= out.staleness) {
    st.histogram.resize(static_cast<size_t>(out.staleness) + 1, 0);
  }
  ++st.histogram[static_cast<size_t>(out.staleness)];
  return out;
}

void NodeMemory::Abort() {
  {
    std::lock_guard<std::mutex> lock(sync_->mu);
    sync_->aborted = true;
  }
  sync_->cv.notify_all();
}

StalenessStats NodeMemory::staleness_stats() const {
  std::lock_guard<std::mutex> lock(sync_->mu);
  return sync_->stats;
}

void NodeMemory::ResetStalenessStats() {
  std::lock_guard<std::mutex> lock(sync_->mu);
  sync_->stats = StalenessStats();
}

NodeMemory NodeMemory::Clone() const {
  NodeMemory copy(options_);
  copy.sync_->version.store(version());
  copy.memory_ = memory_.clone();
  copy.last_update_ = last_update_.clone();
  copy.mailbox_ = mailbox_.clone();
  copy.mail_ts_ = mail_ts_.clone();
  copy.mail_count_ = mail_count_.clone();
  copy.next_slot_ = next_slot_.clone();
  copy.mail_events_ = mail_events_.clone();
  return copy;
}

void NodeMemory::Save(torch::serialize::OutputArchive& archive) const {
  archive.write("memory", memory_.cpu());
  archive.write("last_update", last_update_.cpu());
  archive.write("mailbox", mailbox_.cpu());
  archive.write("mail_ts", mail_ts_.cpu());
  archive.write("mail_count", mail_count_.cpu());
  archive.write("next_slot", next_slot_.cpu());
  archive.write("mail_events", mail_events_.cpu());
  archive.write("version", torch::tensor(version()));
}

Status NodeMemory::Load(torch::serialize::InputArchive& archive) {
  std::vector<std::pair<const char*, torch::Tensor*>> fields = {
      {"memory", &memory_},         {"last_update", &last_update_}, {"mailbox", &mailbox_},
      {"mail_ts", &mail_ts_},       {"mail_count", &mail_count_},   {"next_slot", &next_slot_}};
  try {
    for (auto& [name, tensor] : fields) {
      torch::Tensor t;
      archive.read(name, t);
      if (!t.sizes().equals(tensor->sizes()) || t.dtype() != tensor->dtype()) {
        return Status::InvalidArgument(
            fmt::format("node memory '{}': shape [{}] in the checkpoint, [{}] expected", name,
                        fmt::join(t.sizes(), ", "), fmt::join(tensor->sizes(), ", ")));
      }
      tensor->copy_(t);
    }
    torch::Tensor v, e;
    // Checkpoints written before versions and PRES lack these two.
    if (archive.try_read("mail_events", e) && e.sizes().equals(mail_events_.sizes())) {
      mail_events_.copy_(e);
    } else {
      mail_events_.copy_((mail_count_ > 0).to(torch::kInt64));
    }
    if (archive.try_read("version", v)) sync_->version.store(v.item<int64_t>());
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("node memory: {}", e.what()));
  }
  return Status::Ok();
}

}  // namespace streamgnn::memory
