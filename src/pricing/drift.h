// Drift between the primary feed's price and the reference price (ODDS-6).
//
//   drift_score = max over selections of |primary - ref| / ref
//
// computed on the integer Odds (2.10 vs 2.00 -> 0.05). Selections without a
// reference price (ref.scaled <= 0) or without a primary price are left out;
// a market with none left scores 0.
//
// DriftBand turns the score into an alert: per market, it remembers when the
// score first went above the band (strictly greater) and flags the market
// once the score has stayed above it for at least `hold_ns` (60 s by
// default). Any update at or inside the band (a NaN score counts as inside)
// clears the market's state: the next excursion starts a fresh 60 s. Time is
// injected (now_ns from the caller's clock, e.g. core/clock.h); nothing here
// reads a clock. A clock that steps backwards never flags early: elapsed
// time below zero counts as zero. Not thread-safe: one owner (the thread
// that applies prices) calls it.
#pragma once
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/odds.h"

namespace inplay {

double drift_score(const std::vector<std::pair<Odds /*primary*/, Odds /*ref*/>>& prices);

class DriftBand {
 public:
  static constexpr int64_t kDefaultHoldNs = 60'000'000'000;  // ODDS-6: 60 s

  explicit DriftBand(double band, int64_t hold_ns = kDefaultHoldNs);

  // Records the market's latest score at now_ns; true while the market is
  // flagged (above the band for >= hold_ns without a break).
  bool update(uint64_t market_id, double score, int64_t now_ns);

  // A band for one market instead of the default one.
  void set_band(uint64_t market_id, double band);
  double band(uint64_t market_id) const;

  // When the current excursion above the band began (nullopt when inside).
  std::optional<int64_t> above_since(uint64_t market_id) const;
  // The result of the market's last update().
  bool flagged(uint64_t market_id) const;
  // Forgets the excursion (e.g. the market was suspended or closed).
  void reset(uint64_t market_id);
  // Markets currently above their band.
  size_t above_count() const { return state_.size(); }

  int64_t hold_ns() const { return hold_ns_; }

 private:
  struct Above {
    int64_t since_ns;
    bool flagged;
  };
  double band_;
  int64_t hold_ns_;
  std::unordered_map<uint64_t, double> bands_;
  std::unordered_map<uint64_t, Above> state_;
};

}  // namespace inplay
