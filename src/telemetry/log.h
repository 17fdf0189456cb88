// Log: structured JSON lines, one object per line, fixed keys first:
//   {"ts":"2026-11-27T20:00:00.123Z","level":"info","component":"engine",
//    "msg":"journal replayed","records":1234,...}
// Fields are typed key/values; never interpolate ids into msg. Raw account
// ids, e-mails, card numbers and IPs must never be passed (mask first).
// Writes go to stderr (or a file set at start) under a mutex; thread-safe.
//
// Rate limit per call site: every function below captures its caller's
// std::source_location by a default argument, and a token bucket per site
// (burst 20 lines, 10 lines/s back; set_rate_limit) measured on the
// configured Clock lets a storm from one line of code through only at that
// rate. Suppressed lines cost no formatting and are counted
// (suppressed_total(), the log_lines_suppressed_total metric); the next line
// written from that site carries "suppressed":N. No clock: no limit.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <source_location>
#include <string>
#include <string_view>
#include <variant>

namespace inplay {

class Clock;

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct LogField {
  std::string_view key;
  std::variant<int64_t, std::string_view, bool> value;
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

namespace log {
// Sets the clock used for "ts" and the rate limit (default: none -> ts
// omitted and no limit until set) and the minimum level. Call once at
// start-up; it forgets the rate limit's call sites.
void configure(const Clock* clock, LogLevel min_level);
// Per call site: `burst` lines at once, then `per_second` lines a second.
// per_second <= 0 or burst 0 switches the limit off.
void set_rate_limit(uint32_t burst, double per_second);
// Lines suppressed by the rate limit since the process started.
uint64_t suppressed_total();
// Redirects output (tests, a file chosen at start-up): the sink gets each
// line without its trailing '\n', called under the log mutex, so lines never
// interleave. An empty function restores stderr.
void set_sink(std::function<void(std::string_view line)> sink);
// Lines with level >= the configured minimum are written.
bool enabled(LogLevel level);
void write(LogLevel level, std::string_view component, std::string_view msg,
           std::initializer_list<LogField> fields = {},
           std::source_location site = std::source_location::current());
inline void info(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {},
                 std::source_location site = std::source_location::current()) {
  write(LogLevel::kInfo, c, m, f, site);
}
inline void warn(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {},
                 std::source_location site = std::source_location::current()) {
  write(LogLevel::kWarn, c, m, f, site);
}
inline void error(std::string_view c, std::string_view m, std::initializer_list<LogField> f = {},
                  std::source_location site = std::source_location::current()) {
  write(LogLevel::kError, c, m, f, site);
}
}  // namespace log

}  // namespace inplay
