#include "telemetry/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/json.h"
#include "telemetry/log_rate.h"

namespace inplay::log {

namespace {

std::atomic<const Clock*> g_clock{nullptr};
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

LogRateLimiter& limiter() {
  static auto* l = new LogRateLimiter();  // leaked, like the output
  return *l;
}

// The output side: one mutex so a line is never split or interleaved.
struct Output {
  std::mutex mu;
  std::function<void(std::string_view)> sink;
};
Output& output() {
  static auto* o = new Output();  // leaked: logging may run during static destruction
  return *o;
}

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// RFC 3339 UTC with milliseconds: 2026-11-27T20:00:00.123Z
std::string rfc3339_ms(TimePoint t) {
  using namespace std::chrono;
  auto ms = floor<milliseconds>(t);
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> tod{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     tod.hours().count(), tod.minutes().count(), tod.seconds().count(),
                     tod.subseconds().count());
}

}  // namespace

void configure(const Clock* clock, LogLevel min_level) {
  limiter().reset();
  g_clock.store(clock, std::memory_order_release);
  g_min_level.store(static_cast<int>(min_level), std::memory_order_relaxed);
}

void set_rate_limit(uint32_t burst, double per_second) { limiter().configure(burst, per_second); }

uint64_t suppressed_total() { return limiter().suppressed_total(); }

void set_sink(std::function<void(std::string_view line)> sink) {
  auto& o = output();
  std::lock_guard<std::mutex> g(o.mu);
  o.sink = std::move(sink);
}

bool enabled(LogLevel level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

void write(LogLevel level, std::string_view component, std::string_view msg,
           std::initializer_list<LogField> fields, std::source_location site) {
  if (!enabled(level)) return;
  const Clock* c = g_clock.load(std::memory_order_acquire);
  const TimePoint now = c ? c->now() : TimePoint{};
  int64_t suppressed = 0;
  if (c && (suppressed = limiter().admit(site, to_ns(now))) < 0) return;
  // Build the whole line before taking the lock.
  JsonWriter w;
  w.begin_object();
  if (c) w.field("ts", rfc3339_ms(now));
  w.field("level", level_name(level));
  w.field("component", component);
  w.field("msg", msg);
  for (const auto& f : fields) {
    w.key(f.key);
    std::visit([&w](const auto& v) { w.value(v); }, f.value);
  }
  if (suppressed > 0) {
    w.key("suppressed");
    w.value(suppressed);
  }
  w.end_object();
  std::string line = w.take();

  auto& o = output();
  std::lock_guard<std::mutex> g(o.mu);
  if (o.sink) {
    o.sink(line);
    return;
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace inplay::log
