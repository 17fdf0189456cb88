// FeedTimeliness (src/feed/feed_timeliness.h): a feed's lateness on the
// provider's clock — a steady delay reads as late (never absorbed), jitter
// alone does not, a future timestamp is clock skew, and "fresh" needs every
// recent line on time for as long as it is asked.
#include "feed/feed_timeliness.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'800'000'000 * kS;

// Lines every 200 ms from `from` for `seconds`, each `delay_ms` late.
void lines(FeedTimeliness& t, int64_t from, int64_t seconds, int64_t delay_ms) {
  for (int64_t at = from; at < from + seconds * kS; at += 200 * kMs) t.on_line(at, (at - delay_ms * kMs) / kMs);
}

TEST(FeedTimeliness, ASteadyDelayStaysLateHoweverLongItLasts) {
  FeedTimeliness t;
  lines(t, kT0, 600, 2500);  // ten minutes, every line 2.5 s late
  EXPECT_EQ(t.least_delay_ns(kT0 + 600 * kS - 1), 2500 * kMs);
  t.update(kT0 + 600 * kS - 1, true, 1000 * kMs);
  EXPECT_FALSE(t.fresh());
}

TEST(FeedTimeliness, JitterIsNotLatenessButIsNotFreshEither) {
  FeedTimeliness t;
  for (int64_t i = 0; i < 50; ++i) {
    int64_t at = kT0 + i * 100 * kMs;
    t.on_line(at, (at - (i % 10 == 0 ? 1800 : 20) * kMs) / kMs);  // one line in ten 1.8 s late
  }
  const int64_t now = kT0 + 4900 * kMs;
  EXPECT_EQ(t.least_delay_ns(now), 20 * kMs);    // its punctual lines: not late
  EXPECT_EQ(t.worst_delay_ns(now), 1800 * kMs);  // but not every line on time
  t.update(now, true, 1000 * kMs);
  EXPECT_FALSE(t.fresh());
}

TEST(FeedTimeliness, FreshSinceCountsFromWhenEveryRecentLineWasOnTime) {
  FeedTimeliness t;
  lines(t, kT0, 10, 2500);
  t.update(kT0 + 10 * kS, true, 1000 * kMs);
  EXPECT_FALSE(t.fresh());
  // On time from 10 s: fresh once the late lines leave the 5 s window.
  for (int64_t s = 10; s < 30; ++s) {
    lines(t, kT0 + s * kS, 1, 50);
    t.update(kT0 + (s + 1) * kS - 1, true, 1000 * kMs);
  }
  ASSERT_TRUE(t.fresh());
  EXPECT_EQ(t.fresh_since_ns(), kT0 + 15 * kS - 1);
  // Down (or no line for the window) is never fresh, and the hold restarts.
  t.update(kT0 + 30 * kS, false, 1000 * kMs);
  EXPECT_FALSE(t.fresh());
  EXPECT_EQ(t.worst_delay_ns(kT0 + 60 * kS), std::nullopt);
}

TEST(FeedTimeliness, AFutureTimestampIsNoDelayAndCountsAsClockSkew) {
  FeedTimeliness t;
  t.on_line(kT0, (kT0 + 3 * kS) / kMs);
  EXPECT_EQ(t.least_delay_ns(kT0), 0);
  EXPECT_EQ(t.skewed_lines(), 1u);
  EXPECT_EQ(t.last_skew_ns(), 3 * kS);
  t.on_line(kT0, INT64_MAX);  // absurd, and no overflow
  EXPECT_EQ(t.skewed_lines(), 2u);
  EXPECT_GT(t.last_skew_ns(), 0);
}

}  // namespace
}  // namespace inplay
