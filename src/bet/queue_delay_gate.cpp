#include "bet/queue_delay_gate.h"

namespace inplay {

void QueueDelayGate::leave() {
  above_since_ = -1;
  dropping_.store(false, std::memory_order_relaxed);
}

void QueueDelayGate::observe(int64_t sojourn_ns, int64_t now_ns) {
  last_taken_ = now_ns;
  if (target_ <= 0) return;
  if (sojourn_ns < target_) {
    leave();
    return;
  }
  if (above_since_ < 0) above_since_ = now_ns;
  if (!dropping() && now_ns - above_since_ >= interval_) {
    ++entered_;
    dropping_.store(true, std::memory_order_relaxed);
  }
}

void QueueDelayGate::tick(int64_t now_ns) {
  if (target_ <= 0 || above_since_ < 0) return;
  // No bet for a whole interval: the queue is empty, its delay is zero.
  if (now_ns - last_taken_ >= interval_) leave();
}

}  // namespace inplay
