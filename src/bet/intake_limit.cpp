#include "bet/intake_limit.h"

namespace inplay {

bool IntakeLimit::admit(uint64_t market_id, int64_t per_second, int64_t now_ns) {
  if (per_second <= 0) return true;
  auto& [second, count] = seen_[market_id];
  const int64_t s = now_ns / 1'000'000'000;
  if (s != second) {
    second = s;
    count = 0;
  }
  if (count >= per_second) return false;
  ++count;
  return true;
}

}  // namespace inplay
