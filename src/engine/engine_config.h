// EngineConfig: the book's settings the engine and its desks read (loaded by
// app/config): the inbox bound and the BookState's currency and idempotency
// TTL (the engine), limits, delays and the price confirmation (bet desk),
// the settlement policy (settle desk), the cash-out terms (cash-out desk).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "cashout/cashout_terms.h"
#include "core/clock.h"
#include "core/money.h"
#include "risk/risk_check.h"
#include "settle/market_result.h"

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
  // The journal's backlog (appended, not yet durable) past which the inbox
  // takes no more work: a disk that fails or stalls holds its batch in
  // memory, and this bounds it (journal.max_backlog_mb).
  uint64_t max_undurable_bytes = uint64_t{256} << 20;
  Nanos idempotency_ttl{std::chrono::hours(24)};
  SettlePolicy settlement;  // when results pay (settle desk)
  CashoutTerms cashout;     // margin, quote life, price age (cash-out desk)
};

}  // namespace inplay
