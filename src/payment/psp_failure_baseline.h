// PspFailureBaseline: one PSP route's failed calls per minute against its
// own recent past — the signal psp_timeouts_sigma (WAL-3, REL-2; alert
// psp_timeouts: above 3 for 1m).
//
// observe(t_ns, failed_total) takes the route's cumulative failed calls
// (PspClient::calls_failed_total: timeouts, 5xx, transport errors) at t_ns
// of real (monotonic) time — the calls fail in real time whatever the
// book's clock is; a simulated clock that jumps would empty or crowd its
// minutes. The rate now is the failures of the last 60 s; the baseline is
// the 60 whole minutes before that (fewer after a start: what there is;
// none: mean 0), their mean and population standard deviation; the
// signal is (now - mean) / max(sd, floor), floor (default 1 failure a
// minute) keeping a quiet route from paging on its first failure. A
// counter that goes back (a new client) starts again. Not thread-safe:
// one thread (the incident loop's tick, on the engine thread).
#pragma once
#include <cstdint>
#include <deque>
#include <utility>

namespace inplay {

class PspFailureBaseline {
 public:
  explicit PspFailureBaseline(double floor_per_min = 1.0) : floor_(floor_per_min) {}
  void observe(int64_t t_ns, uint64_t failed_total);

  double sigma() const { return sigma_; }
  double per_min_now() const { return now_; }
  double baseline_mean() const { return mean_; }
  double baseline_sd() const { return sd_; }
  int baseline_minutes() const { return minutes_; }

 private:
  // The newest sample at or before t; false when none is that old.
  bool total_at(int64_t t_ns, uint64_t& out) const;
  double floor_;
  std::deque<std::pair<int64_t, uint64_t>> samples_;  // (t_ns, total), oldest first
  double sigma_ = 0, now_ = 0, mean_ = 0, sd_ = 0;
  int minutes_ = 0;
};

}  // namespace inplay
