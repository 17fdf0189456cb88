// RollingCounts: good and valid event counts over rings of time buckets,
// with running sums over a fixed set of trailing windows, so that reading
// "bad ratio over the last 1h" is O(1) however many events came.
//
// Contract: time is whole seconds on the caller's clock (book time). add(t)
// counts into second t; t may equal the newest second or be newer (the rings
// move forward, clearing what falls out), and an event older than every
// ring is ignored (returns false). A window of w <= kExactS seconds is kept
// per second and covers seconds (newest - w, newest], i.e. it includes the
// second in progress. A longer window is kept in buckets of g =
// ceil(w / kExactS) seconds (windows of the same g share a ring): it covers
// the last ceil(w / g) buckets, the one in progress included, so between
// w - g + 1 and w + g - 1 seconds (a 3-day window: 72-second buckets, the
// edge off by at most 0.03 %). So no ring holds more than kExactS + 1
// buckets: a 3-day window per second cost 4 MB per ring, and the book keeps
// one per SLO. Counts are doubles so that exposure-weighted SLIs (weights in
// money) fit the same type. Single-threaded (the SLO evaluator owns it on
// the engine thread).
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
  static constexpr int64_t kExactS = 3600;

  // windows_s: trailing windows to keep running sums for (each >= 1).
  explicit RollingCounts(std::vector<int64_t> windows_s);

  bool add(int64_t t_s, double good, double valid);
  // Moves the newest second to t_s (no-op if t_s is not newer).
  void advance(int64_t t_s);
  // Sum over the i-th window given at construction.
  const GoodValid& window(size_t i) const { return sums_[i]; }
  size_t window_count() const { return windows_.size(); }
  int64_t window_seconds(size_t i) const { return windows_[i].seconds; }
  int64_t newest() const { return newest_; }
  // Seconds of history actually seen (for "not enough data yet").
  int64_t span_seconds() const { return started_ ? newest_ - first_ + 1 : 0; }

 private:
  struct Ring {
    int64_t width_s;               // seconds per bucket
    std::vector<GoodValid> slots;  // by bucket number mod size
    int64_t newest = 0;            // bucket of newest_ (kept by advance)
    int64_t adding = 0;            // bucket of the event add() is counting
    GoodValid& slot(int64_t b) { return slots[static_cast<size_t>(b % static_cast<int64_t>(slots.size()))]; }
  };
  struct Window {
    int64_t seconds;
    size_t ring;
    int64_t buckets;  // ceil(seconds / the ring's width)
  };
  static int64_t bucket(int64_t t_s, int64_t width_s) { return t_s / width_s; }
  void advance_ring(size_t r, int64_t to_bucket);

  std::vector<Window> windows_;
  std::vector<GoodValid> sums_;
  std::vector<Ring> rings_;
  int64_t newest_ = 0;
  int64_t first_ = 0;
  bool started_ = false;
};

}  // namespace inplay
