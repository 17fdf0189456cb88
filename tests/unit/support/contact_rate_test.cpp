// ContactRate (src/support/contact_rate.h): a support tag's recent rate
// against the slow average before it, on book seconds — cold until the
// baseline has history, quiet under min_contacts, 3x when three times as
// many write in, and a spike never lifting its own baseline.
#include "support/contact_rate.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

constexpr int64_t kT0Seconds = 1'800'000'000;  // a book second

SpikeTerms terms() {
  SpikeTerms t;
  t.window_s = 300;
  t.baseline_s = 3600;
  t.warmup_s = 600;
  t.min_contacts = 10;
  return t;
}

// One contact a minute from kT0Seconds for `minutes`; returns the last second covered.
int64_t steady(ContactRate& r, int64_t minutes, int64_t from = kT0Seconds) {
  for (int64_t m = 0; m < minutes; ++m) r.add(from + m * 60);
  const int64_t last = from + minutes * 60 - 1;
  r.advance(last);
  return last;
}

TEST(ContactRate, NoRatioUntilTheBaselineHasItsWarmUp) {
  ContactRate r(terms());
  r.advance(kT0Seconds);
  // A crowd at once: 50 contacts in the first minute, but no normal to compare with.
  for (int i = 0; i < 50; ++i) r.add(kT0Seconds + i);
  EXPECT_FALSE(r.warm());
  EXPECT_EQ(r.ratio(), 0.0);
  // History before the window: span - window. Warm at 600 s of it.
  r.advance(kT0Seconds + 300 + 598);
  EXPECT_EQ(r.baseline_history_s(), 599);
  EXPECT_FALSE(r.warm());
  r.advance(kT0Seconds + 300 + 599);
  EXPECT_EQ(r.baseline_history_s(), 600);
  EXPECT_TRUE(r.warm());
}

TEST(ContactRate, ThreeTimesTheBaselineIsARatioOfThree) {
  ContactRate r(terms());
  const int64_t end = steady(r, 60);  // an hour at 1 a minute
  EXPECT_NEAR(r.baseline_per_minute(), 1.0, 0.02);
  EXPECT_EQ(r.window_contacts(), 5);
  // Under min_contacts (10) in the window: no ratio, however it compares.
  EXPECT_EQ(r.ratio(), 0.0);
  // The next five minutes bring 15 contacts: 3 a minute.
  for (int i = 0; i < 15; ++i) r.add(end + 1 + i * 20);
  r.advance(end + 300);
  EXPECT_EQ(r.window_contacts(), 15);
  EXPECT_NEAR(r.recent_per_minute(), 3.0, 1e-9);
  EXPECT_NEAR(r.baseline_per_minute(), 1.0, 0.02);
  EXPECT_NEAR(r.ratio(), 3.0, 0.06);
}

TEST(ContactRate, ASpikeNeverLiftsItsOwnBaseline) {
  ContactRate r(terms());
  const int64_t end = steady(r, 60);
  const double before = r.baseline_per_minute();
  // 40 contacts a minute for the whole window: all of them are "recent".
  for (int64_t s = 1; s <= 300; ++s)
    if (s % 3 == 0) r.add(end + s, 2);
  r.advance(end + 300);
  EXPECT_EQ(r.window_contacts(), 200);
  EXPECT_NEAR(r.baseline_per_minute(), before, 0.02);
  EXPECT_GT(r.ratio(), 35.0);
  // Once the spike has left the window it joins the baseline: the slow average
  // moves a little (200 contacts over an hour), the ratio falls back.
  r.advance(end + 600);
  EXPECT_EQ(r.window_contacts(), 0);
  EXPECT_GT(r.baseline_per_minute(), before + 2.5);
  EXPECT_EQ(r.ratio(), 0.0);
}

TEST(ContactRate, ATagNobodyWroteAboutHasAFlooredBaseline) {
  ContactRate r(terms());
  r.advance(kT0Seconds);
  r.advance(kT0Seconds + 3600);
  EXPECT_TRUE(r.warm());
  EXPECT_EQ(r.baseline_per_minute(), 0.0);
  for (int i = 0; i < 9; ++i) r.add(kT0Seconds + 3600);
  EXPECT_EQ(r.ratio(), 0.0);  // nine is no trend
  r.add(kT0Seconds + 3600);
  // 10 in 5 minutes = 2 a minute, against the floor of 0.1 a minute.
  EXPECT_NEAR(r.ratio(), 2.0 / ContactRate::kFloorPerMinute, 1e-9);
}

TEST(ContactRate, ALateContactCountsWhereItOpened) {
  ContactRate r(terms());
  const int64_t end = steady(r, 60);
  const double before = r.baseline_per_minute();
  // Reported now, opened 10 minutes ago: in the baseline, not the window.
  EXPECT_TRUE(r.add(end - 600, 30));
  EXPECT_EQ(r.window_contacts(), 5);
  EXPECT_GT(r.baseline_per_minute(), before);
  // Older than the ring, or than the ring's first second: not counted.
  EXPECT_FALSE(r.add(end - 3900 - 10));
  ContactRate fresh(terms());
  fresh.advance(kT0Seconds);
  EXPECT_FALSE(fresh.add(kT0Seconds - 5));
  fresh.advance(kT0Seconds + 1000);
  EXPECT_EQ(fresh.baseline_per_minute(), 0.0);
}

TEST(ContactRate, ABookClockJumpEmptiesTheWindows) {
  ContactRate r(terms());
  const int64_t end = steady(r, 60);
  r.advance(end + 2 * 86400);  // the simulated clock moved two days
  EXPECT_EQ(r.window_contacts(), 0);
  EXPECT_EQ(r.baseline_per_minute(), 0.0);
  EXPECT_TRUE(r.warm());  // it was watching all along: a quiet tag, not an unknown one
}

}  // namespace
}  // namespace inplay
