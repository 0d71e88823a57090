// Checkpoints of the temporal trainer (temporal_trainer.h): one torch archive with the model,
// the optimiser, the node memory after the epoch's training pass, the PRES state, the RNG
// state, the early-stopping state, the metrics history and the config; written to a temporary
// file and renamed.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <mutex>
#include <sstream>

#include "trainers/checkpoint_file.h"
#include "trainers/temporal_trainer_impl.h"

namespace streamgnn::trainers {

namespace fs = std::filesystem;

namespace {
constexpr int64_t kCheckpointVersion = 1;

void SetGeneratorState(at::Generator generator, const torch::Tensor& state) {  // shares the state
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}
}  // namespace

void TemporalTrainerImpl::WriteState(torch::serialize::OutputArchive& archive,
                                     const memory::NodeMemory* mem,
                                     const models::PresFilter* pres) const {
  archive.write("version", torch::tensor(kCheckpointVersion));
  archive.write("config", c10::IValue(core::ConfigAsYaml(config_)));
  archive.write("torch_rng", at::detail::getDefaultCPUGenerator().get_state());
  if (!device_.is_cpu()) {  // dropout on a GPU draws from the device's generator
    archive.write("torch_rng_device", at::globalContext().defaultGenerator(device_).get_state());
  }
  torch::serialize::OutputArchive model_archive, optimizer_archive, memory_archive;
  model_->save(model_archive);
  optimizer_->save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  if (mem != nullptr) {
    mem->Save(memory_archive);
    archive.write("memory", memory_archive);
  }
  if (pres != nullptr) {
    torch::serialize::OutputArchive pres_archive;
    pres->Save(pres_archive);
    archive.write("pres", pres_archive);
  }
  archive.write("pipeline_staleness", torch::tensor(auto_staleness_));
}

Status TemporalTrainerImpl::ReadState(torch::serialize::InputArchive& archive, bool with_optimizer,
                                      const std::string& path) {
  torch::serialize::InputArchive model_archive, optimizer_archive, memory_archive;
  archive.read("model", model_archive);
  model_->load(model_archive);
  if (with_optimizer) {
    archive.read("optimizer", optimizer_archive);
    optimizer_->load(optimizer_archive);
    torch::Tensor rng;
    archive.read("torch_rng", rng);
    SetGeneratorState(at::detail::getDefaultCPUGenerator(), rng);
    if (!device_.is_cpu() && archive.try_read("torch_rng_device", rng)) {
      SetGeneratorState(at::globalContext().defaultGenerator(device_), rng);
    }
  }
  if (memory_) {
    archive.read("memory", memory_archive);
    SG_RETURN_IF_ERROR(memory_->Load(memory_archive).WithPrefix(path));
  }
  if (pres_) {
    torch::serialize::InputArchive pres_archive;
    if (!archive.try_read("pres", pres_archive)) {
      return Status::InvalidArgument(fmt::format(
          "{}: the checkpoint has no PRES state (written with pres.enabled false)", path));
    }
    SG_RETURN_IF_ERROR(pres_->Load(pres_archive).WithPrefix(path));
  }
  torch::Tensor chosen;
  if (archive.try_read("pipeline_staleness", chosen)) auto_staleness_ = chosen.item<int64_t>();
  return Status::Ok();
}

Status TemporalTrainerImpl::WriteCheckpoint(const std::string& path, int64_t epoch,
                                const memory::NodeMemory* mem, const models::PresFilter* pres,
                                const std::vector<EpochRecord>& history, int64_t best_epoch,
                                int64_t bad_epochs) {
  torch::serialize::OutputArchive archive;
  try {
    WriteState(archive, mem, pres);
    archive.write("epoch", torch::tensor(epoch));
    archive.write("best_epoch", torch::tensor(best_epoch));
    archive.write("bad_epochs", torch::tensor(bad_epochs));
    std::string lines;
    for (const EpochRecord& r : history) lines += r.ToJson(with_mrr()) + "\n";
    archive.write("history", c10::IValue(lines));
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("{}: cannot write checkpoint: {}", path, e.what()));
  }
  return SaveCheckpointFile(archive, path);
}

Status TemporalTrainerImpl::ReadCheckpoint(const std::string& path, bool with_optimizer, int64_t* epoch,
                               std::string* history, int64_t* best_epoch, int64_t* bad_epochs) {
  try {
    torch::serialize::InputArchive archive;
    SG_RETURN_IF_ERROR(LoadCheckpointFile(path, device_, &archive));  // any device's tensors land on ours
    const auto scalar = [&](const char* key) {
      torch::Tensor t;
      archive.read(key, t);
      return t.item<int64_t>();
    };
    *epoch = scalar("epoch");
    *best_epoch = scalar("best_epoch");
    *bad_epochs = scalar("bad_epochs");
    c10::IValue lines;
    archive.read("history", lines);
    *history = lines.toStringRef();
    SG_RETURN_IF_ERROR(ReadState(archive, with_optimizer, path));
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("{}: cannot read checkpoint: {}", path, e.what()));
  }
  return Status::Ok();
}

double JsonNumberAt(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>()
                                               : std::numeric_limits<double>::quiet_NaN();
}

std::vector<EpochRecord> ParseHistory(const std::string& lines) {
  std::vector<EpochRecord> records;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    // A line that does not parse gives a record of NaNs (the checkpoint wrote every line).
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const auto field = [&](const char* key) { return JsonNumberAt(j, key); };
    EpochRecord r;
    r.epoch = static_cast<int64_t>(records.size()) + 1;
    r.train_loss = field("train_loss");
    r.val.ap = field("val_ap");
    r.val.auc = field("val_auc");
    r.val_inductive.ap = field("val_inductive_ap");
    r.val_inductive.auc = field("val_inductive_auc");
    r.test.ap = field("test_ap");
    r.test.auc = field("test_auc");
    r.test_inductive.ap = field("test_inductive_ap");
    r.test_inductive.auc = field("test_inductive_auc");
    r.val.mrr = field("val_mrr");
    r.test.mrr = field("test_mrr");
    r.val.hits = field("val_hits");
    r.test.hits = field("test_hits");
    const double best = field("best_epoch");
    r.best_epoch = std::isfinite(best) ? static_cast<int64_t>(best) : 0;
    records.push_back(r);
  }
  return records;
}

}  // namespace streamgnn::trainers
