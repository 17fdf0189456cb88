// Drift (src/pricing/drift.h): the ODDS-6 score on known numbers and the
// 60 s band on an injected (fake) time.
#include "pricing/drift.h"

#include <gtest/gtest.h>

#include <cmath>
#include "pricing_test_util.h"

namespace inplay {
namespace {

using pricing_test::o;
constexpr int64_t kSec = 1'000'000'000;

TEST(DriftScore, PrimaryAboveRef) { EXPECT_DOUBLE_EQ(drift_score({{o(2.10), o(2.00)}}), 0.05); }

TEST(DriftScore, PrimaryBelowRefIsAbsolute) {
  EXPECT_DOUBLE_EQ(drift_score({{o(1.90), o(2.00)}}), 0.05);
  EXPECT_DOUBLE_EQ(drift_score({{o(3.00), o(4.00)}}), 0.25);
}

TEST(DriftScore, EqualPricesScoreZero) { EXPECT_DOUBLE_EQ(drift_score({{o(1.5), o(1.5)}}), 0.0); }

TEST(DriftScore, MaxOverSelections) {
  // 2.10/2.00 -> 0.05, 3.60/3.00 -> 0.20, 4.00/4.20 -> 0.047619.
  EXPECT_DOUBLE_EQ(drift_score({{o(2.10), o(2.00)}, {o(3.60), o(3.00)}, {o(4.00), o(4.20)}}), 0.2);
}

TEST(DriftScore, DividesByTheRefNotThePrimary) {
  // |1.50 - 3.00| / 3.00 = 0.5 (by the primary it would be 1.0).
  EXPECT_DOUBLE_EQ(drift_score({{o(1.50), o(3.00)}}), 0.5);
}

TEST(DriftScore, SelectionsWithoutRefAreIgnored) {
  EXPECT_DOUBLE_EQ(drift_score({{o(2.10), o(2.00)}, {o(9.00), Odds{}}}), 0.05);
  EXPECT_DOUBLE_EQ(drift_score({{o(9.00), Odds{}}}), 0.0);
  EXPECT_DOUBLE_EQ(drift_score({{Odds{}, o(2.00)}, {o(2.20), o(2.00)}}), 0.1);  // no primary either
  EXPECT_DOUBLE_EQ(drift_score({}), 0.0);
}

TEST(DriftScore, LadderExtremes) {
  EXPECT_NEAR(drift_score({{Odds{kMaxOdds}, Odds{kMinOdds}}}), (1000 - 1.01) / 1.01, 1e-12);
}

TEST(DriftBand, InsideTheBandNeverFlags) {
  DriftBand b(0.05);
  for (int s = 0; s <= 300; ++s) EXPECT_FALSE(b.update(1, 0.04, s * kSec));
  EXPECT_FALSE(b.above_since(1));
  EXPECT_EQ(b.above_count(), 0u);
}

TEST(DriftBand, AtTheBandIsInside) {
  DriftBand b(0.05);
  EXPECT_FALSE(b.update(1, 0.05, 0));
  EXPECT_FALSE(b.above_since(1));
}

TEST(DriftBand, FlagsAfterSixtySecondsAbove) {
  DriftBand b(0.05);
  const int64_t t0 = 1'000 * kSec;
  EXPECT_FALSE(b.update(7, 0.08, t0));
  EXPECT_EQ(b.above_since(7), t0);
  EXPECT_FALSE(b.update(7, 0.09, t0 + 30 * kSec));
  EXPECT_FALSE(b.update(7, 0.06, t0 + 60 * kSec - 1));
  EXPECT_EQ(b.above_since(7), t0);  // the first crossing, not the latest sample
  EXPECT_TRUE(b.update(7, 0.06, t0 + 60 * kSec));
  EXPECT_TRUE(b.flagged(7));
  EXPECT_TRUE(b.update(7, 0.30, t0 + 120 * kSec));  // stays flagged while above
}

TEST(DriftBand, FallingBackInsideResets) {
  DriftBand b(0.05);
  EXPECT_FALSE(b.update(7, 0.08, 0));
  EXPECT_TRUE(b.update(7, 0.08, 61 * kSec));
  EXPECT_FALSE(b.update(7, 0.01, 62 * kSec));  // back inside: cleared at once
  EXPECT_FALSE(b.flagged(7));
  EXPECT_FALSE(b.above_since(7));
  // A new excursion starts a fresh 60 s.
  EXPECT_FALSE(b.update(7, 0.08, 63 * kSec));
  EXPECT_EQ(b.above_since(7), 63 * kSec);
  EXPECT_FALSE(b.update(7, 0.08, 122 * kSec));
  EXPECT_TRUE(b.update(7, 0.08, 123 * kSec));
}

TEST(DriftBand, OneSampleInsideBreaksTheRun) {
  DriftBand b(0.05);
  b.update(1, 0.08, 0);
  b.update(1, 0.08, 50 * kSec);
  b.update(1, 0.02, 55 * kSec);
  EXPECT_FALSE(b.update(1, 0.08, 61 * kSec));
  EXPECT_EQ(b.above_since(1), 61 * kSec);
}

TEST(DriftBand, MarketsAreIndependent) {
  DriftBand b(0.05);
  b.update(1, 0.10, 0);
  b.update(2, 0.10, 30 * kSec);
  EXPECT_TRUE(b.update(1, 0.10, 60 * kSec));
  EXPECT_FALSE(b.update(2, 0.10, 60 * kSec));
  EXPECT_EQ(b.above_count(), 2u);
  EXPECT_FALSE(b.update(1, 0.0, 61 * kSec));
  EXPECT_TRUE(b.update(2, 0.10, 90 * kSec));
  EXPECT_EQ(b.above_count(), 1u);
}

TEST(DriftBand, ConfigurableHoldAndPerMarketBand) {
  DriftBand b(0.05, 5 * kSec);
  EXPECT_EQ(b.hold_ns(), 5 * kSec);
  b.set_band(9, 0.20);
  EXPECT_DOUBLE_EQ(b.band(9), 0.20);
  EXPECT_DOUBLE_EQ(b.band(1), 0.05);
  b.update(1, 0.10, 0);
  b.update(9, 0.10, 0);  // inside market 9's wider band
  EXPECT_TRUE(b.update(1, 0.10, 5 * kSec));
  EXPECT_FALSE(b.update(9, 0.10, 5 * kSec));
  EXPECT_FALSE(b.above_since(9));
  DriftBand now(0.05, 0);  // no hold: flags on the first sample above
  EXPECT_TRUE(now.update(1, 0.06, 0));
}

TEST(DriftBand, ExplicitResetAndNaN) {
  DriftBand b(0.05);
  b.update(1, 0.10, 0);
  b.reset(1);
  EXPECT_FALSE(b.update(1, 0.10, 60 * kSec));  // restarted at 60 s
  EXPECT_FALSE(b.update(1, NAN, 61 * kSec));  // NaN counts as inside
  EXPECT_FALSE(b.above_since(1));
}

TEST(DriftBand, ClockSteppingBackNeverFlagsEarly) {
  DriftBand b(0.05);
  b.update(1, 0.10, 100 * kSec);
  EXPECT_FALSE(b.update(1, 0.10, 10 * kSec));
  EXPECT_FALSE(b.update(1, 0.10, 159 * kSec));
  EXPECT_TRUE(b.update(1, 0.10, 160 * kSec));
}

TEST(DriftBand, FromPricesEndToEnd) {
  // The score computed from prices feeds the band: 2.10 vs 2.00 = 0.05 is
  // inside a 5% band; 2.20 vs 2.00 = 0.10 is not.
  DriftBand b(0.05);
  int64_t t = 0;
  EXPECT_FALSE(b.update(3, drift_score({{o(2.10), o(2.00)}}), t));
  for (; t <= 60 * kSec; t += 5 * kSec) b.update(3, drift_score({{o(2.20), o(2.00)}, {o(3.0), Odds{}}}), t);
  EXPECT_TRUE(b.flagged(3));
  EXPECT_EQ(b.above_since(3), 0);
}

}  // namespace
}  // namespace inplay
