// Margin (overround): turning fair probabilities into the book's prices, and
// reading the fair probabilities back out of a set of published prices.
// Pure functions; thread-safe. Probabilities are doubles (pricing maths);
// prices leave here only as integer Odds on the price ladder.
//
// Definitions (a market with n mutually exclusive selections):
//   implied probability  pi_i = 1 / o_i          (o_i decimal odds)
//   overround            m = sum(pi_i) - 1       (the book's margin; 0.05 = 5%)
//   fair probabilities   p_i >= 0, sum(p_i) = 1
//
// The methods (how the margin is spread over the selections):
//
//   kProportional  pi_i = (1 + m) * p_i.
//                  Strip: p_i = pi_i / sum(pi). Every selection carries the
//                  same relative margin, favourite and longshot alike.
//
//   kPower         pi_i = p_i ^ k, with k solved (bisection) so that
//                  sum(p_i ^ k) = 1 + m (k < 1 for m > 0).
//                  Strip: p_i = pi_i ^ e, e solved so sum(pi_i ^ e) = 1.
//                  Longshots get a larger relative margin than favourites
//                  (the favourite-longshot bias of real books).
//
//   kShin          Shin (1993): a share z of the money comes from insiders.
//                  pi_i = sqrt(z p_i + (1 - z) p_i^2) * T,
//                  T = sum_j sqrt(z p_j + (1 - z) p_j^2), z solved so
//                  T^2 = 1 + m.  Strip: p_i = (sqrt(z^2 + 4 (1 - z) pi_i^2 / S)
//                  - z) / (2 (1 - z)), S = sum(pi), z solved so sum(p) = 1.
//                  Defined for m > 0 only; for m <= 0 it falls back to
//                  kProportional (z would be negative).
//
// For every method strip_margin(apply(p, m)) == p (up to double precision),
// so the two are each other's inverse. The method the book uses is kPower:
// docs/pricing.md has the comparison on football-data.co.uk seasons
// (tests/unit/pricing/margin_test.cpp prints it).
//
// Rounding to the ladder (round_to_ladder): the price 1 / pi_i is first taken
// to the nearest 0.0001 (the Odds scale; this only removes floating-point
// noise such as 2.0999999999 for 2.10), then clamped to [1.01, 1000] and
// moved to the price ladder (src/pricing/price_ladder.h):
//   kFloor   (default) the ladder price at or below: in the house's favour,
//            so the realised overround is >= the configured margin;
//   kNearest the nearest ladder price, ties to the lower one.
// A fair probability of 0 prices at the 1000 cap.
#pragma once
#include <cstdint>
#include <vector>

#include "core/odds.h"
#include "market/book.h"  // MarketType (the enum only; no link dependency)

namespace inplay {

enum class MarginMethod : uint8_t { kProportional, kPower, kShin };
enum class PriceRounding : uint8_t { kFloor, kNearest };

const char* margin_method_name(MarginMethod m);  // "proportional", "power", "shin"

// sum(1 / o_i) - 1. Throws std::invalid_argument on an empty set or a price
// below 1.01 (Odds{} / unset).
double overround(const std::vector<Odds>& odds);

// The fair probabilities behind published prices (sum to 1), in the same
// order. Works for any overround (negative too, e.g. best prices across
// books); kShin falls back to proportional when the overround is <= 0.
// Throws std::invalid_argument like overround().
std::vector<double> strip_margin(const std::vector<Odds>& odds, MarginMethod method);

// The implied probabilities (sum = 1 + margin) for fair probabilities, before
// any rounding. `fair` is normalised first (it need not sum exactly to 1).
// Throws std::invalid_argument when fair is empty, has a negative or
// non-finite entry or sums to 0, when margin <= -1 or is not finite, or when
// the method cannot reach 1 + margin (power: needs 1 + margin < number of
// selections with p > 0; shin: 1 + margin <= (sum sqrt p)^2).
std::vector<double> margin_probabilities(const std::vector<double>& fair, double margin,
                                         MarginMethod method);

// The book's prices: margin_probabilities, then round_to_ladder of 1 / pi_i.
std::vector<Odds> apply_margin(const std::vector<double>& fair, double margin, MarginMethod method,
                               PriceRounding rounding = PriceRounding::kFloor);

// Decimal odds to a ladder price by the rule above (NaN or <= 1.01 -> 1.01;
// +inf or >= 1000 -> 1000).
Odds round_to_ladder(double decimal_odds, PriceRounding rounding = PriceRounding::kFloor);

// The margin the book applies per market type.
struct MarketMargin {
  double margin = 0.05;
  MarginMethod method = MarginMethod::kPower;
  PriceRounding rounding = PriceRounding::kFloor;
};

struct MarginConfig {
  MarketMargin match_result{0.05, MarginMethod::kPower, PriceRounding::kFloor};
  MarketMargin total_goals{0.06, MarginMethod::kPower, PriceRounding::kFloor};
  MarketMargin btts{0.07, MarginMethod::kPower, PriceRounding::kFloor};
  MarketMargin asian_handicap{0.05, MarginMethod::kPower, PriceRounding::kFloor};
  MarketMargin double_chance{0.05, MarginMethod::kPower, PriceRounding::kFloor};
  MarketMargin draw_no_bet{0.05, MarginMethod::kPower, PriceRounding::kFloor};
  MarketMargin correct_score{0.15, MarginMethod::kPower, PriceRounding::kFloor};

  const MarketMargin& for_type(MarketType t) const;
  MarketMargin& for_type(MarketType t);
};

// apply_margin with the config's margin, method and rounding for the type.
// `fair` are the selections' fair probabilities; for a market whose
// selections push or half-win (Asian handicap, totals on whole and quarter
// lines, draw no bet) the effective ones of pricing/score_grid.h, which sum
// to 1 like any other two-way market. A double chance market's selections
// each cover two of the three outcomes, so its fair probabilities sum to 2:
// the margin is applied to their halves (which sum to 1) and the result
// doubled — the market's overround is 2 x m.
std::vector<Odds> price_market(MarketType type, const std::vector<double>& fair,
                               const MarginConfig& config);

}  // namespace inplay
