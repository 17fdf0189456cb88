// RiskCheck: the fail-closed decision whether a bet may be accepted at the
// book's current price (RISK-1, RISK-2, ARCHITECTURE rule 7).
//
// Checks, in order, each with a stable reject code: market closed/settled
// (MARKET_CLOSED), suspended (MARKET_SUSPENDED), price stale beyond the
// market's limit (PRICE_STALE), price moved against the bettor under the
// request's policy (PRICE_CHANGED), stake under the per-bet minimum
// (STAKE_BELOW_MIN), stake over the per-bet maximum
// (STAKE_ABOVE_MAX), over the market's run-time stake cap
// (STAKE_CAP_EXCEEDED), the account's total on the market over its limit
// (USER_MARKET_LIMIT), the market's liability over its limit
// (LIABILITY_LIMIT). Pure function of its inputs; engine thread.
#pragma once
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "market/book.h"
#include "risk/exposure.h"

namespace inplay {

// What the bettor accepts if the price moved since they saw it.
enum class PriceChangePolicy : uint8_t {
  kNone,    // only the exact odds requested
  kBetter,  // the requested odds or better (higher) ones
  kAny,     // whatever the current price is
};
bool parse_price_change_policy(std::string_view s, PriceChangePolicy& out);
const char* price_change_policy_name(PriceChangePolicy p);

struct RiskLimits {
  int64_t min_stake_minor = 10;
  int64_t max_stake_minor = 1000000;            // per bet
  int64_t max_account_market_minor = 5000000;   // per account per market
  int64_t max_market_liability_minor = 100000000;
};

struct BetIntent {
  uint32_t account = 0;
  uint64_t selection_id = 0;
  int64_t stake_minor = 0;
  Odds odds_requested;
  PriceChangePolicy policy = PriceChangePolicy::kNone;
};

// On success, the odds the bet is accepted at.
Result<Odds> check_bet(const Book& book, const Exposure& exposure, const RiskLimits& limits,
                       const BetIntent& bet, TimePoint now);

}  // namespace inplay
