// BookIntake (issue 17, item 3): the book-wide intake limit admits evenly
// through the second and refuses the smallest stakes first.
#include "bet/book_intake.h"
#include "core/clock.h"

#include <gtest/gtest.h>

using namespace inplay;

namespace {
}

TEST(BookIntake, NoLimitAdmitsEverything) {
  BookIntake in;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(in.admit(100, 0, i * kNsPerMs));
}

// 40 bets a second offered evenly, a third of them small (100, under the
// median stake) and the rest large (10,000 and 20,000), against a limit of
// 20 a second: over a minute about 20 a second pass, spread through each
// second, and they are the large bets: small ones pass only while the
// bucket is more than half full, which under this load it never is.
TEST(BookIntake, AdmitsAtTheLimitEvenlyAndSmallStakesFirstToGo) {
  BookIntake in;
  const int64_t t0 = 1'000'000 * 1'000'000'000LL;
  const int64_t stakes[] = {100, 10000, 20000};
  for (int i = 0; i < 400; ++i) in.admit(stakes[i % 3], 0, t0 + i * 25 * kNsPerMs);  // a history of stakes
  int small = 0, large = 0, first_half = 0;
  const int64_t start = t0 + 400 * 25 * kNsPerMs;
  for (int i = 0; i < 40 * 60; ++i) {
    const int64_t at = start + i * 25 * kNsPerMs;
    const int64_t stake = stakes[i % 3];
    if (!in.admit(stake, 20, at)) continue;
    (stake == 100 ? small : large)++;
    first_half += (at / (500 * kNsPerMs)) % 2 == 0;
  }
  EXPECT_NEAR(small + large, 20 * 60, 10);
  EXPECT_GT(large, 20 * small) << "small " << small << ", large " << large;
  // Evenly through the second, not the first 20 of it.
  EXPECT_NEAR(first_half, (small + large) / 2, (small + large) / 10);
}

TEST(BookIntake, ANewLimitStartsWithAFullBucketAndNoneWhenLifted) {
  BookIntake in;
  const int64_t t = 5'000'000'000'000LL;
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += in.admit(1000, 40, t);  // all in one instant
  EXPECT_EQ(admitted, 10);  // a quarter of a second's worth
  EXPECT_TRUE(in.admit(1000, 0, t));
  EXPECT_EQ(in.admit(1000, 40, t), true);  // a fresh bucket again
}
