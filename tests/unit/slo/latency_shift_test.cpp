// LatencyShift (slo/latency_shift.h): the update-latency p95 of the last
// 30 s against its own baseline before it (ODDS-3's "alert when p95 shifts
// fast").
#include <gtest/gtest.h>

#include "slo/latency_shift.h"

using namespace inplay;

namespace {

constexpr int64_t kMs = 1'000'000;

// n updates a second from `from` to `to` (exclusive), every 10th at `slow`
// (so the p95 is `slow`).
void feed(LatencyShift& s, int64_t from, int64_t to, int64_t fast, int64_t slow, int n = 30) {
  for (int64_t t = from; t < to; ++t)
    for (int i = 0; i < n; ++i) s.add(t, i % 10 == 9 ? slow : fast);
}

}  // namespace

TEST(LatencyShift, AJumpOverTheBaselineAndOverTheBoundShows) {
  LatencyShift s;
  feed(s, 0, 600, 20 * kMs, 60 * kMs);
  EXPECT_EQ(s.ratio(), 0);  // healthy: p95 far under 300 ms
  EXPECT_NEAR(static_cast<double>(s.recent_p95_ns()), 60.0 * kMs, 0.07 * 60 * kMs);
  feed(s, 600, 630, 600 * kMs, 650 * kMs);  // the feed slows to 600 ms
  EXPECT_NEAR(static_cast<double>(s.recent_p95_ns()), 650.0 * kMs, 0.07 * 650 * kMs);
  // The baseline lies before the recent window: the jump does not lift it.
  EXPECT_NEAR(static_cast<double>(s.baseline_p95_ns()), 60.0 * kMs, 0.07 * 60 * kMs);
  EXPECT_GT(s.ratio(), 3.0);
  EXPECT_LT(s.ratio(), 15.0);
}

TEST(LatencyShift, AStandingDelayIsNoShift) {
  // Late all along (the SLO and feed_late see that), not a sudden change.
  LatencyShift s;
  feed(s, 0, 630, 600 * kMs, 650 * kMs);
  EXPECT_GT(s.recent_p95_ns(), 300 * kMs);
  EXPECT_LT(s.ratio(), 1.2);
}

TEST(LatencyShift, AShiftUnderTheBoundOrWithoutBaselineIsQuiet) {
  LatencyShift small;
  feed(small, 0, 600, 5 * kMs, 10 * kMs);
  feed(small, 600, 630, 150 * kMs, 200 * kMs);  // 20x, but under ODDS-2's 300 ms
  EXPECT_EQ(small.ratio(), 0);

  LatencyShift cold;  // a feed just switched to: no baseline yet
  feed(cold, 1000, 1030, 600 * kMs, 650 * kMs);
  EXPECT_EQ(cold.baseline_count(), 0u);
  EXPECT_EQ(cold.ratio(), 0);

  LatencyShift few;  // a handful of slow updates is no p95
  feed(few, 0, 600, 20 * kMs, 60 * kMs);
  feed(few, 600, 630, 20 * kMs, 60 * kMs, 0);
  for (int i = 0; i < 5; ++i) few.add(629, 900 * kMs);
  EXPECT_EQ(few.recent_count(), 5u);
  EXPECT_EQ(few.ratio(), 0);
}

TEST(LatencyShift, TheRecentWindowForgetsAndAnOldUpdateIsNotCounted) {
  LatencyShift s;
  feed(s, 0, 600, 20 * kMs, 60 * kMs);
  feed(s, 600, 630, 600 * kMs, 650 * kMs);
  ASSERT_GT(s.ratio(), 3.0);
  feed(s, 630, 660, 20 * kMs, 60 * kMs);  // back on time: the shift has left the recent window
  EXPECT_EQ(s.ratio(), 0);
  s.advance(2000);  // nothing for 20 minutes: both windows empty
  EXPECT_EQ(s.recent_count(), 0u);
  EXPECT_EQ(s.baseline_count(), 0u);
  s.add(100, 900 * kMs);  // older than the ring
  EXPECT_EQ(s.recent_count() + s.baseline_count(), 0u);
}
