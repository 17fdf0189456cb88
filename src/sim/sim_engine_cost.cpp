#include "sim/sim_engine_cost.h"

#include <algorithm>

namespace inplay {

int64_t SimEngineCost::turn_at(int64_t now_ns) {
  if (cost_ns_ <= 0) return now_ns;
  const int64_t start = std::max(now_ns, busy_until_ns_);
  busy_until_ns_ = start + cost_ns_;
  return busy_until_ns_;  // decided when the check is done
}

}  // namespace inplay
