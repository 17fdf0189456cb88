// Book times as RFC 3339 UTC with milliseconds (src/core/time_format.h): the
// fixed-width writer agrees with the calendar, and parsing gives it back.
#include "core/time_format.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>
#include <string>

namespace inplay {
namespace {

TEST(TimeFormat, WritesUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(1'764'345'600'123'456'789), "2025-11-28T16:00:00.123Z");
  EXPECT_EQ(rfc3339_ms(951'782'400'007'000'000), "2000-02-29T00:00:00.007Z");  // a leap day
  EXPECT_EQ(rfc3339_ms(INT64_MAX), "2262-04-11T23:47:16.854Z");  // the last nanosecond an int64 holds
}

// What the fixed-width writer says, gmtime_r says: random times, and every
// millisecond either side of midnight on days in and out of order (the
// writer keeps the last day's date per thread).
TEST(TimeFormat, AgreesWithGmtimeAcrossDays) {
  auto reference = [](int64_t ns) {
    const int64_t ms = ns / 1'000'000;
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return std::string(buf);
  };
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    const int64_t ns = static_cast<int64_t>(rng() % static_cast<uint64_t>(INT64_MAX));
    ASSERT_EQ(rfc3339_ms(ns), reference(ns)) << ns;
  }
  for (int64_t day : {0, 1, 10957, 11016, 11017, 20424, 20425, 20424, 106751}) {  // 2000-02-29, 2025-12-02..
    for (int64_t ms = -1500; ms <= 1500; ++ms) {
      const int64_t ns = (day * 86'400'000 + ms) * 1'000'000 + 999'999;
      if (ns < 0) continue;
      ASSERT_EQ(rfc3339_ms(ns), reference(ns)) << ns;
    }
  }
  // Before the epoch, as before: gmtime_r's fields, the millisecond as it falls.
  for (int64_t ns : {int64_t{-1'000'000}, int64_t{-1'000'000'000}, int64_t{-86'400'123'000'000}})
    EXPECT_EQ(rfc3339_ms(ns), reference(ns)) << ns;
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
