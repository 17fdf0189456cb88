// AnswerOnce: a command's `done` shared by the desk that answers it and the
// engine's failure handler (Engine::submit's Failure), so that a command
// whose handling threw is still answered — and no command is answered
// twice. Engine thread only (no locking).
#pragma once
#include <memory>
#include <utility>

#include "wallet/outcome.h"

namespace inplay {

class AnswerOnce {
 public:
  // Takes the command's done and puts in its place one that answers
  // through this object.
  static std::shared_ptr<AnswerOnce> wrap(OutcomeFn& done) {
    auto once = std::make_shared<AnswerOnce>(std::move(done));
    done = [once](const Outcome& o) { once->answer(o); };
    return once;
  }
  explicit AnswerOnce(OutcomeFn fn) : fn_(std::move(fn)) {}
  // The first call answers; later calls do nothing.
  void answer(const Outcome& o) {
    if (!fn_) return;
    OutcomeFn fn = std::move(fn_);
    fn_ = nullptr;
    fn(o);
  }

 private:
  OutcomeFn fn_;
};

}  // namespace inplay
