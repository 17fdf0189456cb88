#include "feed/betfair/price.h"

#include <gtest/gtest.h>
#include "betfair_test_util.h"

namespace inplay::betfair {
namespace {

using test::O;

Odds parsed(std::string_view raw, PriceParse want) {
  Odds o;
  EXPECT_EQ(parse_price(raw, o), want) << raw;
  return o;
}

TEST(BetfairPrice, ExactFromRawText) {
  EXPECT_EQ(parsed("2", PriceParse::Exact), O(20000));
  EXPECT_EQ(parsed("1.83", PriceParse::Exact), O(18300));
  EXPECT_EQ(parsed("5.0", PriceParse::Exact), O(50000));
  EXPECT_EQ(parsed("1.01", PriceParse::Exact), O(10100));
  EXPECT_EQ(parsed("1000", PriceParse::Exact), O(10000000));
  EXPECT_EQ(parsed(" 2.74 \n", PriceParse::Exact), O(27400));  // raw tokens carry spaces
}

TEST(BetfairPrice, FloatArtefactsSnapToTheLadder) {
  EXPECT_EQ(parsed("1.8300000000000001", PriceParse::Snapped), O(18300));
  EXPECT_EQ(parsed("1.8299999999999998", PriceParse::Snapped), O(18300));
  EXPECT_EQ(parsed("2.0399999999999999", PriceParse::Snapped), O(20400));
  EXPECT_EQ(parsed("4.0999999999999996", PriceParse::Snapped), O(41000));
  EXPECT_EQ(parsed("1.0099999999999998", PriceParse::Snapped), O(10100));
  EXPECT_EQ(parsed("999.99999999999989", PriceParse::Snapped), O(10000000));
  // Not a ladder price even after rounding: nearest tick (ties go down).
  EXPECT_EQ(parsed("2.0100000000000002", PriceParse::Snapped), O(20000));
  EXPECT_EQ(parsed("2.0110000000000001", PriceParse::Snapped), O(20200));
}

TEST(BetfairPrice, Errors) {
  for (std::string_view bad : {"", "-1.5", "1e3", "1.5E+2", "0", "1.00", "1000.01",
                               "1001", "abc", "\"1.5\"", "1.", ".5", "0.99999999999"}) {
    Odds o;
    EXPECT_EQ(parse_price(bad, o), PriceParse::Error) << bad;
  }
}

TEST(BetfairLadder, ThreeHundredFiftyIncreasingTicks) {
  EXPECT_EQ(tick_at(0), O(10100));
  EXPECT_EQ(tick_at(99), O(20000));
  EXPECT_EQ(tick_at(100), O(20200));
  EXPECT_EQ(tick_at(149), O(30000));
  EXPECT_EQ(tick_at(150), O(30500));
  EXPECT_EQ(tick_at(kLadderTicks - 1), O(10000000));
  EXPECT_EQ(tick_at(-5), O(10100));
  EXPECT_EQ(tick_at(1000), O(10000000));
  for (int i = 0; i < kLadderTicks; ++i) {
    EXPECT_EQ(tick_index(tick_at(i)), i);
    EXPECT_EQ(nearest_tick(tick_at(i)), tick_at(i));
    if (i > 0) {
      EXPECT_LT(tick_at(i - 1), tick_at(i));
    }
  }
}

TEST(BetfairLadder, OffLadderPrices) {
  EXPECT_EQ(tick_index(O(20100)), -1);  // 2.01
  EXPECT_EQ(tick_index(O(10150)), -1);  // 1.015
  EXPECT_EQ(nearest_tick(O(20100)), O(20000));
  EXPECT_EQ(nearest_tick(O(20101)), O(20200));
  EXPECT_EQ(nearest_tick(O(1010000)), O(1000000));  // 101 -> 100
  EXPECT_EQ(nearest_tick(O(1060000)), O(1100000));  // 106 -> 110
  EXPECT_EQ(ticks_between(O(15000), O(15500)), 5);
  EXPECT_EQ(ticks_between(O(19900), O(20400)), 3);  // 1.99 2.00 2.02 2.04
  EXPECT_EQ(ticks_between(O(20400), O(19900)), -3);
  EXPECT_EQ(ticks_between(O(10100), O(10000000)), kLadderTicks - 1);
}

}  // namespace
}  // namespace inplay::betfair
