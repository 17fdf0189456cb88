#include "cashout/cashout_price.h"

#include <fmt/format.h>

namespace inplay {

int64_t cashout_value_minor(int64_t stake_minor, Odds placed, Odds current, int32_t margin_bp) {
  if (stake_minor <= 0 || current.scaled <= 0) return 0;
  const __int128 num = static_cast<__int128>(stake_minor) * placed.scaled * (10000 - margin_bp);
  const __int128 den = static_cast<__int128>(current.scaled) * 10000;
  return static_cast<int64_t>(num / den);  // truncation == floor: both positive
}

Result<CashoutOffer> price_cashout(const Book& book, const Bet& bet, int64_t stake,
                                   const CashoutTerms& terms, int64_t now_ns) {
  if (bet.status != BetStatus::kAccepted)
    return Error{ErrorCode::kCashoutUnavailable, fmt::format("the bet is {}", bet_status_name(bet.status))};
  if (stake == 0) stake = bet.stake_minor;
  if (stake < 1) return Error{ErrorCode::kValidationFailed, "stake: must be a positive integer (minor units)"};
  if (stake > bet.stake_minor)
    return Error{ErrorCode::kCashoutUnavailable, fmt::format("only {} of the bet's stake is still riding", bet.stake_minor)};
  const Market* m = book.market(bet.market_id);
  const Selection* sel = book.selection(bet.selection_id);
  if (!m || !sel) return Error{ErrorCode::kCashoutUnavailable, "the bet's market is gone"};
  if (m->status == MarketStatus::kClosed || m->status == MarketStatus::kSettled)
    return Error{ErrorCode::kMarketClosed, "the market is closed"};
  if (m->status == MarketStatus::kSuspended) return Error{ErrorCode::kMarketSuspended, "the market is suspended"};
  if (m->cashout_frozen) return Error{ErrorCode::kCashoutFrozen, "cash-out is frozen on this market"};
  Nanos limit = m->staleness_limit;
  if (terms.max_price_age.count() > 0 && terms.max_price_age < limit) limit = terms.max_price_age;
  // The selection's own price time, clamped to its arrival as the book does.
  const Price& p = sel->price;
  const int64_t price_ts = price_time_ns(p);
  if (p.version == 0 || now_ns - price_ts > limit.count())
    return Error{ErrorCode::kPriceStale, "the selection's price is older than the cash-out limit"};
  CashoutOffer o;
  o.bet_id = bet.id;
  o.stake = stake;
  o.odds = sel->price.odds;
  o.amount = cashout_value_minor(stake, bet.odds, o.odds, terms.margin_bp);
  o.price_version = sel->price.version;
  o.price_ts_ns = price_ts;
  o.freshness_ns = std::max<int64_t>(0, now_ns - price_ts);
  o.market_id = m->id;
  o.offer_epoch = m->offer_epoch;
  return o;
}

}  // namespace inplay
