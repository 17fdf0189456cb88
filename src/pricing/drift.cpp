#include "pricing/drift.h"

#include <cstdlib>

namespace inplay {

double drift_score(const std::vector<std::pair<Odds, Odds>>& prices) {
  double worst = 0.0;
  for (const auto& [primary, ref] : prices) {
    if (ref.scaled <= 0 || primary.scaled <= 0) continue;
    const int64_t diff = std::llabs(static_cast<int64_t>(primary.scaled) - ref.scaled);
    const double d = static_cast<double>(diff) / ref.scaled;
    if (d > worst) worst = d;
  }
  return worst;
}

DriftBand::DriftBand(double band, int64_t hold_ns) : band_(band), hold_ns_(hold_ns) {}

bool DriftBand::update(uint64_t market_id, double score, int64_t now_ns) {
  if (!(score > band(market_id))) {  // inside the band, or NaN
    state_.erase(market_id);
    return false;
  }
  auto [it, inserted] = state_.try_emplace(market_id, Above{now_ns, false});
  const int64_t elapsed = now_ns - it->second.since_ns;
  it->second.flagged = elapsed >= hold_ns_;
  return it->second.flagged;
}

void DriftBand::set_band(uint64_t market_id, double band) { bands_[market_id] = band; }

double DriftBand::band(uint64_t market_id) const {
  auto it = bands_.find(market_id);
  return it == bands_.end() ? band_ : it->second;
}

std::optional<int64_t> DriftBand::above_since(uint64_t market_id) const {
  auto it = state_.find(market_id);
  if (it == state_.end()) return std::nullopt;
  return it->second.since_ns;
}

bool DriftBand::flagged(uint64_t market_id) const {
  auto it = state_.find(market_id);
  return it != state_.end() && it->second.flagged;
}

void DriftBand::reset(uint64_t market_id) { state_.erase(market_id); }

}  // namespace inplay
