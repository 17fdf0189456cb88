// MarketActivity: what the war-room board says about each market's bets —
// accept p99 over the last minute and bets per second over the last ten
// seconds — kept per market from the engine's bet decisions.
//
// Engine thread only: the engine's decision observer feeds it (on_decision,
// every decision, accepted or refused, with its BET-3 accept latency) and the
// snapshot reads it once a second for the top five (stats).
//
// Cost: on_decision is one hash look-up and a few stores into two fixed
// rings of the market, no allocation once the market's ring is full. A
// market's rings are made at its first bet and hold at most kSamples
// latencies (8 KiB), so memory is bounded by the markets that took bets.
// stats() walks one market's ring (at most kSamples values): O(top five) per
// snapshot, not O(markets).
//
// The p99 is the exact order statistic (rank ceil(0.99 n)) of the latencies
// of the last kLatencyWindowS seconds, or of the last kSamples decisions when
// a market took more than that in the window.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace inplay {

class MarketActivity {
 public:
  static constexpr size_t kSamples = 512;
  static constexpr int64_t kLatencyWindowS = 60;
  static constexpr int64_t kRateWindowS = 10;

  struct Stats {
    uint64_t decisions = 0;          // in the latency window (at most kSamples)
    std::optional<int64_t> p99_ns;   // none without a decision in the window
    double bets_per_second = 0;      // decisions over the last kRateWindowS seconds / kRateWindowS
  };

  void on_decision(uint64_t market_id, int64_t t_ns, int64_t latency_ns);
  Stats stats(uint64_t market_id, int64_t now_ns) const;
  size_t markets() const { return markets_.size(); }

 private:
  struct Sample {
    int64_t t_ns, latency_ns;
  };
  struct Market {
    std::vector<Sample> samples;  // ring once full; head_ is the oldest
    size_t head = 0;
    std::array<int64_t, kRateWindowS> second{};  // which second each count is of
    std::array<uint32_t, kRateWindowS> count{};
  };
  std::unordered_map<uint64_t, Market> markets_;
  mutable std::vector<int64_t> scratch_;
};

}  // namespace inplay
