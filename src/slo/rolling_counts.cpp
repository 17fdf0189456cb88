#include "slo/rolling_counts.h"

#include <algorithm>
#include <stdexcept>

namespace inplay {

RollingCounts::RollingCounts(std::vector<int64_t> windows_s) : windows_(std::move(windows_s)) {
  int64_t longest = 1;
  for (int64_t w : windows_) {
    if (w < 1) throw std::invalid_argument("RollingCounts: windows must be at least one second");
    longest = std::max(longest, w);
  }
  sums_.resize(windows_.size());
  ring_.resize(static_cast<size_t>(longest) + 1);
}

void RollingCounts::advance(int64_t t_s) {
  if (!started_) {
    started_ = true;
    newest_ = first_ = t_s;
    return;
  }
  if (t_s <= newest_) return;
  const int64_t ring = static_cast<int64_t>(ring_.size());
  if (t_s - newest_ >= ring) {
    // Everything in the ring is older than every window now.
    std::fill(ring_.begin(), ring_.end(), GoodValid{});
    std::fill(sums_.begin(), sums_.end(), GoodValid{});
    newest_ = t_s;
    return;
  }
  while (newest_ < t_s) {
    ++newest_;
    // Second newest_ enters every window; second newest_ - w leaves window w.
    for (size_t i = 0; i < windows_.size(); ++i) {
      int64_t leaving = newest_ - windows_[i];
      if (leaving < first_) continue;
      const GoodValid& g = slot(leaving);
      sums_[i].good -= g.good;
      sums_[i].valid -= g.valid;
      if (sums_[i].valid < 1e-9) sums_[i] = GoodValid{};  // no drift below zero
    }
    slot(newest_) = GoodValid{};  // reused slot: it held second newest_ - ring
  }
}

bool RollingCounts::add(int64_t t_s, double good, double valid) {
  advance(t_s);
  if (t_s < newest_ - static_cast<int64_t>(ring_.size()) + 1) return false;
  GoodValid& s = slot(t_s);
  s.good += good;
  s.valid += valid;
  for (size_t i = 0; i < windows_.size(); ++i) {
    if (t_s > newest_ - windows_[i]) {
      sums_[i].good += good;
      sums_[i].valid += valid;
    }
  }
  return true;
}

}  // namespace inplay
