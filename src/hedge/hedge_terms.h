// HedgeTerms: when the book lays off liability on an exchange (CO-4,
// `hedging:` in the config, docs/configuration.md). A market whose worst
// case, counting the hedges already asked for, passes `threshold_minor` gets
// one hedge instruction that backs its worst selection on the venue for
// enough stake to bring that case down to `target_minor`. One hedge per
// market is open at a time; a refused hedge holds the market back for
// `backoff` before it is asked again.
#pragma once
#include <cstdint>
#include <string>

#include "core/clock.h"

namespace inplay {

struct HedgeTerms {
  bool enabled = false;
  std::string venue = "exchange";          // the venue's name (journaled with each order)
  int64_t threshold_minor = 5000000;       // hedge when a market's worst case passes this
  int64_t target_minor = 4000000;          // ... down to this (<= threshold)
  int64_t min_stake_minor = 200;           // smaller hedges are not worth an order
  int64_t max_stake_minor = 100000000;     // one order's ceiling
  Nanos timeout{std::chrono::seconds(1)};  // one call to the venue
  Nanos retry{std::chrono::seconds(2)};    // an order not answered is sent again (same id) after this
  Nanos backoff{std::chrono::seconds(10)}; // after a refusal, before the market is hedged again
  Nanos check_every{std::chrono::milliseconds(250)};  // how often markets with new bets are looked at
};

}  // namespace inplay
