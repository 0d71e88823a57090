// Model selection and early stopping on a validation score, shared by the temporal trainer
// (validation AP) and the static trainer (validation accuracy, ties to the lower validation
// loss): which evaluation is the best so far, and whether `patience` evaluations in a row have
// not improved on it. LibTorch-free.
#pragma once

#include <cstdint>

namespace streamgnn::trainers {

class EarlyStopping {
 public:
  // patience 0: never stop. An evaluation improves when its score exceeds the best by more than
  // min_delta, or equals it (within min_delta) with a lower tiebreak.
  explicit EarlyStopping(int64_t patience, double min_delta = 0) : patience_(patience), min_delta_(min_delta) {}

  // Records evaluation `step` (an epoch number); returns whether it is the new best.
  bool Update(int64_t step, double score, double tiebreak = 0) {
    const bool first = best_step_ == 0;
    const bool better = first || score > best_score_ + min_delta_ ||
                        (score >= best_score_ - min_delta_ && tiebreak < best_tiebreak_);
    if (better) {
      best_step_ = step;
      best_score_ = score;
      best_tiebreak_ = tiebreak;
      since_best_ = 0;
    } else {
      ++since_best_;
    }
    return better;
  }
  // A resumed run's state: the best step and score so far, and the evaluations since.
  void Restore(int64_t best_step, double best_score, int64_t since_best) {
    best_step_ = best_step;
    best_score_ = best_score;
    since_best_ = since_best;
  }

  bool stop() const { return patience_ > 0 && best_step_ > 0 && since_best_ >= patience_; }
  int64_t best_step() const { return best_step_; }  // 0 before the first evaluation
  int64_t since_best() const { return since_best_; }

 private:
  int64_t patience_;
  double min_delta_;
  int64_t best_step_ = 0;
  double best_score_ = 0, best_tiebreak_ = 0;
  int64_t since_best_ = 0;
};

}  // namespace streamgnn::trainers
