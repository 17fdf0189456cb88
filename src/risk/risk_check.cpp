#include "risk/risk_check.h"

#include <fmt/format.h>

namespace inplay {

bool parse_price_change_policy(std::string_view s, PriceChangePolicy& out) {
  if (s == "none") out = PriceChangePolicy::kNone;
  else if (s == "better") out = PriceChangePolicy::kBetter;
  else if (s == "any") out = PriceChangePolicy::kAny;
  else return false;
  return true;
}

const char* price_change_policy_name(PriceChangePolicy p) {
  switch (p) {
    case PriceChangePolicy::kNone: return "none";
    case PriceChangePolicy::kBetter: return "better";
    case PriceChangePolicy::kAny: return "any";
  }
  return "none";
}

static Result<Odds> reject(ErrorCode c, std::string msg) { return Error{c, std::move(msg)}; }

Result<Odds> check_bet(const Book& book, const Exposure& exposure, const RiskLimits& limits,
                       const BetIntent& bet, TimePoint now) {
  const Selection* sel = book.selection(bet.selection_id);
  if (!sel) return reject(ErrorCode::kSelectionNotFound, "unknown selection");
  const Market& m = *book.market(sel->market_id);
  if (m.status == MarketStatus::kClosed || m.status == MarketStatus::kSettled)
    return reject(ErrorCode::kMarketClosed, fmt::format("market is {}", market_status_name(m.status)));
  if (m.status == MarketStatus::kSuspended)
    return reject(ErrorCode::kMarketSuspended,
                  m.status_reason.empty() ? "market is suspended"
                                          : fmt::format("market is suspended: {}", m.status_reason));
  if (sel->price.version == 0 || Book::is_stale(m, to_ns(now)))
    return reject(ErrorCode::kPriceStale, "price is older than the market's staleness limit");

  Odds current = sel->price.odds;
  switch (bet.policy) {
    case PriceChangePolicy::kNone:
      if (current != bet.odds_requested)
        return reject(ErrorCode::kPriceChanged, fmt::format("price is now {}", current.str()));
      break;
    case PriceChangePolicy::kBetter:
      if (current < bet.odds_requested)
        return reject(ErrorCode::kPriceChanged, fmt::format("price is now {}", current.str()));
      break;
    case PriceChangePolicy::kAny: break;
  }

  if (bet.stake_minor < limits.min_stake_minor)
    return reject(ErrorCode::kStakeBelowMin,
                  fmt::format("stake below the minimum of {}", limits.min_stake_minor));
  if (bet.stake_minor > limits.max_stake_minor)
    return reject(ErrorCode::kStakeAboveMax,
                  fmt::format("stake above the maximum of {}", limits.max_stake_minor));
  if (m.stake_cap_minor > 0 && bet.stake_minor > m.stake_cap_minor)
    return reject(ErrorCode::kStakeCapExceeded,
                  fmt::format("stake above the market's cap of {}", m.stake_cap_minor));
  if (exposure.account_market_stake(bet.account, m.id) + bet.stake_minor >
      limits.max_account_market_minor)
    return reject(ErrorCode::kUserMarketLimit, "account's stake limit on this market reached");
  if (exposure.market_liability_with(bet.selection_id, bet.stake_minor, current) >
      limits.max_market_liability_minor)
    return reject(ErrorCode::kLiabilityLimit, "market liability limit reached");
  return current;
}

}  // namespace inplay
