// LatencyShift: a fast shift of a latency's p95 against its own baseline
// (ODDS-3: "track median and p95; alert when p95 shifts fast"), for the
// odds update latency (provider timestamp to price live, ODDS-2).
//
// Latencies are counted per slice of book time (the engine's clock, never
// the wall clock) in the log-linear buckets of slo/latency_window.h, in a
// ring that spans the recent window and the baseline before it:
//
//   |<------------- baseline_s ------------->|<--- recent_s --->| now
//   baseline p95 = over the slices in here      recent p95 = over these
//
// The baseline lies wholly *before* the recent window, so a shift never
// lifts its own baseline while it is judged (a p95 is its slowest 5 %: a
// baseline that held the last 30 s of a 10-minute window would be carried
// by them). ratio() = recent p95 / max(baseline p95, baseline_floor_ns).
// It is 0 — no signal — while the recent p95 is under min_p95_ns (a shift
// from 5 ms to 40 ms is no fault: ODDS-2's bound is 300 ms), while the
// recent window holds fewer than min_recent updates, and until the baseline
// holds min_baseline updates (a feed just switched to knows no normal: a
// standing delay is the feed_late alert's and the SLO's, not a shift).
//
// Memory: 2 KiB per slice, fixed at construction (10 s slices over 10.5 min:
// 63 slices). An update older than the ring is not counted. Single-threaded
// (the incident loop owns one per feed on the engine thread).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "slo/latency_window.h"

namespace inplay {

struct LatencyShiftTerms {
  int64_t recent_s = 30;
  int64_t baseline_s = 600;
  int64_t slice_s = 10;
  int64_t min_p95_ns = 300'000'000;         // ODDS-2: p95 < 300 ms
  int64_t baseline_floor_ns = 50'000'000;   // a 0 ms baseline is a 50 ms one
  uint64_t min_recent = 20;
  uint64_t min_baseline = 200;
};

class LatencyShift {
 public:
  explicit LatencyShift(LatencyShiftTerms terms = {});
  // One update latency at book second t_s (moves the ring on to t_s).
  void add(int64_t t_s, int64_t latency_ns);
  // Moves the ring on to book second t_s (seconds without updates count none).
  void advance(int64_t t_s);

  int64_t recent_p95_ns() const;    // 0 when the recent window is empty
  int64_t baseline_p95_ns() const;  // 0 when the baseline is empty
  uint64_t recent_count() const;
  uint64_t baseline_count() const;
  // recent p95 / max(baseline p95, floor); 0 under the bounds above.
  double ratio() const;
  const LatencyShiftTerms& terms() const { return terms_; }

 private:
  struct Slice {
    int64_t start_s = INT64_MIN;
    uint64_t count = 0;
    std::array<uint32_t, LatencyWindow::kBuckets> counts{};
  };
  int64_t slice_start(int64_t t_s) const;
  Slice& slot(int64_t start_s);
  // Quantile q over the live slices whose start lies in [from_s, to_s).
  int64_t quantile(double q, int64_t from_s, int64_t to_s, uint64_t* n) const;
  int64_t recent_from() const;  // first slice start of the recent window

  LatencyShiftTerms terms_;
  std::vector<Slice> ring_;
  int64_t newest_ = INT64_MIN;
};

}  // namespace inplay
