#include "slo/latency_window.h"

#include <algorithm>
#include <cmath>

namespace inplay {

LatencyWindow::LatencyWindow(int64_t window_s, int64_t slice_s)
    : slice_s_(std::max<int64_t>(1, slice_s)),
      ring_(static_cast<size_t>(std::max<int64_t>(1, window_s / std::max<int64_t>(1, slice_s)))) {}

int LatencyWindow::bucket_of(int64_t v) {
  if (v < kSub) return v < 0 ? 0 : static_cast<int>(v);
  int e = 63 - __builtin_clzll(static_cast<uint64_t>(v));  // v in [2^e, 2^(e+1))
  int sub = static_cast<int>((static_cast<uint64_t>(v) >> (e - 3)) & (kSub - 1));
  return std::min(kBuckets - 1, (e - 2) * kSub + sub);
}

int64_t LatencyWindow::bucket_mid(int b) {
  if (b < kSub) return b;
  int e = b / kSub + 2;
  int sub = b % kSub;
  int64_t lo = (int64_t{1} << e) + (static_cast<int64_t>(sub) << (e - 3));
  int64_t width = int64_t{1} << (e - 3);
  return lo + width / 2;
}

LatencyWindow::Slice& LatencyWindow::slice_for(int64_t t_s) {
  int64_t start = t_s - ((t_s % slice_s_) + slice_s_) % slice_s_;
  Slice& s = ring_[static_cast<size_t>(((start / slice_s_) % static_cast<int64_t>(ring_.size()) +
                                        static_cast<int64_t>(ring_.size())) %
                                       static_cast<int64_t>(ring_.size()))];
  if (s.start_s != start) {
    s.start_s = start;
    s.count = 0;
    s.counts.fill(0);
  }
  return s;
}

void LatencyWindow::advance(int64_t t_s) { newest_ = std::max(newest_, t_s); }

void LatencyWindow::add(int64_t t_s, int64_t value_ns) {
  advance(t_s);
  if (!live_start(t_s - ((t_s % slice_s_) + slice_s_) % slice_s_)) return;  // older than the window
  Slice& s = slice_for(t_s);
  ++s.counts[static_cast<size_t>(bucket_of(value_ns))];
  ++s.count;
}

bool LatencyWindow::live_start(int64_t start_s) const {
  if (start_s == INT64_MIN || newest_ == INT64_MIN) return false;
  int64_t cur = newest_ - ((newest_ % slice_s_) + slice_s_) % slice_s_;
  return start_s <= cur && start_s > cur - slice_s_ * static_cast<int64_t>(ring_.size());
}

bool LatencyWindow::live(const Slice& s) const { return live_start(s.start_s); }

uint64_t LatencyWindow::count() const {
  uint64_t n = 0;
  for (auto& s : ring_)
    if (live(s)) n += s.count;
  return n;
}

int64_t LatencyWindow::quantile(double q) const {
  std::array<uint64_t, kBuckets> merged{};
  uint64_t total = 0;
  for (auto& s : ring_) {
    if (!live(s) || !s.count) continue;
    for (int b = 0; b < kBuckets; ++b) merged[static_cast<size_t>(b)] += s.counts[static_cast<size_t>(b)];
    total += s.count;
  }
  if (!total) return 0;
  q = std::clamp(q, 0.0, 1.0);
  uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(total))));
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += merged[static_cast<size_t>(b)];
    if (seen >= rank) return bucket_mid(b);
  }
  return bucket_mid(kBuckets - 1);
}

}  // namespace inplay
