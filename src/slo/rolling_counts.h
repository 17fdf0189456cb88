// RollingCounts: good and valid event counts per second over a ring of the
// last N seconds, with running sums over a fixed set of trailing windows, so
// that reading "bad ratio over the last 1h" is O(1) however many events came.
//
// Contract: time is whole seconds on the caller's clock (book time). add(t)
// counts into second t; t may equal the newest second or be newer (the ring
// moves forward, clearing what falls out), and an event older than the ring
// is ignored (returns false). A window of w seconds covers seconds
// (newest - w, newest], i.e. it includes the second in progress. Counts are
// doubles so that exposure-weighted SLIs (weights in money) fit the same
// type. Single-threaded (the SLO evaluator owns it on the engine thread).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace inplay {

struct GoodValid {
  double good = 0;
  double valid = 0;
  double bad() const { return valid - good; }
  // bad / valid, 0 when there was nothing to count.
  double bad_ratio() const { return valid > 0 ? (valid - good) / valid : 0.0; }
};

class RollingCounts {
 public:
  // windows_s: trailing windows to keep running sums for (each >= 1); the
  // ring holds the longest of them.
  explicit RollingCounts(std::vector<int64_t> windows_s);

  bool add(int64_t t_s, double good, double valid);
  // Moves the newest second to t_s (no-op if t_s is not newer).
  void advance(int64_t t_s);
  // Sum over the i-th window given at construction.
  const GoodValid& window(size_t i) const { return sums_[i]; }
  size_t window_count() const { return windows_.size(); }
  int64_t window_seconds(size_t i) const { return windows_[i]; }
  int64_t newest() const { return newest_; }
  // Seconds of history actually seen (for "not enough data yet").
  int64_t span_seconds() const { return started_ ? newest_ - first_ + 1 : 0; }

 private:
  GoodValid& slot(int64_t t) { return ring_[static_cast<size_t>(t % static_cast<int64_t>(ring_.size()))]; }
  std::vector<int64_t> windows_;
  std::vector<GoodValid> sums_;
  std::vector<GoodValid> ring_;
  int64_t newest_ = 0;
  int64_t first_ = 0;
  bool started_ = false;
};

}  // namespace inplay
