// MarketActivity (src/warroom/market_activity.h): per-market accept p99 over
// the last minute (exact order statistic, bounded ring) and bets per second
// over the last ten seconds.
#include <gtest/gtest.h>

#include "warroom/market_activity.h"

namespace inplay {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'800'000'000 * kS;

TEST(MarketActivity, NoBetsNoP99AndZeroRate) {
  MarketActivity a;
  auto s = a.stats(101, kT0);
  EXPECT_EQ(s.decisions, 0u);
  EXPECT_FALSE(s.p99_ns);
  EXPECT_EQ(s.bets_per_second, 0.0);
}

TEST(MarketActivity, P99IsTheOrderStatisticOfTheLastMinute) {
  MarketActivity a;
  // 200 decisions on market 101 within the last minute: 1..200 ms.
  for (int64_t i = 1; i <= 200; ++i) a.on_decision(101, kT0 - 50 * kS + i * 100 * kMs, i * kMs);
  // Another market's bets do not count for 101.
  a.on_decision(102, kT0 - kS, 900 * kMs);
  auto s = a.stats(101, kT0);
  EXPECT_EQ(s.decisions, 200u);
  ASSERT_TRUE(s.p99_ns);
  EXPECT_EQ(*s.p99_ns, 198 * kMs);  // rank ceil(0.99 * 200) = 198
  EXPECT_EQ(*a.stats(102, kT0).p99_ns, 900 * kMs);
  // A minute later the old decisions are out of the window.
  a.on_decision(101, kT0 + 30 * kS, 7 * kMs);
  s = a.stats(101, kT0 + 65 * kS);
  EXPECT_EQ(s.decisions, 1u);
  EXPECT_EQ(*s.p99_ns, 7 * kMs);
  EXPECT_FALSE(a.stats(101, kT0 + 200 * kS).p99_ns);
  EXPECT_EQ(a.markets(), 2u);
}

TEST(MarketActivity, RingKeepsTheLastSamplesOnly) {
  MarketActivity a;
  // One slow decision, then kSamples fast ones in the same minute push it out.
  a.on_decision(101, kT0 - 20 * kS, 5000 * kMs);
  for (size_t i = 0; i < MarketActivity::kSamples; ++i) a.on_decision(101, kT0 - 10 * kS, 2 * kMs);
  auto s = a.stats(101, kT0);
  EXPECT_EQ(s.decisions, MarketActivity::kSamples);
  EXPECT_EQ(*s.p99_ns, 2 * kMs);
}

TEST(MarketActivity, BetsPerSecondOverTheLastTenSeconds) {
  MarketActivity a;
  // 3 a second for 20 seconds, ending at kT0.
  for (int64_t sec = 0; sec < 20; ++sec)
    for (int k = 0; k < 3; ++k) a.on_decision(101, kT0 - (19 - sec) * kS + k * 100 * kMs, kMs);
  EXPECT_DOUBLE_EQ(a.stats(101, kT0 + 500 * kMs).bets_per_second, 3.0);
  // Five seconds later, half the window is empty.
  EXPECT_DOUBLE_EQ(a.stats(101, kT0 + 5 * kS).bets_per_second, 1.5);
  // A slot reused by a later second starts from zero.
  a.on_decision(101, kT0 + 10 * kS, kMs);
  EXPECT_DOUBLE_EQ(a.stats(101, kT0 + 10 * kS).bets_per_second, 0.1);
  EXPECT_DOUBLE_EQ(a.stats(101, kT0 + 30 * kS).bets_per_second, 0.0);
}

}  // namespace
}  // namespace inplay
