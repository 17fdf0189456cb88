// Betfair prices: exact conversion of the exchange's JSON number text to Odds,
// and the exchange's CLASSIC price ladder (350 ticks from 1.01 to 1000).
//
// Conversion rule (parse_price):
//   1. The raw JSON number text (never a double) goes through Odds::parse:
//      "2" -> 2.0, "1.83" -> 1.83, "5.0" -> 5.0. Every price in the recordings
//      under shared/data/betfair-stream has at most 2 decimals, so this is the
//      path taken for all of them (the replay tests assert zero snaps).
//   2. Only if the text carries more than 4 decimals (a float artefact such as
//      "1.8300000000000001" or "1.8299999999999998" from a producer that went
//      through binary floating point) is it rounded: first exactly to 4
//      decimals (half up, on the digits), then to the NEAREST tick of the
//      CLASSIC ladder (ties go to the lower tick). The result is flagged as
//      snapped so a caller can count it.
//   Signs, exponents, non-numbers and values outside [1.01, 1000] are errors.
// Prices with <= 4 decimals that are off the ladder are kept as sent (they
// are exact; FINEST/LINE ladders are not CLASSIC).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/odds.h"

namespace inplay::betfair {

inline constexpr int kLadderTicks = 350;  // 1.01 .. 1000 on the CLASSIC ladder

enum class PriceParse : uint8_t { Exact, Snapped, Error };

// Parses a JSON number token (surrounding whitespace allowed) into Odds.
PriceParse parse_price(std::string_view raw, Odds& out);

// Index of a price on the CLASSIC ladder (0 = 1.01, 349 = 1000), or -1 if
// the price is not a ladder tick.
int tick_index(Odds price);
// The ladder tick with the given index; index is clamped to [0, 349].
Odds tick_at(int index);
// The nearest ladder tick to any price in [1.01, 1000] (ties -> lower tick).
Odds nearest_tick(Odds price);
// Number of ladder ticks from a to b (b - a, signed). Off-ladder prices are
// first moved to their nearest tick.
int ticks_between(Odds a, Odds b);

}  // namespace inplay::betfair
