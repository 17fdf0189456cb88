// SimEngineCost: a busy engine thread, modelled on the simulated clock for
// game days (bet/risk_turn.h). Each bet's risk check occupies the one engine
// for `cost` of book time, charged when the check starts (the placement desk
// queues bets first come first served), so bets offered faster than 1/cost
// per second queue up as they would on a real engine thread, and a cost
// changed mid-queue applies to every check not yet started. The "engine
// CPU burn" fault raises the cost; 0 is a free engine (every bet at once).
// Engine thread only.
#pragma once
#include <cstdint>

#include "bet/risk_turn.h"
#include "core/clock.h"

namespace inplay {

class SimEngineCost final : public RiskTurn {
 public:
  void set_cost(Nanos cost) { cost_ns_ = cost.count(); }
  int64_t cost_ns(int64_t) const override { return cost_ns_; }

 private:
  int64_t cost_ns_ = 0;
};

}  // namespace inplay
