// Log-linear ("HDR") bucketing, the counting scheme under every Histogram
// (telemetry/metrics.h): the log_linear fine buckets with their error bound
// and the helpers for windowed quantiles, and the BucketLayout that maps
// fine buckets onto a family's rendered bucket bounds.
//
// Pure values and functions: no state, no lock, any thread. A BucketLayout
// is built once per histogram family and then only read.
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace inplay {

// Log-linear ("HDR") bucketing of non-negative integers, the fine buckets of
// every Histogram. Values below 2 * kSubBuckets each have their own bucket
// (exact); above, each power of two [2^e, 2^(e+1)) splits into kSubBuckets
// buckets of width 2^(e - kSubBucketBits). Negative values count as 0;
// values of 2^kRangeBits and more clamp into the top bucket.
//
// Error bound: a bucket's representative value (bucket_value, its midpoint
// rounded down) is within kRelativeError = 1/(2 * kSubBuckets) = 1/64 of
// every value the bucket holds, relative to that value. So quantile() below
// returns a value within 1/64 of the exact order statistic of the recorded
// values (same rank, ceil(q * n)), unless that value was clamped.
//
// Windowed quantiles (e.g. the SLO evaluator's per-second deltas): read
// Histogram::fine_counts() every period, keep delta(now, before) per period,
// merge() the deltas of a window and ask quantile() of the merged counts.
namespace log_linear {
inline constexpr int kSubBucketBits = 5;
inline constexpr size_t kSubBuckets = size_t{1} << kSubBucketBits;  // 32 per power of two
inline constexpr int kRangeBits = 44;                                // 2^44 ns ~ 4.9 h
inline constexpr int64_t kMaxTracked = (int64_t{1} << kRangeBits) - 1;
inline constexpr size_t kBuckets = (kRangeBits - kSubBucketBits + 1) * kSubBuckets;  // 1280
inline constexpr double kRelativeError = 1.0 / (2 * kSubBuckets);

// Bucket index of v: one count-leading-zeros, no loop, no branch.
constexpr size_t bucket_of(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(std::clamp<int64_t>(v, 0, kMaxTracked));
  const int shift = std::bit_width(u | kSubBuckets) - 1 - kSubBucketBits;  // >= 0
  return static_cast<size_t>(shift) * kSubBuckets + static_cast<size_t>(u >> shift);
}
// Smallest value of bucket i, and its width (values lower .. lower+width-1).
constexpr int64_t bucket_width(size_t i) {
  return int64_t{1} << (std::max<size_t>(i / kSubBuckets, 1) - 1);
}
constexpr int64_t bucket_lower(size_t i) {
  const size_t shift = std::max<size_t>(i / kSubBuckets, 1) - 1;
  return static_cast<int64_t>((i - shift * kSubBuckets) << shift);
}
// The value a bucket stands for: its midpoint (rounded down).
constexpr int64_t bucket_value(size_t i) { return bucket_lower(i) + (bucket_width(i) - 1) / 2; }

// Value at quantile q in [0,1] (NaN counts as 0) of fine counts indexed by
// bucket (at most kBuckets of them; a shorter vector is fine): the
// bucket_value of the bucket holding rank ceil(q * total). 0 if empty.
int64_t quantile(std::span<const uint64_t> counts, double q);
// now - before, bucket by bucket (both from fine_counts() of one series;
// a bucket that went down, which a live series never does, gives 0).
std::vector<uint64_t> delta(std::span<const uint64_t> now, std::span<const uint64_t> before);
// into += from, bucket by bucket (into grows to from's size if shorter).
void merge(std::vector<uint64_t>& into, std::span<const uint64_t> from);
}  // namespace log_linear

// Where the values of each fine bucket go among a family's rendered bucket
// bounds (Prometheus "le": rendered bucket i holds bounds[i-1] < v <=
// bounds[i]). Most fine buckets lie inside one rendered bucket, so a
// histogram counts only the fine bucket and derives the rendered counts when
// read; the few fine buckets that a bound cuts are marked kSplit and their
// values are also counted by rendered bucket. Built once per family.
class BucketLayout {
 public:
  static constexpr uint16_t kSplit = 0xffff;
  static constexpr size_t kMaxBounds = kSplit - 1;
  // bounds: strictly ascending, at most kMaxBounds; must outlive the layout.
  explicit BucketLayout(const std::vector<int64_t>* bounds);
  const std::vector<int64_t>& bounds() const { return *bounds_; }
  // The rendered bucket of every value of fine bucket f, or kSplit.
  uint16_t rendered_of_fine(size_t f) const { return map_[f]; }
  size_t rendered_of(int64_t v) const {
    const auto& b = *bounds_;
    return static_cast<size_t>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
  }

 private:
  const std::vector<int64_t>* bounds_;
  std::array<uint16_t, log_linear::kBuckets> map_;
};

}  // namespace inplay
