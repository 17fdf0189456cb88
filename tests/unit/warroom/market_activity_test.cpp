// MarketActivity (src/warroom/market_activity.h): per-market accept p99 over
// the last minute (exact order statistic, bounded ring) and bets per second
// over the last ten seconds.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "warroom/market_activity.h"

namespace inplay {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kStart = 1'800'000'000 * kS;

TEST(MarketActivity, NoBetsNoP99AndZeroRate) {
  MarketActivity a;
  auto s = a.stats(101, kStart);
  EXPECT_EQ(s.decisions, 0u);
  EXPECT_FALSE(s.p99_ns);
  EXPECT_EQ(s.bets_per_second, 0.0);
}

TEST(MarketActivity, P99IsTheOrderStatisticOfTheLastMinute) {
  MarketActivity a;
  // 200 decisions on market 101 within the last minute: 1..200 ms.
  for (int64_t i = 1; i <= 200; ++i) a.on_decision(101, kStart - 50 * kS + i * 100 * kNsPerMs, i * kNsPerMs);
  // Another market's bets do not count for 101.
  a.on_decision(102, kStart - kS, 900 * kNsPerMs);
  auto s = a.stats(101, kStart);
  EXPECT_EQ(s.decisions, 200u);
  ASSERT_TRUE(s.p99_ns);
  EXPECT_EQ(*s.p99_ns, 198 * kNsPerMs);  // rank ceil(0.99 * 200) = 198
  EXPECT_EQ(*a.stats(102, kStart).p99_ns, 900 * kNsPerMs);
  // A minute later the old decisions are out of the window.
  a.on_decision(101, kStart + 30 * kS, 7 * kNsPerMs);
  s = a.stats(101, kStart + 65 * kS);
  EXPECT_EQ(s.decisions, 1u);
  EXPECT_EQ(*s.p99_ns, 7 * kNsPerMs);
  EXPECT_FALSE(a.stats(101, kStart + 200 * kS).p99_ns);
  EXPECT_EQ(a.markets(), 2u);
}

TEST(MarketActivity, RingKeepsTheLastSamplesOnly) {
  MarketActivity a;
  // One slow decision, then kSamples fast ones in the same minute push it out.
  a.on_decision(101, kStart - 20 * kS, 5000 * kNsPerMs);
  for (size_t i = 0; i < MarketActivity::kSamples; ++i) a.on_decision(101, kStart - 10 * kS, 2 * kNsPerMs);
  auto s = a.stats(101, kStart);
  EXPECT_EQ(s.decisions, MarketActivity::kSamples);
  EXPECT_EQ(*s.p99_ns, 2 * kNsPerMs);
}

TEST(MarketActivity, BetsPerSecondOverTheLastTenSeconds) {
  MarketActivity a;
  // 3 a second for 20 seconds, ending at kStart.
  for (int64_t sec = 0; sec < 20; ++sec)
    for (int k = 0; k < 3; ++k) a.on_decision(101, kStart - (19 - sec) * kS + k * 100 * kNsPerMs, kNsPerMs);
  EXPECT_DOUBLE_EQ(a.stats(101, kStart + 500 * kNsPerMs).bets_per_second, 3.0);
  // Five seconds later, half the window is empty.
  EXPECT_DOUBLE_EQ(a.stats(101, kStart + 5 * kS).bets_per_second, 1.5);
  // A slot reused by a later second starts from zero.
  a.on_decision(101, kStart + 10 * kS, kNsPerMs);
  EXPECT_DOUBLE_EQ(a.stats(101, kStart + 10 * kS).bets_per_second, 0.1);
  EXPECT_DOUBLE_EQ(a.stats(101, kStart + 30 * kS).bets_per_second, 0.0);
}

}  // namespace
}  // namespace inplay
