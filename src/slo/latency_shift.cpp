#include "slo/latency_shift.h"

#include <algorithm>
#include <cmath>

namespace inplay {

LatencyShift::LatencyShift(LatencyShiftTerms terms) : terms_(terms) {
  terms_.slice_s = std::max<int64_t>(1, terms_.slice_s);
  terms_.recent_s = std::max(terms_.slice_s, terms_.recent_s);
  terms_.baseline_s = std::max(terms_.slice_s, terms_.baseline_s);
  ring_.resize(static_cast<size_t>((terms_.recent_s + terms_.baseline_s) / terms_.slice_s + 1));
}

int64_t LatencyShift::slice_start(int64_t t_s) const {
  return t_s - ((t_s % terms_.slice_s) + terms_.slice_s) % terms_.slice_s;
}

LatencyShift::Slice& LatencyShift::slot(int64_t start_s) {
  const auto n = static_cast<int64_t>(ring_.size());
  Slice& s = ring_[static_cast<size_t>(((start_s / terms_.slice_s) % n + n) % n)];
  if (s.start_s != start_s) {
    s.start_s = start_s;
    s.count = 0;
    s.counts.fill(0);
  }
  return s;
}

void LatencyShift::advance(int64_t t_s) { newest_ = std::max(newest_, t_s); }

void LatencyShift::add(int64_t t_s, int64_t latency_ns) {
  advance(t_s);
  const int64_t start = slice_start(t_s);
  const int64_t oldest = slice_start(newest_) - terms_.slice_s * (static_cast<int64_t>(ring_.size()) - 1);
  if (start < oldest) return;  // older than the ring
  Slice& s = slot(start);
  ++s.counts[static_cast<size_t>(LatencyWindow::bucket_of(latency_ns))];
  ++s.count;
}

int64_t LatencyShift::recent_from() const {
  // The recent window: the slice in progress and those before it, recent_s in all.
  return slice_start(newest_) - (terms_.recent_s / terms_.slice_s - 1) * terms_.slice_s;
}

int64_t LatencyShift::quantile(double q, int64_t from_s, int64_t to_s, uint64_t* n) const {
  std::array<uint64_t, LatencyWindow::kBuckets> merged{};
  uint64_t total = 0;
  for (const Slice& s : ring_) {
    if (s.start_s == INT64_MIN || s.start_s < from_s || s.start_s >= to_s || !s.count) continue;
    for (size_t b = 0; b < merged.size(); ++b) merged[b] += s.counts[b];
    total += s.count;
  }
  if (n) *n = total;
  if (!total) return 0;
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(total))));
  uint64_t seen = 0;
  for (size_t b = 0; b < merged.size(); ++b) {
    seen += merged[b];
    if (seen >= rank) return LatencyWindow::bucket_mid(static_cast<int>(b));
  }
  return LatencyWindow::bucket_mid(LatencyWindow::kBuckets - 1);
}

int64_t LatencyShift::recent_p95_ns() const {
  if (newest_ == INT64_MIN) return 0;
  return quantile(0.95, recent_from(), INT64_MAX, nullptr);
}

int64_t LatencyShift::baseline_p95_ns() const {
  if (newest_ == INT64_MIN) return 0;
  const int64_t to = recent_from();
  return quantile(0.95, to - (terms_.baseline_s / terms_.slice_s) * terms_.slice_s, to, nullptr);
}

uint64_t LatencyShift::recent_count() const {
  if (newest_ == INT64_MIN) return 0;
  uint64_t n = 0;
  quantile(0.5, recent_from(), INT64_MAX, &n);
  return n;
}

uint64_t LatencyShift::baseline_count() const {
  if (newest_ == INT64_MIN) return 0;
  uint64_t n = 0;
  const int64_t to = recent_from();
  quantile(0.5, to - (terms_.baseline_s / terms_.slice_s) * terms_.slice_s, to, &n);
  return n;
}

double LatencyShift::ratio() const {
  if (recent_count() < terms_.min_recent || baseline_count() < terms_.min_baseline) return 0;
  const int64_t recent = recent_p95_ns();
  if (recent < terms_.min_p95_ns) return 0;
  return static_cast<double>(recent) /
         static_cast<double>(std::max(baseline_p95_ns(), std::max<int64_t>(1, terms_.baseline_floor_ns)));
}

}  // namespace inplay
