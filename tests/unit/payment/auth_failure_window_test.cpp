#include "payment/auth_failure_window.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(AuthFailureWindow, TooFewValidPaymentsJudgeNothing) {
  AuthFailureWindow w;
  EXPECT_EQ(w.observe(0, 0, 0), 0.0);
  EXPECT_EQ(w.observe(1 * kSecond, 0, 9), 0.0);  // 9 failed of 9: too few to judge
  EXPECT_DOUBLE_EQ(w.observe(2 * kSecond, 0, 10), 1.0);
}

TEST(AuthFailureWindow, CountsSinceTheOldestSampleOfTheLastMinute) {
  AuthFailureWindow w;
  w.observe(0, 100, 100);  // a good past
  EXPECT_DOUBLE_EQ(w.observe(30 * kSecond, 105, 120), 0.75);  // 5 good of 20 since t=0
  // At 61 s the sample at 0 is older than a minute: counted from 30 s on.
  EXPECT_DOUBLE_EQ(w.observe(61 * kSecond, 115, 140), 0.5);  // 10 good of 20
}

TEST(AuthFailureWindow, KeepsOneSampleHoweverOld) {
  AuthFailureWindow w;
  w.observe(0, 0, 0);
  EXPECT_DOUBLE_EQ(w.observe(600 * kSecond, 0, 20), 0.0);  // only this sample is left: nothing to judge
}

}  // namespace
}  // namespace inplay
