#include "core/clock.h"

namespace inplay {

TimePoint RealClock::now() const {
  return std::chrono::time_point_cast<Nanos>(std::chrono::system_clock::now());
}

void SimClock::set(TimePoint t) {
  int64_t want = to_ns(t), cur = ns_.load(std::memory_order_relaxed);
  while (want > cur && !ns_.compare_exchange_weak(cur, want, std::memory_order_acq_rel)) {
  }
}

int64_t monotonic_ns() {
  return std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace inplay
