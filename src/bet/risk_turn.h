// RiskTurn: the engine a bet's risk check waits for. A real book has none —
// the check runs when the bet arrives, on a real engine thread whose cost is
// real. A game day on the simulated clock plugs in a model of a busy engine
// (sim/sim_engine_cost.h). The placement desk serves it as one server, first
// come first served: each check starts when the one before it is done and
// occupies the engine for the cost in force when it STARTS, so a change (the
// CPU burn fault ending, bets shed, a fix) reaches the bets still queued at
// once, as on a real engine thread. Engine thread only.
#pragma once
#include <cstdint>

namespace inplay {

class RiskTurn {
 public:
  virtual ~RiskTurn() = default;
  // Book time (ns) a risk check started at now_ns occupies the engine; 0 or
  // less: free (decided at once).
  virtual int64_t cost_ns(int64_t now_ns) const = 0;
};

}  // namespace inplay
