#include "warroom/market_activity.h"
#include "core/clock.h"

#include <algorithm>

namespace inplay {

namespace {

// Floor division: book time is never negative, but a test clock may be.
int64_t second_of(int64_t t_ns) { return t_ns >= 0 ? t_ns / kNsPerSecond : (t_ns - kNsPerSecond + 1) / kNsPerSecond; }

size_t rate_slot(int64_t s) {
  return static_cast<size_t>(((s % MarketActivity::kRateWindowS) + MarketActivity::kRateWindowS) %
                             MarketActivity::kRateWindowS);
}
}  // namespace

void MarketActivity::on_decision(uint64_t market_id, int64_t t_ns, int64_t latency_ns) {
  Market& m = markets_[market_id];
  if (m.samples.size() < kSamples) {
    m.samples.push_back(Sample{t_ns, latency_ns});
  } else {
    m.samples[m.head] = Sample{t_ns, latency_ns};
    m.head = (m.head + 1) % kSamples;
  }
  const int64_t s = second_of(t_ns);
  const size_t i = rate_slot(s);
  if (m.second[i] != s) {
    m.second[i] = s;
    m.count[i] = 0;
  }
  ++m.count[i];
}

MarketActivity::Stats MarketActivity::stats(uint64_t market_id, int64_t now_ns) const {
  Stats out;
  auto it = markets_.find(market_id);
  if (it == markets_.end()) return out;
  const Market& m = it->second;
  const int64_t since = now_ns - kLatencyWindowS * kNsPerSecond;
  scratch_.clear();
  for (const Sample& x : m.samples)
    if (x.t_ns > since && x.t_ns <= now_ns) scratch_.push_back(x.latency_ns);
  out.decisions = scratch_.size();
  if (!scratch_.empty()) {
    // Rank ceil(0.99 n), 1-based: the same order statistic as the histograms'.
    const size_t rank = (scratch_.size() * 99 + 99) / 100;
    auto nth = scratch_.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(scratch_.begin(), nth, scratch_.end());
    out.p99_ns = *nth;
  }
  const int64_t now_s = second_of(now_ns);
  uint64_t n = 0;
  for (size_t i = 0; i < static_cast<size_t>(kRateWindowS); ++i)
    if (m.second[i] > now_s - kRateWindowS && m.second[i] <= now_s) n += m.count[i];
  out.bets_per_second = static_cast<double>(n) / static_cast<double>(kRateWindowS);
  return out;
}

}  // namespace inplay
