#include "telemetry/log_rate.h"

#include <algorithm>
#include <cmath>

namespace inplay {

LogRateLimiter::LogRateLimiter() { configure(kDefaultBurst, kDefaultPerSecond); }

void LogRateLimiter::configure(uint32_t burst, double per_second) {
  std::lock_guard<std::mutex> g(mu_);
  if (burst == 0 || !(per_second > 0.0)) {
    cost_ns_ = cap_ns_ = 0;
  } else {
    cost_ns_ = std::max<int64_t>(1, static_cast<int64_t>(std::llround(1e9 / per_second)));
    cap_ns_ = cost_ns_ > INT64_MAX / burst ? INT64_MAX : cost_ns_ * burst;
  }
  sites_.fill(Site{});
}

void LogRateLimiter::reset() {
  std::lock_guard<std::mutex> g(mu_);
  sites_.fill(Site{});
}

LogRateLimiter::Site* LogRateLimiter::find_locked(const std::source_location& where, int64_t now_ns) {
  uint64_t h = reinterpret_cast<uintptr_t>(where.file_name());
  h ^= (static_cast<uint64_t>(where.line()) << 32) ^ where.column();
  h *= 0x9e3779b97f4a7c15ULL;
  size_t i = static_cast<size_t>(h >> 54) % kSites;  // top bits: the best mixed
  for (size_t probe = 0; probe < kSites; ++probe, i = (i + 1) % kSites) {
    Site& s = sites_[i];
    if (s.file == nullptr) {
      s = Site{where.file_name(), where.line(), where.column(), now_ns, cap_ns_, 0};
      return &s;
    }
    if (s.file == where.file_name() && s.line == where.line() && s.column == where.column()) return &s;
  }
  return nullptr;
}

int64_t LogRateLimiter::admit(const std::source_location& where, int64_t now_ns) {
  std::lock_guard<std::mutex> g(mu_);
  if (cost_ns_ == 0) return 0;
  Site* s = find_locked(where, now_ns);
  if (!s) return 0;  // table full: this site goes unlimited
  if (now_ns > s->last_ns) {
    const int64_t earned = now_ns - s->last_ns;
    s->credit_ns = earned >= cap_ns_ - s->credit_ns ? cap_ns_ : s->credit_ns + earned;
    s->last_ns = now_ns;
  }
  if (s->credit_ns >= cost_ns_) {
    s->credit_ns -= cost_ns_;
    const uint64_t n = s->suppressed;
    s->suppressed = 0;
    return static_cast<int64_t>(n);
  }
  ++s->suppressed;
  suppressed_total_.fetch_add(1, std::memory_order_relaxed);
  return -1;
}

}  // namespace inplay
