// GoalModel (src/sim/goal_model.h): every market sums to 1, a finished
// match is certain, symmetry, time decay of the draw, sensible kick-off
// prices from bookmaker-like expected goals, and the 1X2 fit.
#include "sim/goal_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace inplay {
namespace {

GoalModel model(double lh, double la) {
  GoalModelParams p;
  p.lambda_home = lh;
  p.lambda_away = la;
  return GoalModel(p);
}

TEST(GoalModel, EveryMarketSumsToOne) {
  GoalModel m = model(1.5, 1.1);
  for (double minute : {0.0, 10.0, 45.0, 60.5, 89.0, 90.0}) {
    for (MatchScore s : {MatchScore{0, 0}, MatchScore{1, 0}, MatchScore{2, 3}, MatchScore{5, 1}}) {
      FairProbabilities f = m.fair(minute, s);
      EXPECT_NEAR(f.home + f.draw + f.away, 1.0, 1e-12);
      EXPECT_NEAR(f.over + f.under, 1.0, 1e-12);
      EXPECT_NEAR(f.btts_yes + f.btts_no, 1.0, 1e-12);
      for (double p : {f.home, f.draw, f.away, f.over, f.under, f.btts_yes, f.btts_no}) {
        EXPECT_GE(p, 0.0);
        EXPECT_LE(p, 1.0);
      }
    }
  }
}

TEST(GoalModel, FullTimeIsCertain) {
  GoalModel m = model(1.5, 1.1);
  FairProbabilities f = m.fair(90, {2, 1});
  EXPECT_EQ(f.home, 1.0);
  EXPECT_EQ(f.draw, 0.0);
  EXPECT_EQ(f.away, 0.0);
  EXPECT_EQ(f.over, 1.0);
  EXPECT_EQ(f.btts_yes, 1.0);
  f = m.fair(90, {0, 0});
  EXPECT_EQ(f.draw, 1.0);
  EXPECT_EQ(f.under, 1.0);
  EXPECT_EQ(f.btts_no, 1.0);
  // Beyond 90 (the sim never goes there) nothing changes.
  EXPECT_EQ(m.fair(95, {0, 1}).away, 1.0);
}

TEST(GoalModel, DecidedMarketsMidMatch) {
  GoalModel m = model(1.5, 1.1);
  FairProbabilities f = m.fair(30, {2, 1});
  EXPECT_EQ(f.over, 1.0);     // 3 goals already over 2.5
  EXPECT_EQ(f.under, 0.0);
  EXPECT_EQ(f.btts_yes, 1.0);
  EXPECT_GT(f.home, f.away);
}

TEST(GoalModel, SymmetricTeamsGiveHomeEqualsAway) {
  GoalModel m = model(1.3, 1.3);
  for (double minute : {0.0, 30.0, 70.0}) {
    FairProbabilities f = m.fair(minute, {1, 1});
    EXPECT_NEAR(f.home, f.away, 1e-12);
  }
}

TEST(GoalModel, MoreTimeLeftMeansFewerDraws) {
  GoalModel m = model(1.5, 1.1);
  double prev = 0;
  for (double minute : {0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 85.0, 89.0}) {
    double draw = m.fair(minute, {1, 1}).draw;
    EXPECT_GT(draw, prev) << minute;  // less time left: the draw gets likelier
    prev = draw;
  }
  // A leader's win gets likelier as the clock runs down.
  EXPECT_LT(m.fair(20, {1, 0}).home, m.fair(80, {1, 0}).home);
}

TEST(GoalModel, KickOffPricesAreSensible) {
  // A bookmaker's 1.5 vs 1.1 expected goals: home favourite around 45-50%,
  // draw mid-20s, over 2.5 around half, as published books show.
  GoalModel m = model(1.5, 1.1);
  FairProbabilities f = m.fair(0, {});
  EXPECT_GT(f.home, 0.44);
  EXPECT_LT(f.home, 0.52);
  EXPECT_GT(f.draw, 0.22);
  EXPECT_LT(f.draw, 0.29);
  EXPECT_GT(f.away, 0.24);
  EXPECT_LT(f.away, 0.31);
  // Totals: Poisson(2.6) over 2.5 = 1 - P(0..2) = 0.482.
  EXPECT_NEAR(f.over, 1 - std::exp(-2.6) * (1 + 2.6 + 2.6 * 2.6 / 2), 1e-6);
  // BTTS: (1 - e^-1.5)(1 - e^-1.1), independent teams.
  EXPECT_NEAR(f.btts_yes, (1 - std::exp(-1.5)) * (1 - std::exp(-1.1)), 1e-6);
}

TEST(GoalModel, RateRisesThroughTheMatch) {
  GoalModel m = model(1.5, 1.1);
  EXPECT_DOUBLE_EQ(m.played_fraction(0), 0);
  EXPECT_DOUBLE_EQ(m.played_fraction(90), 1);
  EXPECT_LT(m.played_fraction(45), 0.5);  // the second half carries more goals
  EXPECT_NEAR(m.remaining_home(45) / 1.5, 1 - m.played_fraction(45), 1e-12);
  for (double u : {0.0, 0.1, 0.45, 0.5, 0.9, 1.0}) {
    EXPECT_NEAR(m.played_fraction(m.minute_at_fraction(u)), u, 1e-12);
  }
  GoalModelParams flat;
  flat.rate_rise = 0;
  EXPECT_DOUBLE_EQ(GoalModel(flat).played_fraction(45), 0.5);
  EXPECT_DOUBLE_EQ(GoalModel(flat).minute_at_fraction(0.5), 45);
}

TEST(GoalModel, RejectsBadParameters) {
  GoalModelParams p;
  p.lambda_home = -1;
  EXPECT_THROW(GoalModel{p}, std::invalid_argument);
  p = {};
  p.rate_rise = 1;
  EXPECT_THROW(GoalModel{p}, std::invalid_argument);
}

TEST(GoalModel, FitReproducesA1X2) {
  // The demo's Arsenal v Chelsea fixture: 0.48 / 0.26 / 0.26.
  GoalModelParams p = fit_goal_rates(0.48, 0.26);
  FairProbabilities f = GoalModel(p).fair(0, {});
  EXPECT_NEAR(f.home, 0.48, 1e-6);
  EXPECT_NEAR(f.away, 0.26, 1e-6);
  EXPECT_GT(p.lambda_home, p.lambda_away);
}

TEST(TruncatedPoisson, SumsToOneAndMatchesPoisson) {
  auto pmf = truncated_poisson(1.2, 10);
  double s = 0;
  for (double x : pmf) s += x;
  EXPECT_NEAR(s, 1.0, 1e-15);
  EXPECT_NEAR(pmf[0], std::exp(-1.2), 1e-7);
  EXPECT_EQ(truncated_poisson(0, 10)[0], 1.0);
}

}  // namespace
}  // namespace inplay
