// BetLoad: `inplay loadgen --mode bets` — prepares a running book for a bet
// load (funds N load accounts, finds the open pre-match selections and their
// prices) and makes each request of the load: a POST /v1/bets with a fresh
// Idempotency-Key, rotating accounts and selections, price_change "any".
// `market_id` (non-zero) keeps the load on that one market's selections (a
// large settlement to test: tests/integration/test_settlement_kill9.py).
// `describe` hands the prepared plan to another generator (wrk) instead.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/loadgen.h"

namespace inplay {

struct BetLoadPlan {
  std::vector<std::pair<uint64_t, std::string>> selections;  // id, odds
  std::vector<std::string> accounts;
  std::string run_id;
  std::string token;
  int64_t stake = 100;
  LoadRequest make(uint64_t n) const;
  // Two lines another load generator can take as arguments (bench/wrk_bets.lua):
  //   selections 1011:2.10,1012:3.40,...
  //   accounts load- 200       (the prefix and count: load-0 .. load-199)
  std::string describe() const;
};

// Throws std::runtime_error with a clear reason (server down, bad token, no
// open pre-match market).
BetLoadPlan prepare_bet_load(const std::string& host, uint16_t port, const std::string& token,
                             int accounts, int64_t deposit_minor, uint64_t market_id = 0);

}  // namespace inplay
