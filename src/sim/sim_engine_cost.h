// SimEngineCost: a busy engine thread, modelled on the simulated clock for
// game days (bet/risk_turn.h). Each bet's risk check occupies the one
// engine for `cost` of book time; a bet that arrives while it is busy waits
// its turn, so bets offered faster than 1/cost per second queue up as they
// would on a real engine thread. The "engine CPU burn" fault raises the
// cost; 0 is a free engine (every bet at once). Engine thread only.
#pragma once
#include <cstdint>

#include "bet/risk_turn.h"
#include "core/clock.h"

namespace inplay {

class SimEngineCost final : public RiskTurn {
 public:
  void set_cost(Nanos cost) { cost_ns_ = cost.count(); }
  int64_t turn_at(int64_t now_ns) override;

 private:
  int64_t cost_ns_ = 0;
  int64_t busy_until_ns_ = 0;
};

}  // namespace inplay
