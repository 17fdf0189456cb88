// Exposure (src/risk/exposure.h): liability per selection, market (worst case
// over selections, floored at 0) and event (sum of markets), each account's
// stake per market, and the hypothetical market_liability_with.
#include "risk/exposure.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

// Event 1: market 101 (1011 home, 1012 draw, 1013 away), market 102 (1021, 1022).
// Event 2: market 201 (2011, 2012).
class ExposureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    add_event(1);
    add_market(1, 101, {1011, 1012, 1013});
    add_market(1, 102, {1021, 1022});
    add_event(2);
    add_market(2, 201, {2011, 2012});
  }
  void add_event(uint64_t id) {
    Event e;
    e.id = id;
    e.sport = "football";
    book.add_event(e);
  }
  void add_market(uint64_t event, uint64_t id, std::initializer_list<uint64_t> sels) {
    Market m;
    m.id = id;
    m.event_id = event;
    book.add_market(m);
    for (uint64_t s : sels) {
      Selection sel;
      sel.id = s;
      sel.market_id = id;
      book.add_selection(sel);
    }
  }
  static Odds odds(const char* s) {
    Odds o;
    EXPECT_TRUE(Odds::parse(s, o)) << s;
    return o;
  }

  Book book;
  Exposure exposure{book};
};

TEST_F(ExposureTest, EmptyBookHasNoLiability) {
  EXPECT_EQ(exposure.selection_liability(1011), 0);
  EXPECT_EQ(exposure.market_liability(101), 0);
  EXPECT_EQ(exposure.event_liability(1), 0);
  EXPECT_EQ(exposure.account_market_stake(7, 101), 0);
  // Unknown ids are zero, not errors.
  EXPECT_EQ(exposure.selection_liability(999), 0);
  EXPECT_EQ(exposure.market_liability(999), 0);
  EXPECT_EQ(exposure.event_liability(999), 0);
}

TEST_F(ExposureTest, OneBetLiabilityIsItsPotentialProfit) {
  exposure.add(7, 1011, 1000, odds("2.5"));
  EXPECT_EQ(exposure.selection_liability(1011), 1500);  // 2500 - 1000
  EXPECT_EQ(exposure.selection_liability(1012), 0);
  EXPECT_EQ(exposure.market_liability(101), 1500);
  EXPECT_EQ(exposure.event_liability(1), 1500);
  EXPECT_EQ(exposure.market_liability(102), 0);
  EXPECT_EQ(exposure.event_liability(2), 0);
}

TEST_F(ExposureTest, SelectionLiabilityAddsUpAndUsesPayoutRounding) {
  exposure.add(7, 1011, 1000, odds("2.5"));
  exposure.add(8, 1011, 333, odds("1.01"));  // payout floor(336.33) = 336: profit 3
  EXPECT_EQ(exposure.selection_liability(1011), 1500 + 3);
  EXPECT_EQ(exposure.market_liability(101), 1503);
}

TEST_F(ExposureTest, MarketLiabilityIsTheWorstCaseOverSelections) {
  exposure.add(7, 1011, 1000, odds("2.5"));  // home wins: pays 2500
  exposure.add(8, 1012, 1000, odds("3.0"));  // draw wins: pays 3000
  // Stakes taken 2000. Home: 2500-2000 = 500. Draw: 3000-2000 = 1000. Away: -2000.
  EXPECT_EQ(exposure.selection_liability(1011), 1500);
  EXPECT_EQ(exposure.selection_liability(1012), 2000);
  EXPECT_EQ(exposure.market_liability(101), 1000);
  // The event follows its market down as well as up.
  EXPECT_EQ(exposure.event_liability(1), 1000);
}

TEST_F(ExposureTest, MarketLiabilityIsFlooredAtZero) {
  // A balanced book: every outcome wins the house money.
  exposure.add(7, 1011, 1000, odds("1.5"));
  exposure.add(8, 1012, 1000, odds("1.5"));
  exposure.add(9, 1013, 1000, odds("1.5"));
  // Any outcome: pays 1500 of 3000 taken -> the house gains 1500.
  EXPECT_EQ(exposure.market_liability(101), 0);
  EXPECT_EQ(exposure.event_liability(1), 0);
  // Selection liabilities are still each bet's profit.
  EXPECT_EQ(exposure.selection_liability(1013), 500);
}

TEST_F(ExposureTest, LiabilityDropsToZeroOnceOtherStakesCoverIt) {
  exposure.add(7, 1011, 1000, odds("2.0"));
  EXPECT_EQ(exposure.market_liability(101), 1000);
  exposure.add(8, 1012, 1000, odds("2.0"));
  EXPECT_EQ(exposure.market_liability(101), 0);  // either wins: pays 2000 of 2000
  EXPECT_EQ(exposure.event_liability(1), 0);
}

TEST_F(ExposureTest, EventLiabilityIsTheSumOfItsMarkets) {
  exposure.add(7, 1011, 1000, odds("2.5"));  // market 101: 1500
  exposure.add(7, 1021, 2000, odds("2.0"));  // market 102: 2000
  exposure.add(7, 2011, 500, odds("4.0"));   // event 2, market 201: 1500
  EXPECT_EQ(exposure.market_liability(101), 1500);
  EXPECT_EQ(exposure.market_liability(102), 2000);
  EXPECT_EQ(exposure.event_liability(1), 3500);
  EXPECT_EQ(exposure.event_liability(2), 1500);
  exposure.add(8, 1022, 2000, odds("2.0"));  // market 102 now balanced
  EXPECT_EQ(exposure.market_liability(102), 0);
  EXPECT_EQ(exposure.event_liability(1), 1500);
  EXPECT_EQ(exposure.event_liability(2), 1500);
}

TEST_F(ExposureTest, EventLiabilityMatchesSumOfMarketsAfterManyBets) {
  const uint64_t sels[] = {1011, 1012, 1013, 1021, 1022, 2011, 2012};
  const char* prices[] = {"1.5", "2.0", "3.4", "7.0", "11.0"};
  for (int i = 0; i < 200; ++i) {
    exposure.add(static_cast<uint32_t>(i % 5), sels[(i * 3) % 7],
                 100 + (i * 37) % 900, odds(prices[i % 5]));
    ASSERT_EQ(exposure.event_liability(1),
              exposure.market_liability(101) + exposure.market_liability(102));
    ASSERT_EQ(exposure.event_liability(2), exposure.market_liability(201));
    ASSERT_GE(exposure.market_liability(101), 0);
  }
}

TEST_F(ExposureTest, AccountMarketStakeIsPerAccountAndPerMarket) {
  exposure.add(7, 1011, 1000, odds("2.5"));
  exposure.add(7, 1013, 250, odds("3.0"));  // same market, other selection
  exposure.add(7, 1021, 400, odds("2.0"));  // same event, other market
  exposure.add(8, 1011, 999, odds("2.5"));  // other account
  EXPECT_EQ(exposure.account_market_stake(7, 101), 1250);
  EXPECT_EQ(exposure.account_market_stake(7, 102), 400);
  EXPECT_EQ(exposure.account_market_stake(7, 201), 0);
  EXPECT_EQ(exposure.account_market_stake(8, 101), 999);
  EXPECT_EQ(exposure.account_market_stake(9, 101), 0);
}

TEST_F(ExposureTest, AccountMarketStakeDoesNotMixAccountsOnLargeMarketIds) {
  // Config ids go up to 2^63-1. Account 1 on market 101 and account 0 on
  // market (1 << 40) ^ 101 are different totals.
  const uint64_t big = (uint64_t{1} << 40) ^ 101;
  add_event(3);
  add_market(3, big, {big + 1});
  exposure.add(1, 1011, 1000, odds("2.0"));
  EXPECT_EQ(exposure.account_market_stake(0, big), 0);
  exposure.add(0, big + 1, 300, odds("2.0"));
  EXPECT_EQ(exposure.account_market_stake(0, big), 300);
  EXPECT_EQ(exposure.account_market_stake(1, 101), 1000);
}

TEST_F(ExposureTest, MarketLiabilityWithIsHypotheticalAndLeavesStateAlone) {
  exposure.add(7, 1011, 1000, odds("2.5"));
  // Another 1000 at 3.0 on the draw: home 2500-2000 = 500, draw 3000-2000 = 1000.
  EXPECT_EQ(exposure.market_liability_with(1012, 1000, odds("3.0")), 1000);
  // Doubling up on home: 5000 - 2000.
  EXPECT_EQ(exposure.market_liability_with(1011, 1000, odds("2.5")), 3000);
  // A bet that balances the book.
  EXPECT_EQ(exposure.market_liability_with(1012, 1500, odds("1.5")), 0);
  // Nothing recorded.
  EXPECT_EQ(exposure.market_liability(101), 1500);
  EXPECT_EQ(exposure.selection_liability(1012), 0);
  EXPECT_EQ(exposure.account_market_stake(7, 101), 1000);
  EXPECT_EQ(exposure.event_liability(1), 1500);
  // Matches what add() then does.
  int64_t predicted = exposure.market_liability_with(1013, 700, odds("4.2"));
  exposure.add(9, 1013, 700, odds("4.2"));
  EXPECT_EQ(exposure.market_liability(101), predicted);
}

TEST_F(ExposureTest, MarketLiabilityWithOnAnEmptyMarket) {
  EXPECT_EQ(exposure.market_liability_with(2011, 1000, odds("5.0")), 4000);
  EXPECT_EQ(exposure.market_liability_with(2011, 1000, odds("1.01")), 10);
}

TEST_F(ExposureTest, UnknownSelectionIsIgnored) {
  exposure.add(7, 9999, 1000, odds("2.0"));
  EXPECT_EQ(exposure.selection_liability(9999), 0);
  EXPECT_EQ(exposure.market_liability(101), 0);
  EXPECT_EQ(exposure.market_liability_with(9999, 1000, odds("2.0")), 0);
}

}  // namespace
}  // namespace inplay
