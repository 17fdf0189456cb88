// Settlement events (issue 14): results, payouts, cancels, their rollbacks
// and the settlement dead-letter queue, as journaled. The journal holds
// facts, not formulas: a bet's paid return is written in BetPostings, so a
// replay pays exactly what was paid even after the rule code changed (a
// rule patch re-pays through a resettlement, journaled like any result).
//
// A market's results are versioned: version n is the n-th result the book
// settled the market on (MarketSettled). Results, rollbacks and cancels
// (the headers) change what each bet should be; BetPostings chunks then
// move the money, bet by bet, so a crash mid-market leaves each bet paid
// once or not yet, never twice; a rollback reverses exactly what version n
// paid. Plain data here; settle/settlement_book.h applies them.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace inplay {

// How one selection settles (the UOF outcome model): won or lost, the
// halves of the stake made void (0, 1 or 2: void_factor 0, 0.5, 1) and the
// dead-heat factor (scaled like odds: 10000 = 1, none).
struct SettledOutcome {
  uint64_t selection_id = 0;
  bool won = false;
  uint8_t void_halves = 0;
  int32_t dead_heat = 10000;
  bool operator==(const SettledOutcome&) const = default;
};

// A market's result: version `version` (1, 2, ...) of its settlement.
struct MarketSettled {
  uint64_t market_id = 0;
  uint32_t version = 0;
  uint8_t certainty = 0;  // settle/market_result.h Certainty
  std::vector<SettledOutcome> outcomes;  // every selection of the market
  bool has_score = false;                // the score it was settled on, when known
  int32_t score_home = 0, score_away = 0;
  std::string source;  // "feed:football-primary", "operator:trader"
  std::string reason;  // "result", "correction", "resettle: <why>"
  int64_t provider_ts_ms = 0;
  int64_t at_ns = 0;
  bool operator==(const MarketSettled&) const = default;
};

// Money moved for bets of one market, at most kMaxBetsPerRecord a record:
// the only settlement record that moves money. Each posting is one bet's
// step from what it is to what the market's result and cancels say it
// should be (settle/settlement_book.h):
//   pay       open -> settled under `version`; amount = its gross return
//   reverse   settled under `version` -> open; amount = the return reversed
//   refund    open -> cancelled by `cancel_id`; amount = its stake
//   unrefund  cancelled by `cancel_id` -> open; amount = its stake
enum class PostingKind : uint8_t { kPay = 1, kReverse = 2, kRefund = 3, kUnrefund = 4 };
const char* posting_kind_name(PostingKind k);  // "pay", "reverse", "refund", "unrefund"

struct BetPostings {
  static constexpr uint32_t kMaxBetsPerRecord = 8192;
  uint64_t market_id = 0;
  uint8_t kind = 0;          // PostingKind
  uint32_t version = 0;      // pay, reverse
  uint32_t cancel_id = 0;    // refund, unrefund
  int64_t at_ns = 0;
  std::vector<std::pair<uint64_t, int64_t>> bets;  // bet id, amount
  bool operator==(const BetPostings&) const = default;
};

// Version `version` of a market's result is withdrawn: every bet it paid is
// reversed and open again; the market waits for its next result.
struct SettlementRolledBack {
  uint64_t market_id = 0;
  uint32_t version = 0;
  std::string source, reason;
  int64_t provider_ts_ms = 0;
  int64_t at_ns = 0;
  bool operator==(const SettlementRolledBack&) const = default;
};

// The bets of a market placed in [from_ns, to_ns) are void (stake back),
// paid or not; e.g. bets placed after a goal the feed missed.
struct BetsCancelled {
  uint64_t market_id = 0;
  uint32_t cancel_id = 0;  // 1, 2, ... per market
  int64_t from_ns = 0;
  int64_t to_ns = INT64_MAX;
  std::string superseded_by;  // optional: what replaces the market
  std::string source, reason;
  int64_t provider_ts_ms = 0;
  int64_t at_ns = 0;
  bool operator==(const BetsCancelled&) const = default;
};

// A cancel is withdrawn: its bets are open again (and paid under the
// market's result, if it has one).
struct CancelRolledBack {
  uint64_t market_id = 0;
  uint32_t cancel_id = 0;
  std::string source;
  int64_t provider_ts_ms = 0;
  int64_t at_ns = 0;
  bool operator==(const CancelRolledBack&) const = default;
};

// A result the book could not settle (unknown market, failed validation,
// the shadow check disagreeing, a conflicting result): kept, listable,
// replayable after a fix. `message` is the feed line as received.
struct SettlementDeadLettered {
  uint64_t dlq_id = 0;
  uint64_t event_id = 0;
  uint64_t market_id = 0;  // 0: the whole message
  std::string reason;      // settle/market_result.h DeadLetterReason name
  std::string detail;
  std::string message;
  std::string source;
  int64_t provider_ts_ms = 0;
  int64_t at_ns = 0;
  bool operator==(const SettlementDeadLettered&) const = default;
};

enum class DeadLetterResolution : uint8_t { kReplayed = 1, kDiscarded = 2 };

struct DeadLetterResolved {
  uint64_t dlq_id = 0;
  uint8_t resolution = 0;  // DeadLetterResolution
  std::string actor, detail;
  int64_t at_ns = 0;
  bool operator==(const DeadLetterResolved&) const = default;
};

}  // namespace inplay
