// The demo's further markets (app/demo.h, issue 14): unique ids beside the
// standard three, exact lines, selections the rules settle, opening prices
// from the score grid under the book's margin.
#include <gtest/gtest.h>

#include <set>

#include "app/demo.h"
#include "settle/market_result.h"
#include "settle/rules.h"

namespace inplay {
namespace {

TEST(DemoMarkets, EightMoreMarketsWithUniqueIdsAndSettleableSelections) {
  std::set<uint64_t> ids;
  for (uint64_t event = 1; event <= 99; ++event) {
    std::array<Odds, 7> o;
    for (Odds& x : o) x.scaled = 20000;
    for (const MarketConfig& m : football_markets(event, o)) {
      EXPECT_TRUE(ids.insert(m.id).second) << m.id;
      for (const SelectionConfig& s : m.selections) EXPECT_TRUE(ids.insert(s.id).second) << s.id;
    }
    const std::vector<MarketConfig> more = more_football_markets(event, 1.6, 1.1);
    ASSERT_EQ(more.size(), 8u);
    for (const MarketConfig& m : more) {
      EXPECT_TRUE(ids.insert(m.id).second) << m.id;
      Market probe;
      probe.type = m.type;
      probe.line_quarters = m.line_quarters;
      probe.period = m.period;
      const RuleMarket rm = *rule_market(probe);
      double implied = 0;
      for (const SelectionConfig& s : m.selections) {
        EXPECT_TRUE(ids.insert(s.id).second) << s.id;
        EXPECT_TRUE(settle_selection(rm.market, rm.line_for(s.name), s.name, Score{1, 0})) << s.name;
        ASSERT_GE(s.odds.scaled, 10100);
        implied += static_cast<double>(kOddsScale) / s.odds.scaled;
      }
      EXPECT_GT(implied, m.type == MarketType::kDoubleChance ? 2.0 : 1.0) << m.id;  // the margin is on
    }
  }
  const std::vector<MarketConfig> more = more_football_markets(1, 1.6, 1.1);
  EXPECT_EQ(more[0].type, MarketType::kAsianHandicap);
  EXPECT_EQ(more[0].line_quarters, -1);  // home -0.25
  EXPECT_EQ(more[2].line_quarters, 9);   // total 2.25
  EXPECT_EQ(more[5].selections.size(), 17u);
  EXPECT_EQ(more[0].id, 140u);
  EXPECT_EQ(more[5].selections[0].id, 1014501u);
  EXPECT_EQ(more[6].period, MarketPeriod::kFirstHalf);
  // The home favourite's AH -0.25 is shorter than its AH -1.
  EXPECT_LT(more[0].selections[0].odds.scaled, more[1].selections[0].odds.scaled);
}

}  // namespace
}  // namespace inplay
