// EngineConfig: the engine's business settings (loaded by app/config).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/clock.h"
#include "core/money.h"
#include "risk/risk_check.h"

namespace inplay {

struct EngineConfig {
  Currency currency = Currency::of("GBP");
  RiskLimits limits;
  // In-play bet delay per sport (e.g. football: 5 s); 0 pre-match always.
  std::map<std::string, Nanos> inplay_delay;
  // After the delay, how long a bet may wait for a price update newer than
  // its arrival before it is rejected PRICE_STALE (RISK-2). 0: no wait.
  Nanos price_confirm_timeout{std::chrono::seconds(2)};
  size_t queue_capacity = 65536;
  Nanos idempotency_ttl{std::chrono::hours(24)};
  int64_t max_deposit_minor = 100000000;  // per call
  // Simulated clock only (game days): the book time each bet's risk check
  // occupies the engine thread, as one server. Bets offered faster than
  // 1/sim_bet_cost per second queue behind each other, as on a real engine
  // thread; a game day's "engine CPU burn" fault raises it. 0: free.
  Nanos sim_bet_cost{0};
};

}  // namespace inplay
