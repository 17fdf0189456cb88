#include "telemetry/metrics_cache.h"

namespace inplay {

MetricsCache::MetricsCache(MetricsRegistry& registry, Nanos max_age, uint32_t max_per_second)
    : registry_(registry), max_age_ns_(max_age.count()), max_per_second_(max_per_second) {
  registry.counter_fn("metrics_renders_total",
                      "Renders of /metrics; scrapes within telemetry.metrics_max_age_ms of a render get its body",
                      [this] { return static_cast<double>(renders()); });
}

bool MetricsCache::admit(int64_t now_ns) {
  if (max_per_second_ == 0) return true;
  std::lock_guard lk(mu_);
  const int64_t second = now_ns / 1'000'000'000;
  if (second != second_) {
    second_ = second;
    in_second_ = 0;
  }
  if (in_second_ >= max_per_second_) return false;
  ++in_second_;
  return true;
}

bool MetricsCache::is_fresh(const Body& b, int64_t now_ns) const {
  return b.valid && max_age_ns_ > 0 && now_ns - b.rendered_ns < max_age_ns_;
}

std::optional<std::string> MetricsCache::fresh(bool openmetrics, int64_t now_ns) {
  std::lock_guard lk(mu_);
  const Body& b = bodies_[openmetrics ? 1 : 0];
  if (!is_fresh(b, now_ns)) return std::nullopt;
  return b.text;
}

std::string MetricsCache::render(bool openmetrics, int64_t now_ns) {
  std::lock_guard lk(mu_);
  Body& b = bodies_[openmetrics ? 1 : 0];
  if (is_fresh(b, now_ns)) return b.text;
  renders_.fetch_add(1, std::memory_order_relaxed);  // first: the body counts the render that made it
  b.text = openmetrics ? registry_.render_openmetrics() : registry_.render_prometheus();
  b.rendered_ns = now_ns;
  b.valid = true;
  return b.text;
}

}  // namespace inplay
