#include "feed/betfair/ref_price.h"

#include <gtest/gtest.h>
#include "betfair_test_util.h"

namespace inplay::betfair {
namespace {

using test::O;

MarketBook open_market() {
  MarketBook m;
  m.id = "1.1";
  m.has_definition = true;
  m.status = MarketStatus::Open;
  return m;
}

RunnerBook runner(int64_t id, std::initializer_list<std::pair<int32_t, double>> back,
                  std::initializer_list<std::pair<int32_t, double>> lay,
                  std::optional<int32_t> ltp = std::nullopt) {
  RunnerBook r;
  r.selection_id = id;
  for (auto [p, s] : back) r.atb[O(p)] = s;
  for (auto [p, s] : lay) r.atl[O(p)] = s;
  if (ltp) r.ltp = O(*ltp);
  return r;
}

TEST(BetfairRefPrice, ProbabilityMid) {
  EXPECT_EQ(probability_mid(O(20000), O(20200)), O(20100));  // 2.00995 -> 2.0100 (half up)
  EXPECT_EQ(probability_mid(O(15000), O(15200)), O(15099));  // 1.509933
  EXPECT_EQ(probability_mid(O(30000), O(30000)), O(30000));
  EXPECT_EQ(probability_mid(O(10100), O(10000000)), O(20180));  // 2*1.01*1000/1001.01 = 2.017962
}

TEST(BetfairRefPrice, MidWhenTheSpreadIsTight) {
  MarketBook m = open_market();
  // back 1.50 / lay 1.52: 2 ticks.
  m.runners.push_back(runner(7, {{15000, 10}, {14900, 50}}, {{15200, 4}}, 16000));
  auto p = ref_price(m, m.runners[0]);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->source, RefSource::Mid);
  EXPECT_EQ(p->price, O(15099));
  EXPECT_EQ(p->selection_id, 7);
  // Exactly max_spread_ticks is still tight: 1.50 / 1.55 with max 5.
  m.runners[0] = runner(7, {{15000, 1}}, {{15500, 1}});
  p = ref_price(m, m.runners[0]);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->source, RefSource::Mid);
  // 1.50 / 1.56 is 6 ticks: no trade, so no reference.
  m.runners[0] = runner(7, {{15000, 1}}, {{15600, 1}});
  EXPECT_FALSE(ref_price(m, m.runners[0]));
  RefPriceConfig wide;
  wide.max_spread_ticks = 6;
  EXPECT_EQ(ref_price(m, m.runners[0], wide)->source, RefSource::Mid);
}

TEST(BetfairRefPrice, SpreadCountsLadderTicksAcrossBands) {
  MarketBook m = open_market();
  // 1.98 / 2.04: 1.99 2.00 2.02 2.04 = 4 ticks (arithmetically 0.06).
  m.runners.push_back(runner(1, {{19800, 1}}, {{20400, 1}}));
  auto p = ref_price(m, m.runners[0]);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->source, RefSource::Mid);
  EXPECT_EQ(p->price, O(20096));  // 2*1.98*2.04/4.02 = 2.009552
}

TEST(BetfairRefPrice, LtpWhenTheSpreadIsWideClampedIntoTheSpread) {
  MarketBook m = open_market();
  m.runners.push_back(runner(1, {{15000, 1}}, {{16000, 1}}, 15500));  // 10 ticks
  auto p = ref_price(m, m.runners[0]);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->source, RefSource::Ltp);
  EXPECT_EQ(p->price, O(15500));
  m.runners[0].ltp = O(17000);
  p = ref_price(m, m.runners[0]);
  EXPECT_EQ(p->source, RefSource::LtpClamped);
  EXPECT_EQ(p->price, O(16000));
  m.runners[0].ltp = O(14000);
  p = ref_price(m, m.runners[0]);
  EXPECT_EQ(p->source, RefSource::LtpClamped);
  EXPECT_EQ(p->price, O(15000));
}

TEST(BetfairRefPrice, TooWideOneSidedOrCrossedBookGivesNone) {
  MarketBook m = open_market();
  m.runners.push_back(runner(1, {{15000, 1}}, {{20000, 1}}, 17000));  // 50 ticks
  EXPECT_EQ(ref_price(m, m.runners[0])->price, O(17000));
  m.runners[0].atl.clear();
  m.runners[0].atl[O(20200)] = 1;  // 51 ticks
  EXPECT_FALSE(ref_price(m, m.runners[0]));
  RefPriceConfig cfg;
  cfg.max_ltp_spread_ticks = 51;
  EXPECT_EQ(ref_price(m, m.runners[0], cfg)->price, O(17000));
  m.runners[0] = runner(1, {{30000, 5}}, {}, 34000);  // back only
  EXPECT_FALSE(ref_price(m, m.runners[0]));
  m.runners[0] = runner(1, {}, {{30000, 5}}, 29000);  // lay only
  EXPECT_FALSE(ref_price(m, m.runners[0]));
  m.runners[0] = runner(1, {{30000, 5}}, {{29000, 5}}, 29500);  // crossed
  EXPECT_FALSE(ref_price(m, m.runners[0]));
  m.runners[0] = runner(1, {{30000, 5}}, {{30000, 5}}, 30000);  // locked
  EXPECT_FALSE(ref_price(m, m.runners[0]));
}

TEST(BetfairRefPrice, LtpOnlyDataUsesTheLtp) {
  MarketBook m = open_market();
  m.runners.push_back(runner(1, {}, {}, 34000));
  auto p = ref_price(m, m.runners[0]);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->source, RefSource::Ltp);
  EXPECT_EQ(p->price, O(34000));
  m.runners[0] = runner(1, {}, {});
  EXPECT_FALSE(ref_price(m, m.runners[0]));
  // Levels that exist but are all thinner than min_size are not "no book".
  m.runners[0] = runner(1, {{30000, 0.5}}, {{31000, 0.5}}, 30500);
  RefPriceConfig cfg;
  cfg.min_size = 2;
  EXPECT_FALSE(ref_price(m, m.runners[0], cfg));
}

TEST(BetfairRefPrice, DepthLaddersServeWhenThereIsNoFullLadder) {
  MarketBook m = open_market();
  RunnerBook r;
  r.selection_id = 3;
  r.bdatb.set(0, O(40000), 2);
  r.bdatl.set(0, O(41000), 2);
  m.runners.push_back(r);
  auto p = ref_price(m, m.runners[0]);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->source, RefSource::Mid);
  EXPECT_EQ(p->price, O(40494));  // 2*4*4.1/8.1 = 4.049383
}

TEST(BetfairRefPrice, MinSizeSkipsThinLevels) {
  MarketBook m = open_market();
  m.runners.push_back(runner(1, {{15000, 0.5}, {14900, 20}}, {{15100, 0.3}, {15200, 30}}));
  RefPriceConfig cfg;
  cfg.min_size = 2;
  auto p = ref_price(m, m.runners[0], cfg);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->price, probability_mid(O(14900), O(15200)));
  EXPECT_EQ(ref_price(m, m.runners[0])->price, probability_mid(O(15000), O(15100)));
}

TEST(BetfairRefPrice, NoReferenceUnlessOpenAndActive) {
  MarketBook m = open_market();
  m.runners.push_back(runner(1, {{20000, 1}}, {{20200, 1}}, 20000));
  m.runners.push_back(runner(2, {{20000, 1}}, {{20200, 1}}, 20000));
  m.runners[1].status = RunnerStatus::Removed;
  auto all = ref_prices(m);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].selection_id, 1);
  for (auto st : {MarketStatus::Suspended, MarketStatus::Closed, MarketStatus::Inactive,
                  MarketStatus::Unknown}) {
    m.status = st;
    EXPECT_TRUE(ref_prices(m).empty()) << to_string(st);
  }
  m.status = MarketStatus::Suspended;
  RefPriceConfig any;
  any.require_open = false;
  EXPECT_EQ(ref_prices(m, any).size(), 1u);
  m.status = MarketStatus::Open;
  m.has_definition = false;  // deltas only, status never announced
  EXPECT_TRUE(ref_prices(m).empty());
}

}  // namespace
}  // namespace inplay::betfair
