// CashoutPrice: what the book offers for an open bet (CO-1), a pure
// function of the bet, the book and the time — the one place a cash-out's
// value and its fail-closed checks are written.
//
// Value of `stake` (all or part of the bet's open stake) for a back bet:
//   fair   = stake × placed odds ÷ current odds of its selection
//   offer  = floor(fair × (1 − margin))       (minor units, rounded down)
// computed in integers (no double touches money); the margin is in basis
// points (500 = 5 %). The offer never exceeds what the stake would return
// if it won now (current odds ≥ 1.01).
//
// No offer (fail closed), each with its stable code, in this order:
//   the bet is not open                          CASHOUT_UNAVAILABLE
//   stake below 1                                VALIDATION_FAILED
//   stake above the open stake                   CASHOUT_UNAVAILABLE
//   market closed or settled                     MARKET_CLOSED
//   market suspended                             MARKET_SUSPENDED
//   cash-out frozen on the market (CO-4)         CASHOUT_FROZEN
//   the selection's price older than the limit   PRICE_STALE
//     (age on the provider's clock, as for bets: the market's staleness
//     limit, or the cash-out's own max_price_age when set and stricter)
#pragma once
#include <cstdint>

#include "bet/bet.h"
#include "cashout/cashout_terms.h"
#include "core/clock.h"
#include "core/error.h"
#include "market/book.h"

namespace inplay {

struct CashoutOffer {
  uint64_t bet_id = 0;
  int64_t stake = 0;    // of the open stake, offered for
  int64_t amount = 0;   // the offer (minor units)
  Odds odds;            // the selection's current price it was computed from
  uint64_t price_version = 0;
  int64_t price_ts_ns = 0;    // that price's provider time (clamped to its arrival)
  int64_t freshness_ns = 0;   // now − price_ts_ns: the quote freshness (CO-2)
  uint64_t market_id = 0;
  uint64_t offer_epoch = 0;   // the market's epoch when made
};

// floor(stake × placed ÷ current × (10000 − margin_bp) ÷ 10000).
int64_t cashout_value_minor(int64_t stake_minor, Odds placed, Odds current, int32_t margin_bp);

// The offer for `stake` of the bet (0: its whole open stake) at now_ns.
Result<CashoutOffer> price_cashout(const Book& book, const Bet& bet, int64_t stake,
                                   const CashoutTerms& terms, int64_t now_ns);

}  // namespace inplay
