// Bet: an accepted bet as the book keeps it. Rejected requests are not
// bets; they live only as idempotent outcomes and journal records.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "core/odds.h"
#include "risk/risk_check.h"

namespace inplay {

// accepted: open, its stake reserved; settled: paid under its market's
// result (settled_version, return_minor); cancelled: void, stake refunded
// (cancel_id); cashed_out: its whole stake cashed out (CO-1), closed for
// good — settlement never pays it and a rollback leaves it alone.
// Settlement may move a bet back to accepted (a rollback). A partial
// cash-out leaves the bet accepted on the stake still riding.
enum class BetStatus : uint8_t { kAccepted, kSettled, kCancelled, kCashedOut };
const char* bet_status_name(BetStatus s);  // "accepted", "settled", "cancelled", "cashed_out"

// 136 bytes: the 4-byte fields sit together (the book holds a million of these).
struct Bet {
  uint64_t id = 0;
  uint64_t selection_id = 0;
  uint64_t market_id = 0;
  uint64_t event_id = 0;
  int64_t stake_minor = 0;  // the stake still riding (placed less cashed out)
  Odds odds;            // accepted at
  Odds odds_requested;
  uint32_t account = 0;  // ledger index of the cash account
  PriceChangePolicy policy = PriceChangePolicy::kNone;
  BetStatus status = BetStatus::kAccepted;
  int64_t placed_ns = 0;    // arrival at the gateway
  int64_t accepted_ns = 0;  // final risk decision
  std::array<uint8_t, 16> trace_id{};  // the bet's trace (W3C trace id)
  uint32_t settled_version = 0;  // settled: the market's result version
  uint32_t cancel_id = 0;        // cancelled: the market's cancel
  int64_t return_minor = 0;      // settled: gross return paid
  int64_t settled_ns = 0;        // settled or cancelled: when
  // What was cashed out is kept apart (BetTable::cashout): few bets ever
  // cash out, and 24 bytes on every bet cost 24 MB a million open bets.
};
static_assert(sizeof(Bet) <= 112, "a field that breaks the packing costs a million times over");

// A bet's cash-outs so far (BetTable::cashout).
struct BetCashout {
  int64_t stake_minor = 0;   // stake cashed out so far (placed = Bet::stake_minor + this)
  int64_t return_minor = 0;  // paid for it
  int64_t at_ns = 0;         // the last cash-out
};

}  // namespace inplay
