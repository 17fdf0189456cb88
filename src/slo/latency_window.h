// LatencyWindow: a rolling quantile of latencies over the last N seconds
// (the "accept p99 over 5 minutes" of BET-4), in ten-second slices of a
// compact log-linear histogram (8 sub-buckets per power of two: a quantile
// is within 6.25% of the true value). Single-threaded; memory is fixed at
// construction (about 2 KiB per ten seconds of window).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace inplay {

class LatencyWindow {
 public:
  explicit LatencyWindow(int64_t window_s = 300, int64_t slice_s = 10);
  void add(int64_t t_s, int64_t value_ns);
  void advance(int64_t t_s);
  // Value at quantile q (0..1) over the window; 0 when empty.
  int64_t quantile(double q) const;
  uint64_t count() const;

  static constexpr int kSub = 8;  // sub-buckets per power of two
  static constexpr int kBuckets = 64 * kSub;
  static int bucket_of(int64_t v);
  static int64_t bucket_mid(int b);

 private:
  struct Slice {
    int64_t start_s = INT64_MIN;
    uint64_t count = 0;
    std::array<uint32_t, kBuckets> counts{};
  };
  Slice& slice_for(int64_t t_s);
  bool live(const Slice& s) const;
  bool live_start(int64_t start_s) const;
  int64_t slice_s_;
  std::vector<Slice> ring_;
  int64_t newest_ = INT64_MIN;
};

}  // namespace inplay
