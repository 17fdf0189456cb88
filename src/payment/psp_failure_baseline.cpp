#include "payment/psp_failure_baseline.h"

#include <algorithm>
#include <cmath>

namespace inplay {

namespace {
constexpr int64_t kMinute = 60'000'000'000;
constexpr int kBaselineMinutes = 60;
}  // namespace

bool PspFailureBaseline::total_at(int64_t t_ns, uint64_t& out) const {
  auto it = std::upper_bound(samples_.begin(), samples_.end(), t_ns,
                             [](int64_t t, const std::pair<int64_t, uint64_t>& s) { return t < s.first; });
  if (it == samples_.begin()) return false;
  out = std::prev(it)->second;
  return true;
}

void PspFailureBaseline::observe(int64_t t_ns, uint64_t failed_total) {
  if (!samples_.empty() && (failed_total < samples_.back().second || t_ns < samples_.back().first)) samples_.clear();
  samples_.emplace_back(t_ns, failed_total);
  // Keep one sample at or before the baseline's far end.
  const int64_t horizon = t_ns - (kBaselineMinutes + 1) * kMinute;
  while (samples_.size() > 1 && samples_[1].first <= horizon) samples_.pop_front();

  uint64_t then = 0;
  if (!total_at(t_ns - kMinute, then)) then = samples_.front().second;
  now_ = static_cast<double>(failed_total - then);

  double sum = 0, sq = 0;
  minutes_ = 0;
  for (int k = 1; k <= kBaselineMinutes; ++k) {
    uint64_t end = 0, begin = 0;
    if (!total_at(t_ns - k * kMinute, end) || !total_at(t_ns - (k + 1) * kMinute, begin)) break;
    const double n = static_cast<double>(end - begin);
    sum += n;
    sq += n * n;
    ++minutes_;
  }
  mean_ = minutes_ ? sum / minutes_ : 0.0;
  sd_ = minutes_ ? std::sqrt(std::max(0.0, sq / minutes_ - mean_ * mean_)) : 0.0;
  sigma_ = (now_ - mean_) / std::max(sd_, floor_);
}

}  // namespace inplay
