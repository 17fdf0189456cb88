#include "core/time_format.h"

#include <fmt/format.h>

#include <ctime>

namespace inplay {

std::string rfc3339_ms(int64_t unix_ns) {
  int64_t ms = unix_ns / 1000000;
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(ms % 1000));
}

}  // namespace inplay
