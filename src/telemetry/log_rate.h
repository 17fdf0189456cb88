// LogRateLimiter: a token bucket per log call site, so that a storm from one
// line of code cannot drown the disk or the other lines (telemetry/log.h
// runs every line through one process-wide limiter).
//
// A call site is a std::source_location (file, line, column), captured by
// the log functions' default arguments. Each site starts with `burst` lines
// of credit and earns `per_second` lines a second back, measured on the
// caller's clock (nanoseconds; a clock that stands still earns nothing).
// A suppressed line is counted at its site; the next line let through there
// learns how many were suppressed since (to carry as "suppressed":N).
//
// Cheap: a fixed table of sites (open addressing on the location's
// pointer, line and column; no allocation), one short mutex hold per line.
// A site that finds the table full is not limited. Thread-safe.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <source_location>

namespace inplay {

class LogRateLimiter {
 public:
  static constexpr uint32_t kDefaultBurst = 20;
  static constexpr double kDefaultPerSecond = 10.0;
  static constexpr size_t kSites = 1024;

  LogRateLimiter();
  // per_second <= 0 (or burst 0) switches limiting off. Forgets every site.
  void configure(uint32_t burst, double per_second);
  // Forgets every site (a new clock starts a new timeline).
  void reset();
  // -1: suppress this line. Otherwise the lines suppressed at this site
  // since the last one let through (usually 0).
  int64_t admit(const std::source_location& where, int64_t now_ns);
  uint64_t suppressed_total() const { return suppressed_total_.load(std::memory_order_relaxed); }

 private:
  struct Site {
    const char* file = nullptr;  // nullptr: free slot
    uint_least32_t line = 0, column = 0;
    int64_t last_ns = 0;
    int64_t credit_ns = 0;  // a line costs cost_ns_ of credit
    uint64_t suppressed = 0;
  };
  Site* find_locked(const std::source_location& where, int64_t now_ns);

  std::mutex mu_;
  int64_t cost_ns_ = 0;  // 0: no limit
  int64_t cap_ns_ = 0;   // burst * cost
  std::array<Site, kSites> sites_{};
  std::atomic<uint64_t> suppressed_total_{0};
};

}  // namespace inplay
