// Odds: decimal odds as an integer at a fixed scale (2.50 is 25000), and the
// one payout rounding rule of the book.
//
// The payout rule (written once, tested in tests/unit/core/odds_test.cpp):
//   returns = floor(stake_minor * odds_scaled / kOddsScale)
// i.e. the gross return (stake included) is rounded DOWN to the minor unit;
// the fraction of a penny stays with the house. Potential profit (the
// house's liability for a winning back bet) is returns - stake.
// A settled bet (settled_return_minor) follows the same rule on its whole
// return: floor(stake × (v + (1 − v) × won × odds × dead_heat)), v the share
// of the stake made void (0, ½ or 1: an Asian quarter line's pushed half).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace inplay {

inline constexpr int32_t kOddsScale = 10000;     // 4 decimal places
inline constexpr int32_t kMinOdds = 10100;       // 1.01
inline constexpr int32_t kMaxOdds = 10000000;    // 1000.00

struct Odds {
  int32_t scaled = 0;

  // Parses "2.5", "2.50", "2.5000" exactly (no floating point). At most 4
  // decimals; rejects signs, exponents, empty parts and values outside
  // [1.01, 1000]. Returns false on any error.
  static bool parse(std::string_view text, Odds& out);
  std::string str() const;  // "2.5", "1.01", "3"
  auto operator<=>(const Odds&) const = default;
};

// Gross return of a winning back bet, rounded down to the minor unit.
int64_t payout_minor(int64_t stake_minor, Odds odds);
// The gross return of a settled back bet: void_halves (0, 1 or 2) halves of
// the stake are refunded; the rest wins at the odds times the dead-heat
// factor (scaled like odds: 10000 = 1) when won, else is lost. Rounded down
// once, on the whole return.
int64_t settled_return_minor(int64_t stake_minor, Odds odds, bool won, int void_halves, int32_t dead_heat_scaled);
// Winnings beyond the stake: what the house stands to lose.
inline int64_t profit_minor(int64_t stake_minor, Odds odds) {
  return payout_minor(stake_minor, odds) - stake_minor;
}

}  // namespace inplay
