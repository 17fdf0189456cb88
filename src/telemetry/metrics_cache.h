// MetricsCache: the rendered /metrics bodies (Prometheus text and
// OpenMetrics), rendered again at most once per `max_age` (issue 18, item 4).
// A scrape finds the body of the last render if it is younger than max_age,
// so a flood of scrapes costs one render per max_age instead of one per
// request, and cannot take the CPU that bets need. A scraper sees figures at
// most max_age old (Prometheus scrapes every 5 s or more); max_age 0 renders
// every scrape (the integration tests, which read a metric right after the
// action that moves it).
//
// Serving a cached body still costs the I/O thread a copy and a write, so
// scrapes are also counted per second: past `max_per_second` (0: no limit)
// admit() says no and the API answers 503 OVERLOADED (Retry-After: 1) with
// a tiny body.
//
// Any thread. fresh() is a lock and a copy; render() holds the lock while it
// renders, so concurrent scrapes of a stale body wait for one render rather
// than each rendering. Time is the caller's (monotonic ns).
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "telemetry/metrics.h"

namespace inplay {

class MetricsCache {
 public:
  // Registers metrics_renders_total on `registry`.
  MetricsCache(MetricsRegistry& registry, Nanos max_age, uint32_t max_per_second = 0);

  // Counts a scrape at now_ns; false past max_per_second in its second.
  bool admit(int64_t now_ns);

  // The body if one rendered at most max_age before now_ns is at hand.
  std::optional<std::string> fresh(bool openmetrics, int64_t now_ns);
  // The body, rendered now unless a render younger than max_age is at hand
  // (another scrape rendered it while this one waited).
  std::string render(bool openmetrics, int64_t now_ns);
  uint64_t renders() const { return renders_.load(std::memory_order_relaxed); }

 private:
  struct Body {
    std::string text;
    int64_t rendered_ns = 0;
    bool valid = false;
  };
  bool is_fresh(const Body& b, int64_t now_ns) const;

  MetricsRegistry& registry_;
  const int64_t max_age_ns_;
  const uint32_t max_per_second_;
  int64_t second_ = -1;        // the second admit() counts in (guarded by mu_)
  uint32_t in_second_ = 0;     // scrapes admitted in it
  mutable std::mutex mu_;
  Body bodies_[2];  // [0] Prometheus text, [1] OpenMetrics
  std::atomic<uint64_t> renders_{0};  // atomic: the render reads it (metrics_renders_total)
};

}  // namespace inplay
