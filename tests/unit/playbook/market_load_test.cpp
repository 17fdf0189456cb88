// MarketLoad (issue 18, item 2b): the surge rule's signal keys on what
// hurts. Heavy load spread over the markets (evenly, or leaning to the
// crowd's favourite markets) is never one market's fault; a one-market surge
// while accept p99 is over target is; decisions, not offers, are counted, so
// a shed market cools down and the signal clears when the surge ends.
#include "playbook/market_load.h"

#include <gtest/gtest.h>

using namespace inplay;

namespace {
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'800'000'000;  // seconds

// Decides `per_market[i]` bets a second on market 100+i for `seconds`, each
// taking latency_ms; returns the hot markets seen at each second.
std::vector<std::vector<MarketLoad::Hot>> run(MarketLoad& load, int64_t& t, const std::vector<int>& per_market,
                                             int64_t latency_ms, int seconds) {
  std::vector<std::vector<MarketLoad::Hot>> seen;
  for (int s = 0; s < seconds; ++s, ++t) {
    for (size_t m = 0; m < per_market.size(); ++m)
      for (int i = 0; i < per_market[m]; ++i) load.on_decision(t, 100 + m, 1 + m / 3, latency_ms * kMs);
    seen.push_back(load.hot(t));
  }
  return seen;
}

size_t count_hot(const std::vector<std::vector<MarketLoad::Hot>>& seen) {
  size_t n = 0;
  for (auto& v : seen) n += v.size();
  return n;
}
}  // namespace

TEST(MarketLoad, HeavySpreadLoadIsNeverOneMarketsFault) {
  MarketLoad load;
  int64_t t = kT0;
  // Every accept far over target (the whole book is slow): even, and
  // leaning 2.5x to three favourite markets as a real crowd does.
  EXPECT_EQ(count_hot(run(load, t, std::vector<int>(12, 300), 2000, 30)), 0u);
  EXPECT_EQ(count_hot(run(load, t, {250, 100, 100, 250, 100, 100, 250, 100, 100}, 2000, 30)), 0u);
}

TEST(MarketLoad, ABusyMarketOnABookThatKeepsUpHurtsNobody) {
  MarketLoad load;
  int64_t t = kT0;
  EXPECT_EQ(count_hot(run(load, t, {5000, 10, 10, 10}, 3, 30)), 0u) << "p99 is under target";
}

TEST(MarketLoad, AOneMarketSurgeWhileSlowIsHotAndClearsWhenItEnds) {
  MarketLoad load;
  int64_t t = kT0;
  run(load, t, {20, 20, 20, 20, 20}, 10, 10);  // an ordinary afternoon
  auto surge = run(load, t, {200, 20, 20, 20, 20}, 900, 10);
  ASSERT_FALSE(surge.back().empty());
  EXPECT_EQ(surge.back()[0].market_id, 100u);
  EXPECT_EQ(surge.back()[0].event_id, 1u);
  EXPECT_NEAR(surge.back()[0].share, 200.0 / 280.0, 0.01);
  // Shed to 50 bets/s: the refused bets are never decided, so they do not
  // count; the market no longer stands out and the signal clears even
  // before latency recovers.
  auto shed = run(load, t, {50, 20, 20, 20, 20}, 900, 10);
  EXPECT_TRUE(shed.back().empty());
  // The surge ends: nothing is hot.
  EXPECT_EQ(count_hot(run(load, t, {20, 20, 20, 20, 20}, 10, 10)), 0u);
}

TEST(MarketLoad, NoVerdictOnATrickle) {
  MarketLoad load;
  int64_t t = kT0;
  EXPECT_EQ(count_hot(run(load, t, {8, 0, 1}, 5000, 30)), 0u) << "under 50 decisions in the window";
}
