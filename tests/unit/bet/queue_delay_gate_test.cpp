// QueueDelayGate (issue 18, item 2): the CoDel-style state machine on a
// simulated clock — it enters dropping only once sojourn has stayed above
// target for a whole interval, and leaves at the first sojourn under target
// or after an interval with no bet taken.
#include "bet/queue_delay_gate.h"
#include "core/clock.h"

#include <gtest/gtest.h>

using namespace inplay;

namespace {
constexpr int64_t kT0 = 1'800'000'000'000'000'000;
}  // namespace

TEST(QueueDelayGate, ABurstShorterThanTheIntervalNeverDrops) {
  QueueDelayGate g(5 * kNsPerMs, 100 * kNsPerMs);
  for (int i = 0; i < 90; ++i) g.observe(50 * kNsPerMs, kT0 + i * kNsPerMs);  // 90 ms of a long queue
  EXPECT_FALSE(g.dropping());
  g.observe(1 * kNsPerMs, kT0 + 91 * kNsPerMs);  // it drained
  for (int i = 92; i < 180; ++i) g.observe(50 * kNsPerMs, kT0 + i * kNsPerMs);  // the clock starts again
  EXPECT_FALSE(g.dropping());
  EXPECT_EQ(g.entered(), 0u);
}

TEST(QueueDelayGate, EntersAfterAStandingQueueForAnIntervalAndLeavesUnderTarget) {
  QueueDelayGate g(5 * kNsPerMs, 100 * kNsPerMs);
  for (int i = 0; i < 100; ++i) g.observe(6 * kNsPerMs, kT0 + i * kNsPerMs);
  EXPECT_FALSE(g.dropping()) << "99 ms above target is less than the interval";
  g.observe(6 * kNsPerMs, kT0 + 100 * kNsPerMs);
  EXPECT_TRUE(g.dropping());
  EXPECT_EQ(g.entered(), 1u);
  g.observe(7 * kNsPerMs, kT0 + 101 * kNsPerMs);  // the queue still holds old bets
  EXPECT_TRUE(g.dropping());
  g.tick(kT0 + 150 * kNsPerMs);  // a bet was taken within the interval
  EXPECT_TRUE(g.dropping());
  g.observe(4 * kNsPerMs, kT0 + 160 * kNsPerMs);  // under target: the queue is short again
  EXPECT_FALSE(g.dropping());
  // Entering again needs a whole new interval above target.
  g.observe(9 * kNsPerMs, kT0 + 170 * kNsPerMs);
  g.observe(9 * kNsPerMs, kT0 + 260 * kNsPerMs);
  EXPECT_FALSE(g.dropping());
  g.observe(9 * kNsPerMs, kT0 + 270 * kNsPerMs);
  EXPECT_TRUE(g.dropping());
  EXPECT_EQ(g.entered(), 2u);
}

TEST(QueueDelayGate, LeavesWhenNoBetIsTakenForAnInterval) {
  // While dropping the edge refuses every new bet, so the queue drains and
  // no sample under target may ever come: an empty interval ends it.
  QueueDelayGate g(5 * kNsPerMs, 100 * kNsPerMs);
  for (int i = 0; i <= 100; i += 10) g.observe(20 * kNsPerMs, kT0 + i * kNsPerMs);
  ASSERT_TRUE(g.dropping());
  g.tick(kT0 + 199 * kNsPerMs);
  EXPECT_TRUE(g.dropping()) << "the last bet was taken 99 ms ago";
  g.tick(kT0 + 200 * kNsPerMs);
  EXPECT_FALSE(g.dropping());
  // An idle queue also forgets a run above target that had not yet dropped.
  g.observe(20 * kNsPerMs, kT0 + 300 * kNsPerMs);
  g.tick(kT0 + 400 * kNsPerMs);
  g.observe(20 * kNsPerMs, kT0 + 401 * kNsPerMs);
  EXPECT_FALSE(g.dropping());
}

TEST(QueueDelayGate, TargetZeroIsOff) {
  QueueDelayGate g(0, 100 * kNsPerMs);
  for (int i = 0; i < 1000; ++i) g.observe(1000 * kNsPerMs, kT0 + i * kNsPerMs);
  EXPECT_FALSE(g.dropping());
}
