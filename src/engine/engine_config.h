// EngineConfig: the book's settings the engine and its desks read (loaded by
// app/config): the inbox bound and the BookState's currency and idempotency
// TTL (the engine), limits, delays and the price confirmation (bet desk),
// the settlement policy (settle desk), the cash-out terms (cash-out desk),
// the hedging terms (hedge desk), the support terms (support desk),
// admission control (the HTTP edge and the bet desk: a request's deadline,
// the queue-delay gate).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "cashout/cashout_terms.h"
#include "core/clock.h"
#include "core/money.h"
#include "hedge/hedge_terms.h"
#include "risk/risk_check.h"
#include "settle/market_result.h"
#include "support/support_terms.h"

namespace inplay {

// Admission control (issue 18, item 2; `admission:` in the config file):
// refuse early and cheaply what cannot be answered in time.
struct AdmissionConfig {
  // A bet request's deadline, from when the HTTP thread read it: the
  // client's X-Request-Deadline-Ms, capped at max_deadline, or this
  // default. A bet the engine takes after its deadline is refused 503
  // DEADLINE_EXCEEDED. 0: no default deadline (a client's still counts).
  Nanos default_deadline{std::chrono::milliseconds(1000)};
  Nanos max_deadline{std::chrono::milliseconds(10000)};
  // The queue-delay gate (bet/queue_delay_gate.h, CoDel-style): when bets'
  // sojourn (HTTP read to the engine taking them) has stayed above target
  // for interval, new bets are refused 503 OVERLOADED at the edge until it
  // is back under target. target 0: off.
  Nanos queue_delay_target{std::chrono::milliseconds(5)};
  Nanos queue_delay_interval{std::chrono::milliseconds(100)};
};

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
  // Idempotency keys (one per bet) the key index is sized for at start.
  // Growing it past its size re-places every key at once on the engine
  // thread, a stall every bet in the queue waits out (issue 19, item 2; the
  // bets themselves sit in a table by id that never rehashes). Size it for a
  // day's bets (the keys' TTL); 8-16 bytes per key are allocated up front. 0 here
  // (tests and benches build many small engines); a configured book's
  // default is book.reserve_bets's, kDefaultReserveBets.
  size_t reserve_bets = 0;
  static constexpr size_t kDefaultReserveBets = size_t{1} << 20;
  SettlePolicy settlement;  // when results pay (settle desk)
  CashoutTerms cashout;     // margin, quote life, price age (cash-out desk)
  HedgeTerms hedging;       // when liability is laid off on a venue (hedge desk)
  SupportTerms support;     // tags, judged channels, spike windows (support desk)
  AdmissionConfig admission;
};

}  // namespace inplay
