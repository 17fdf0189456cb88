// IntakeLimit: a market's bets admitted per second of book time (BET-5 shed
// load, MarketControl::kIntakePerSecond): the first `per_second` bets of each
// second pass, the rest are refused at once (MARKET_BUSY, not journaled).
// Engine thread only.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <utility>

namespace inplay {

class IntakeLimit {
 public:
  // per_second <= 0: no limit.
  bool admit(uint64_t market_id, int64_t per_second, int64_t now_ns);

 private:
  std::unordered_map<uint64_t, std::pair<int64_t, int64_t>> seen_;  // market -> (second, admitted)
};

}  // namespace inplay
