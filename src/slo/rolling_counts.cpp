#include "slo/rolling_counts.h"

#include <algorithm>
#include <stdexcept>

namespace inplay {

RollingCounts::RollingCounts(std::vector<int64_t> windows_s) {
  for (int64_t w : windows_s) {
    if (w < 1) throw std::invalid_argument("RollingCounts: windows must be at least one second");
    const int64_t width = (w + kExactS - 1) / kExactS;
    auto r = std::find_if(rings_.begin(), rings_.end(), [&](const Ring& x) { return x.width_s == width; });
    if (r == rings_.end()) r = rings_.insert(rings_.end(), Ring{width, {}});
    const int64_t buckets = (w + width - 1) / width;
    // One slot more than the longest window: the bucket in progress is reused
    // only once the window it would leave no longer counts it.
    r->slots.resize(std::max(r->slots.size(), static_cast<size_t>(buckets) + 1));
    windows_.push_back(Window{w, static_cast<size_t>(r - rings_.begin()), buckets});
  }
  if (rings_.empty()) rings_.push_back(Ring{1, std::vector<GoodValid>(2)});
  sums_.resize(windows_.size());
}

void RollingCounts::advance_ring(size_t r, int64_t to) {
  Ring& ring = rings_[r];
  int64_t from = ring.newest;
  if (to <= from) return;
  ring.newest = to;
  const int64_t first = bucket(first_, ring.width_s);
  if (to - from >= static_cast<int64_t>(ring.slots.size())) {
    // Everything in the ring is older than each of its windows now.
    std::fill(ring.slots.begin(), ring.slots.end(), GoodValid{});
    for (size_t i = 0; i < windows_.size(); ++i)
      if (windows_[i].ring == r) sums_[i] = GoodValid{};
    return;
  }
  while (from < to) {
    ++from;
    // Bucket `from` enters every window; bucket from - k leaves window k.
    for (size_t i = 0; i < windows_.size(); ++i) {
      if (windows_[i].ring != r) continue;
      const int64_t leaving = from - windows_[i].buckets;
      if (leaving < first) continue;
      const GoodValid& g = ring.slot(leaving);
      sums_[i].good -= g.good;
      sums_[i].valid -= g.valid;
      if (sums_[i].valid < 1e-9) sums_[i] = GoodValid{};  // no drift below zero
    }
    ring.slot(from) = GoodValid{};  // reused slot: it held bucket from - size
  }
}

void RollingCounts::advance(int64_t t_s) {
  if (!started_) {
    started_ = true;
    newest_ = first_ = t_s;
    for (Ring& ring : rings_) ring.newest = bucket(t_s, ring.width_s);
    return;
  }
  if (t_s <= newest_) return;
  for (size_t r = 0; r < rings_.size(); ++r) advance_ring(r, bucket(t_s, rings_[r].width_s));
  newest_ = t_s;
}

bool RollingCounts::add(int64_t t_s, double good, double valid) {
  advance(t_s);
  bool counted = false;
  // One division per ring, not per window: add() runs per decision per SLO.
  for (Ring& ring : rings_) {
    ring.adding = ring.width_s == 1 ? t_s : bucket(t_s, ring.width_s);
    if (ring.adding < ring.newest - static_cast<int64_t>(ring.slots.size()) + 1) continue;
    GoodValid& s = ring.slot(ring.adding);
    s.good += good;
    s.valid += valid;
    counted = true;
  }
  for (size_t i = 0; i < windows_.size(); ++i) {
    const Window& w = windows_[i];
    const Ring& ring = rings_[w.ring];
    if (ring.adding > ring.newest - w.buckets) {
      sums_[i].good += good;
      sums_[i].valid += valid;
    }
  }
  return counted;
}

}  // namespace inplay
