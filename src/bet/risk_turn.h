// RiskTurn: when a bet's risk check gets the engine. A real book has none —
// the check runs when the bet arrives, on a real engine thread whose cost is
// real. A game day on the simulated clock plugs in a model of a busy engine
// (sim/sim_engine_cost.h: each check occupies it for a while), so a surge
// queues the way it would for real. Engine thread only.
#pragma once
#include <cstdint>

namespace inplay {

class RiskTurn {
 public:
  virtual ~RiskTurn() = default;
  // The book time (ns) a bet arriving at now_ns is risk-checked; now_ns or
  // earlier: at once.
  virtual int64_t turn_at(int64_t now_ns) = 0;
};

}  // namespace inplay
