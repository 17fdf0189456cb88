// What the pricing tests share: odds written as decimals.
#pragma once
#include <cmath>
#include <cstdint>

#include "core/odds.h"

namespace inplay::pricing_test {

// Decimal odds (2.5) as the book holds them, rounded to the scale.
inline Odds o(double d) { return Odds{static_cast<int32_t>(std::llround(d * kOddsScale))}; }

}  // namespace inplay::pricing_test
