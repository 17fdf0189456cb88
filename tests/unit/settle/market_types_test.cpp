// The book's market types settle by the rules (settle/market_result.h's
// rule_market): each new type of issue 14, the Asian handicap's away side
// backing the negated home line, quarter lines as two half stakes, and
// first-half markets flagged to settle on the half-time score.
#include <gtest/gtest.h>

#include "market/book.h"
#include "settle/market_result.h"
#include "settle/rules.h"

namespace inplay {
namespace {

Market market(MarketType t, int32_t quarters = 0, MarketPeriod p = MarketPeriod::kFullTime) {
  Market m;
  m.type = t;
  m.line_quarters = quarters;
  m.period = p;
  return m;
}

const char* settle(const Market& m, const char* sel, Score s) {
  std::optional<RuleMarket> rm = rule_market(m);
  if (!rm) return "no rule";
  std::optional<SettleResult> r = settle_selection(rm->market, rm->line_for(sel), sel, s);
  return r ? settle_result_name(*r) : "no selection";
}

TEST(MarketTypes, AsianHandicapOnHalfWholeAndQuarterLines) {
  const Market half = market(MarketType::kAsianHandicap, -2), whole = market(MarketType::kAsianHandicap, -4),
               quarter = market(MarketType::kAsianHandicap, -1);
  EXPECT_STREQ(settle(half, "home", {1, 0}), "win");
  EXPECT_STREQ(settle(half, "away", {1, 1}), "win");  // away +0.5
  EXPECT_STREQ(settle(whole, "home", {2, 1}), "push");
  EXPECT_STREQ(settle(whole, "away", {2, 1}), "push");
  EXPECT_STREQ(settle(whole, "away", {1, 1}), "win");
  EXPECT_STREQ(settle(quarter, "home", {1, 1}), "half_lose");  // half on 0 (push), half on -0.5 (lose)
  EXPECT_STREQ(settle(quarter, "away", {1, 1}), "half_win");   // away +0.25
  EXPECT_STREQ(settle(quarter, "home", {2, 1}), "win");
  EXPECT_EQ(half.name(), "Asian handicap -0.5");
  EXPECT_EQ(market(MarketType::kAsianHandicap, 3).name(), "Asian handicap +0.75");
}

TEST(MarketTypes, TotalsOnWholeAndQuarterLines) {
  const Market whole = market(MarketType::kTotalGoals, 12), quarter = market(MarketType::kTotalGoals, 9);
  EXPECT_STREQ(settle(whole, "over", {2, 1}), "push");
  EXPECT_STREQ(settle(whole, "under", {1, 1}), "win");
  EXPECT_STREQ(settle(quarter, "over", {1, 1}), "half_lose");  // 2.25: half on 2 (push), half on 2.5 (lose)
  EXPECT_STREQ(settle(quarter, "under", {1, 1}), "half_win");
  EXPECT_EQ(quarter.name(), "Total goals 2.25");
  EXPECT_EQ(market(MarketType::kTotalGoals, 10).name(), "Total goals 2.5");
}

TEST(MarketTypes, DoubleChanceDrawNoBetAndCorrectScore) {
  const Market dc = market(MarketType::kDoubleChance), dnb = market(MarketType::kDrawNoBet),
               cs = market(MarketType::kCorrectScore);
  EXPECT_STREQ(settle(dc, "home_draw", {0, 0}), "win");
  EXPECT_STREQ(settle(dc, "home_away", {0, 0}), "lose");
  EXPECT_STREQ(settle(dc, "draw_away", {0, 2}), "win");
  EXPECT_STREQ(settle(dnb, "home", {1, 1}), "push");
  EXPECT_STREQ(settle(dnb, "away", {1, 2}), "win");
  EXPECT_STREQ(settle(cs, "2-1", {2, 1}), "win");
  EXPECT_STREQ(settle(cs, "2-1", {1, 2}), "lose");
  EXPECT_STREQ(settle(cs, "other", {4, 0}), "win");
  EXPECT_STREQ(settle(cs, "other", {3, 3}), "lose");
  EXPECT_STREQ(settle(cs, "5-0", {5, 0}), "no selection");  // not offered: refused at config
}

TEST(MarketTypes, FirstHalfMarketsAreFlaggedForTheHalfTimeScore) {
  const Market fh = market(MarketType::kMatchResult, 0, MarketPeriod::kFirstHalf);
  EXPECT_TRUE(rule_market(fh)->first_half);
  EXPECT_FALSE(rule_market(market(MarketType::kMatchResult))->first_half);
  EXPECT_EQ(fh.name(), "1st half match result");
  EXPECT_EQ(market(MarketType::kTotalGoals, 6, MarketPeriod::kFirstHalf).name(), "1st half total goals 1.5");
}

TEST(MarketTypes, NamesParseBack) {
  for (auto t : {MarketType::kMatchResult, MarketType::kTotalGoals, MarketType::kBothTeamsToScore,
                 MarketType::kAsianHandicap, MarketType::kDoubleChance, MarketType::kDrawNoBet,
                 MarketType::kCorrectScore}) {
    MarketType back{};
    ASSERT_TRUE(parse_market_type(market_type_name(t), back));
    EXPECT_EQ(back, t);
  }
  MarketType x;
  EXPECT_FALSE(parse_market_type("handicap", x));
}

}  // namespace
}  // namespace inplay
