// AlertRules: turns what the process measures into firing alerts, once a
// second on the book's clock.
//  - Threshold alerts of the SLO catalogue (ThresholdAlertSpec): a signal
//    sample above its bound for at least `for` fires an alert carrying the
//    sample's labels (market_id, league, sport, feed, ...).
//  - SLO burn alerts: one alert per SLO (name "slo_burn", label slo=...)
//    while any of its burn tiers fires, at the highest firing severity: the
//    fast and slow tiers together are one alert, never two pages. Its
//    annotations name the slice that burns (league=EPL, ...).
// Single-threaded (the incident loop on the engine thread).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "alert/alert.h"
#include "slo/slo_evaluator.h"
#include "slo/slo_spec.h"

namespace inplay {

struct SignalSample {
  std::string signal;  // one of the catalogue's signals
  LabelSet labels;     // identifying labels of the sample
  double value = 0;
  bool top = true;     // the market is in a top league (top_markets_only)
};

class AlertRules {
 public:
  explicit AlertRules(const SloCatalogue& catalogue) : catalogue_(catalogue) {}
  // The alerts firing now. A condition that stops holding forgets its
  // pending time (it must hold `for` again before it fires again).
  std::vector<Alert> evaluate(int64_t now_ns, const std::vector<SignalSample>& samples,
                              const std::vector<SloStatus>& slos);

 private:
  const SloCatalogue& catalogue_;
  std::unordered_map<uint64_t, int64_t> since_;  // fingerprint -> first seen above
};

}  // namespace inplay
