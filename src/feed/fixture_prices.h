// FixturePrices: the price source of a book configured without feeds (tests,
// benchmarks, a book priced by hand). It opens every selection at its
// fixture price and, on every refresh, re-confirms each price as a feed
// would — moving a share of them (`jitter`) one ladder step up or down,
// deterministically from a seed. It talks to the book only through
// MarketDesk::apply_price, the same call a feed uses, so the bet path does
// not care where prices come from.
// Engine thread only (it runs from Engine timers).
#pragma once
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "core/odds.h"
#include "engine/engine.h"
#include "market/market_desk.h"

namespace inplay {

class FixturePrices {
 public:
  FixturePrices(MarketDesk& markets, std::vector<std::pair<uint64_t, Odds>> opening, double jitter,
                uint64_t seed);
  // Applies the opening price to every selection that has none yet (a
  // replayed journal keeps the prices it had).
  void open();
  // One refresh: every selection re-confirmed, some moved a ladder step.
  void tick();
  // Registers tick() every period on the engine's clock (0: never).
  void schedule(Nanos period);

 private:
  TimerPtr timer_;  // price refresh
  Engine& engine_;
  MarketDesk& markets_;
  std::vector<std::pair<uint64_t, Odds>> opening_;
  double jitter_;
  std::mt19937_64 rng_;
};

}  // namespace inplay
