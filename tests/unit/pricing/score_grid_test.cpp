// The score-grid model (pricing/score_grid.h): every market of a match priced
// off one goal distribution, with the settlement rules deciding what each
// score pays.
#include "pricing/score_grid.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/odds.h"
#include "pricing/margin.h"
#include "settle/rules.h"

namespace inplay {
namespace {

double q(const ScoreGrid& g, BetMarket m, int quarters, const std::string& sel) {
  return fair_probability(g.split([&](Score s) { return settle_selection(m, Line{quarters}, sel, s); }));
}

std::vector<std::string> correct_scores() {
  std::vector<std::string> out;
  for (int h = 0; h <= 3; ++h)
    for (int a = 0; a <= 3; ++a) out.push_back(std::to_string(h) + "-" + std::to_string(a));
  out.push_back("other");
  return out;
}

TEST(ScoreGrid, SumsToOneAndMatchesTheScoreSoFar) {
  ScoreGrid g = ScoreGrid::poisson(Score{1, 0}, 0.9, 0.6);
  EXPECT_NEAR(g.total(), 1.0, 1e-12);
  EXPECT_EQ(g.base(), (Score{1, 0}));
  // From 1-0 the home side cannot lose the "at least 1 goal" total.
  EXPECT_NEAR(q(g, BetMarket::kTotalGoals, 2, "over"), 1.0, 1e-12);
  EXPECT_THROW(ScoreGrid::poisson(Score{}, -0.1, 1), std::invalid_argument);
}

TEST(ScoreGrid, EveryMarketsFairProbabilitiesSumAsTheyMust) {
  for (auto [lh, la] : {std::pair{1.5, 1.1}, std::pair{0.4, 2.3}, std::pair{2.8, 0.2}}) {
    ScoreGrid g = ScoreGrid::poisson(Score{}, lh, la);
    SCOPED_TRACE(testing::Message() << lh << " v " << la);
    const double h = q(g, BetMarket::kMatchResult, 0, "home"), d = q(g, BetMarket::kMatchResult, 0, "draw"),
                 a = q(g, BetMarket::kMatchResult, 0, "away");
    EXPECT_NEAR(h + d + a, 1.0, 1e-12);
    double cs = 0;
    for (const std::string& s : correct_scores()) cs += q(g, BetMarket::kCorrectScore, 0, s);
    EXPECT_NEAR(cs, 1.0, 1e-12);
    EXPECT_NEAR(q(g, BetMarket::kBothTeamsToScore, 0, "yes") + q(g, BetMarket::kBothTeamsToScore, 0, "no"), 1, 1e-12);
    // Draw no bet: the draw is a push, so home's share of the decided games.
    EXPECT_NEAR(q(g, BetMarket::kDrawNoBet, 0, "home"), h / (h + a), 1e-12);
    EXPECT_NEAR(q(g, BetMarket::kDrawNoBet, 0, "home") + q(g, BetMarket::kDrawNoBet, 0, "away"), 1, 1e-12);
    // Double chance: two outcomes each, so the three sum to 2.
    EXPECT_NEAR(q(g, BetMarket::kDoubleChance, 0, "home_draw"), h + d, 1e-12);
    EXPECT_NEAR(q(g, BetMarket::kDoubleChance, 0, "home_draw") + q(g, BetMarket::kDoubleChance, 0, "home_away") +
                    q(g, BetMarket::kDoubleChance, 0, "draw_away"),
                2.0, 1e-12);
    // Two-way lines on half, whole and quarter goals: the sides sum to 1
    // (an AH line is the backed side's: home -0.75 against away +0.75).
    for (int line = -12; line <= 12; ++line) {
      SCOPED_TRACE(line);
      EXPECT_NEAR(q(g, BetMarket::kAsianHandicap, line, "home") + q(g, BetMarket::kAsianHandicap, -line, "away"), 1,
                  1e-12);
      if (line > 0)
        EXPECT_NEAR(q(g, BetMarket::kTotalGoals, line, "over") + q(g, BetMarket::kTotalGoals, line, "under"), 1,
                    1e-12);
    }
  }
}

TEST(ScoreGrid, AQuarterLineSitsBetweenItsNeighbours) {
  ScoreGrid g = ScoreGrid::poisson(Score{}, 1.6, 1.0);
  for (int line = -11; line <= 11; line += 2) {  // the quarter lines
    SCOPED_TRACE(line);
    const double lo = q(g, BetMarket::kAsianHandicap, line - 1, "home"),
                 mid = q(g, BetMarket::kAsianHandicap, line, "home"),
                 hi = q(g, BetMarket::kAsianHandicap, line + 1, "home");
    EXPECT_LT(lo, mid);  // a bigger handicap for home is easier to cover
    EXPECT_LT(mid, hi);
    if (line > 0) {
      const double o_lo = q(g, BetMarket::kTotalGoals, line - 1, "over"), o = q(g, BetMarket::kTotalGoals, line, "over"),
                   o_hi = q(g, BetMarket::kTotalGoals, line + 1, "over");
      EXPECT_GT(o_lo, o);
      EXPECT_GT(o, o_hi);
    }
  }
  // AH 0 is draw no bet; AH -0.5 is the home win.
  EXPECT_NEAR(q(g, BetMarket::kAsianHandicap, 0, "home"), q(g, BetMarket::kDrawNoBet, 0, "home"), 1e-12);
  EXPECT_NEAR(q(g, BetMarket::kAsianHandicap, -2, "home"), q(g, BetMarket::kMatchResult, 0, "home"), 1e-12);
}

TEST(ScoreGrid, AQuarterLinePriceIsFairOnItsTwoHalfStakes) {
  // At the fair odds of home -0.25 the expected return of a stake is the
  // stake: half on AH 0 (a push on a draw) and half on AH -0.5.
  ScoreGrid g = ScoreGrid::poisson(Score{}, 1.3, 1.2);
  const double o = 1 / q(g, BetMarket::kAsianHandicap, -1, "home");
  const double h = q(g, BetMarket::kMatchResult, 0, "home"), d = q(g, BetMarket::kMatchResult, 0, "draw");
  const double expected = h * o + d * 0.5;  // a draw half-loses
  EXPECT_NEAR(expected, 1.0, 1e-12);
}

TEST(ScoreGrid, TheBookMarginAppliesToTheNewMarkets) {
  ScoreGrid g = ScoreGrid::poisson(Score{}, 1.5, 1.1);
  MarginConfig cfg;
  auto implied = [](const std::vector<Odds>& o) {
    double s = 0;
    for (Odds x : o) s += static_cast<double>(kOddsScale) / x.scaled;
    return s;
  };
  std::vector<double> ah = {q(g, BetMarket::kAsianHandicap, -1, "home"), q(g, BetMarket::kAsianHandicap, 1, "away")};
  EXPECT_GE(implied(price_market(MarketType::kAsianHandicap, ah, cfg)), 1 + cfg.asian_handicap.margin - 1e-9);
  std::vector<double> dc = {q(g, BetMarket::kDoubleChance, 0, "home_draw"), q(g, BetMarket::kDoubleChance, 0, "home_away"),
                            q(g, BetMarket::kDoubleChance, 0, "draw_away")};
  const std::vector<Odds> dc_odds = price_market(MarketType::kDoubleChance, dc, cfg);
  const double dc_implied = implied(dc_odds);
  EXPECT_GE(dc_implied, 2 * (1 + cfg.double_chance.margin) - 1e-9);
  EXPECT_LT(dc_implied, 2 * (1 + cfg.double_chance.margin) + 0.05);
  for (size_t i = 0; i < dc.size(); ++i) EXPECT_LT(dc_odds[i].scaled, static_cast<int32_t>(kOddsScale / dc[i]));
  std::vector<double> cs;
  for (const std::string& s : correct_scores()) cs.push_back(q(g, BetMarket::kCorrectScore, 0, s));
  EXPECT_GE(implied(price_market(MarketType::kCorrectScore, cs, cfg)), 1 + cfg.correct_score.margin - 1e-9);
}

}  // namespace
}  // namespace inplay
