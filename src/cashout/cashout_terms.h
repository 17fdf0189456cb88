// CashoutTerms: the book's cash-out settings (book.cashout in the config,
// docs/configuration.md): the margin taken from the fair value, how long an
// offer stands, and an optional price-age limit stricter than the market's.
#pragma once
#include <cstdint>

#include "core/clock.h"

namespace inplay {

struct CashoutTerms {
  int32_t margin_bp = 500;                   // the book's cut of the fair value (basis points)
  Nanos quote_ttl{std::chrono::seconds(2)};  // an offer expires this long after it was made
  Nanos max_price_age{0};                    // 0: the market's staleness limit
};

}  // namespace inplay
