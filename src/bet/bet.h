// Bet: an accepted bet as the book keeps it. Rejected requests are not
// bets; they live only as idempotent outcomes and journal records.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "core/odds.h"
#include "risk/risk_check.h"

namespace inplay {

enum class BetStatus : uint8_t { kAccepted, kWon, kLost, kVoid };
const char* bet_status_name(BetStatus s);

struct Bet {
  uint64_t id = 0;
  uint32_t account = 0;  // ledger index of the cash account
  uint64_t selection_id = 0;
  uint64_t market_id = 0;
  uint64_t event_id = 0;
  int64_t stake_minor = 0;
  Odds odds;            // accepted at
  Odds odds_requested;
  PriceChangePolicy policy = PriceChangePolicy::kNone;
  BetStatus status = BetStatus::kAccepted;
  int64_t placed_ns = 0;    // arrival at the gateway
  int64_t accepted_ns = 0;  // final risk decision
  std::array<uint8_t, 16> trace_id{};  // the bet's trace (W3C trace id)
};

}  // namespace inplay
