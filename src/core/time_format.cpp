// RFC 3339 times (contract in core/time_format.h).
#include "core/time_format.h"

#include <fmt/format.h>

#include <ctime>

namespace inplay {

namespace {

// The calendar date of one day since the epoch, asked of gmtime_r once per
// day per thread: gmtime_r takes glibc's time-zone lock on every call, and
// the engine, projection, audit and HTTP threads all write times per bet.
struct DayCache {
  int64_t day = -1;
  int year = 0, month = 0, mday = 0;
};

const DayCache& date_of(int64_t day) {
  thread_local DayCache cache;
  if (cache.day != day) {
    std::time_t secs = static_cast<std::time_t>(day * 86400);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    cache = DayCache{day, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
  }
  return cache;
}

}  // namespace

std::string rfc3339_ms(int64_t unix_ns) {
  int64_t ms = unix_ns / 1000000;
  if (ms < 0) {  // before the epoch: outside the fixed-width form
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  }
  const int64_t secs = ms / 1000;
  const DayCache& date = date_of(secs / 86400);
  const int of_day = static_cast<int>(secs % 86400), milli = static_cast<int>(ms % 1000);
  // Fixed width, written digit by digit: this runs for every bet's reply
  // (years past 9999 do not fit an int64 of nanoseconds).
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t end, int v, int width) {
    for (int i = 0; i < width; ++i, v /= 10) out[end - static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  put(3, date.year, 4);
  put(6, date.month, 2);
  put(9, date.mday, 2);
  put(12, of_day / 3600, 2);
  put(15, of_day / 60 % 60, 2);
  put(18, of_day % 60, 2);
  put(22, milli, 3);
  return out;
}

bool parse_rfc3339_ns(std::string_view s, int64_t& out) {
  auto digits = [&](size_t pos, size_t n, int& v) {
    if (pos + n > s.size()) return false;
    v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!digits(0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' ||
      !digits(8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' ||
      !digits(14, 2, mi) || s[16] != ':' || !digits(17, 2, se))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  if (y < 1970 || y > 2261) return false;  // nanoseconds since 1970 fit an int64 until 2262
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 9) frac = frac * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return false;
    for (int k = n; k < 9; ++k) frac *= 10;
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(i + 4, 2, om)) return false;
    offset_s = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_s;
  out = secs * 1000000000LL + frac;
  return true;
}

}  // namespace inplay
