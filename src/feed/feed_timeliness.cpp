#include "feed/feed_timeliness.h"
#include "core/clock.h"

#include <algorithm>

namespace inplay {

namespace {
constexpr int64_t kMs = 1'000'000;
}  // namespace

void FeedTimeliness::on_line(int64_t now_ns, int64_t ts_ms) {
  // Compared in milliseconds: a far-future timestamp cannot overflow.
  const int64_t now_ms = now_ns / kMs;
  int64_t delay = 0;
  if (ts_ms > now_ms) {
    ++skewed_lines_;
    last_skew_ns_ = std::min(ts_ms - now_ms, INT64_MAX / kMs) * kMs;
  } else {
    delay = now_ns - ts_ms * kMs;
  }
  const int64_t s = now_ns / kNsPerSecond;
  Second& slot = ring_[static_cast<size_t>(s % kWindowS)];
  if (slot.s != s) slot = Second{s, delay, delay};
  slot.least = std::min(slot.least, delay);
  slot.worst = std::max(slot.worst, delay);
}

std::optional<int64_t> FeedTimeliness::over_window(int64_t now_ns, bool worst) const {
  const int64_t s = now_ns / kNsPerSecond;
  std::optional<int64_t> out;
  for (const Second& x : ring_) {
    if (x.s <= s - kWindowS || x.s > s) continue;
    const int64_t v = worst ? x.worst : x.least;
    out = !out ? v : worst ? std::max(*out, v) : std::min(*out, v);
  }
  return out;
}

void FeedTimeliness::update(int64_t now_ns, bool up, int64_t fresh_within_ns) {
  std::optional<int64_t> worst = worst_delay_ns(now_ns);
  if (!up || !worst || *worst > fresh_within_ns) fresh_since_ns_ = 0;
  else if (!fresh_since_ns_) fresh_since_ns_ = now_ns;
}

}  // namespace inplay
