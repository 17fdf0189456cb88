// Book times as RFC 3339 UTC with milliseconds (src/core/time_format.h): the
// fixed-width writer agrees with the calendar, and parsing gives it back.
#include "core/time_format.h"

#include <gtest/gtest.h>

#include <random>

namespace inplay {
namespace {

TEST(TimeFormat, WritesUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(1'764'345'600'123'456'789), "2025-11-28T16:00:00.123Z");
  EXPECT_EQ(rfc3339_ms(951'782'400'007'000'000), "2000-02-29T00:00:00.007Z");  // a leap day
  EXPECT_EQ(rfc3339_ms(INT64_MAX), "2262-04-11T23:47:16.854Z");  // the last nanosecond an int64 holds
}

TEST(TimeFormat, ParsingGivesTheSameMillisecondBack) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    const int64_t ms = static_cast<int64_t>(rng() % 9'000'000'000'000ull);  // 1970 .. 2255
    int64_t back = 0;
    const std::string s = rfc3339_ms(ms * 1'000'000);
    ASSERT_TRUE(parse_rfc3339_ns(s, back)) << s;
    EXPECT_EQ(back, ms * 1'000'000) << s;
  }
}

}  // namespace
}  // namespace inplay
