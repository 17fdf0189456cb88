// ContactRate: one support tag's contact rate now against its baseline
// (SUP-1: "alert when a tag such as delay rises over 3x its baseline").
//
// Contacts are counted per second of book time (the engine's clock, never
// the wall clock) in a RollingCounts ring (slo/rolling_counts.h) that spans
// the spike window and the baseline before it:
//
//   |<------------- baseline_s ------------->|<--- window_s --->| now
//   baseline = contacts in here / its seconds   recent = contacts in here / window_s
//
// The baseline is a slow moving average over the longer span *before* the
// recent window, so a spike never lifts its own baseline while it is being
// judged. ratio() = recent rate / baseline rate, with the baseline floored
// at kFloorPerMinute (a tag nobody wrote about for an hour has a baseline of
// one contact in ten minutes, not zero). It is 0 — no signal — until the
// baseline has warmup_s of history (a book just started knows no normal)
// and while the window holds fewer than min_contacts (three contacts where
// there was one is no trend).
//
// Before the ring has seen a whole baseline, the baseline is the average
// over the history it has. A contact may be counted in a past second still
// in the ring (a CRM that reports a contact late puts it where it
// happened); one older than the ring, or than the ring's first second, is
// not counted. Single-threaded (the support desk owns it on the engine
// thread).
#pragma once
#include <cstdint>

#include "slo/rolling_counts.h"
#include "support/support_terms.h"

namespace inplay {

class ContactRate {
 public:
  static constexpr double kFloorPerMinute = 0.1;

  explicit ContactRate(const SpikeTerms& terms);

  // n contacts at book second t_s. Moves the ring to t_s if it is newer; a
  // second older than the ring is not counted (false).
  bool add(int64_t t_s, int64_t n = 1);
  // Moves the ring to book second t_s (seconds without contacts count as 0).
  void advance(int64_t t_s);

  int64_t window_contacts() const;
  double recent_per_minute() const;    // contacts in the window per minute
  double baseline_per_minute() const;  // the baseline's average, unfloored; 0 without history
  int64_t baseline_history_s() const;  // seconds of history the baseline averages over
  bool warm() const;                   // baseline_history_s() >= warmup
  // recent / max(baseline, floor); 0 while cold or under min_contacts.
  double ratio() const;

 private:
  SpikeTerms terms_;
  RollingCounts counts_;  // windows: [0] the recent window, [1] window + baseline
  int64_t first_s_ = 0;   // the first second the ring knew
};

}  // namespace inplay
