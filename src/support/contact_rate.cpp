#include "support/contact_rate.h"

#include <algorithm>

namespace inplay {

ContactRate::ContactRate(const SpikeTerms& terms)
    : terms_(terms), counts_({terms.window_s, terms.window_s + terms.baseline_s}) {}

bool ContactRate::add(int64_t t_s, int64_t n) {
  advance(t_s);
  // Before the first second the ring knew, a count would never leave its
  // windows again (RollingCounts subtracts only seconds it has seen).
  if (t_s < first_s_) return false;
  const double c = static_cast<double>(n);
  return counts_.add(t_s, c, c);
}

void ContactRate::advance(int64_t t_s) {
  if (counts_.span_seconds() == 0) first_s_ = t_s;
  counts_.advance(t_s);
}

int64_t ContactRate::window_contacts() const { return static_cast<int64_t>(counts_.window(0).valid + 0.5); }

double ContactRate::recent_per_minute() const {
  return counts_.window(0).valid * 60.0 / static_cast<double>(terms_.window_s);
}

int64_t ContactRate::baseline_history_s() const {
  return std::clamp<int64_t>(counts_.span_seconds() - terms_.window_s, 0, terms_.baseline_s);
}

double ContactRate::baseline_per_minute() const {
  const int64_t history = baseline_history_s();
  if (history <= 0) return 0.0;
  const double before = std::max(0.0, counts_.window(1).valid - counts_.window(0).valid);
  return before * 60.0 / static_cast<double>(history);
}

bool ContactRate::warm() const {
  const int64_t history = baseline_history_s();
  return history > 0 && history >= terms_.warmup_s;
}

double ContactRate::ratio() const {
  if (!warm() || window_contacts() < terms_.min_contacts) return 0.0;
  return recent_per_minute() / std::max(baseline_per_minute(), kFloorPerMinute);
}

}  // namespace inplay
