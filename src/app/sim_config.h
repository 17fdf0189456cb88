// SimConfig: what a book's config says about a simulated world, as plain
// data — the crowd's settings, and the customers who write in to support
// (the world itself is Config::sim_world,
// sim_seed, sim_refresh_ms). The simulated world (src/sim) reads it; app
// never includes sim/, so the data lives here.
#pragma once
#include <array>
#include <cstdint>

namespace inplay {

// The simulated crowd (sim/bettors.h).
struct BettorsConfig {
  double bets_per_s = 3;   // base rate over the whole book
  double wave_factor = 5;  // rate multiplier during a wave
  int64_t wave_ms = 60000;
  // Weights of match result, total goals, both teams to score.
  std::array<double, 3> market_mix{0.60, 0.25, 0.15};
  int64_t stake_median_minor = 1000;  // log-normal stakes around it (sigma 1)
  int accounts = 50;
  int64_t deposit_minor = 10'000'000;
  uint64_t seed = 7;
  // Cash-outs asked per second over the whole book (CO-1): a bettor quotes
  // one of the crowd's open bets at random and takes the offer at any price.
  double cashouts_per_s = 0;
  // Deposits and withdrawals asked per minute over the whole crowd, through
  // the book's PSP routes (payment/payment_desk.h); 0: none.
  double payments_per_min = 0;
};

// The simulated customers who contact support (sim/support_crowd.h):
// contacts opened per minute over the whole book (0: none), answered by
// simulated agents; their first replies feed the support_first_reply SLO.
struct SupportCrowdConfig {
  double contacts_per_min = 0;
};

}  // namespace inplay
