// MarketLoad: which market, if any, is hurting the book (issue 18, item 2b:
// the surge rule keys on what hurts, not on a fixed rate). The engine thread
// decides bets one at a time for the whole book, so a market hurts when it
// takes a large share of those decisions *while* the book's accept latency
// is over target; a busy market on a book that keeps up hurts nobody.
//
// It counts decisions (accepted or rejected: each one took the engine's
// time), never offers: a bet refused before its decision (a market or book
// intake limit, admission control) costs next to nothing and is not counted,
// so the bets a surge rule refuses cannot keep it firing, and the signal
// clears when the surge ends or the shed brings latency back.
//
// hot(t) lists the markets that hurt over the last `window_s` seconds:
//  - the book decided at least `min_decisions` bets (no verdict on a trickle);
//  - more than 1 % of them were slower than `target_ns` (accept p99 over
//    target: the book is hurting);
//  - the market stands out: it had at least `stand_out` (3) times the
//    decisions of any other market. Load spread over the markets, however
//    heavy — and however much the crowd prefers the match-result markets —
//    is never one market's fault (a book-wide overload is the book_overload
//    playbook's); only the top market can be hot.
// The share itself is the signal's value (market_engine_share); the alert
// compares it with its `above` (config/slos.yaml). Engine thread only.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "slo/rolling_counts.h"

namespace inplay {

class MarketLoad {
 public:
  struct Options {
    int64_t window_s = 5;
    int64_t target_ns = 250'000'000;  // BET-2: accept p99 < 250 ms
    int64_t min_decisions = 50;
    double stand_out = 3.0;  // its decisions over the next market's, at least
  };
  struct Hot {
    uint64_t market_id = 0;
    uint64_t event_id = 0;
    double share = 0;  // of the book's decisions over the window
  };

  MarketLoad() : MarketLoad(Options{}) {}
  explicit MarketLoad(Options o);

  // A decision on market_id at second t_s, latency_ns from gateway to decision.
  void on_decision(int64_t t_s, uint64_t market_id, uint64_t event_id, int64_t latency_ns);
  // The markets hurting the book over the window ending at t_s (forgets
  // markets with no decision in it).
  std::vector<Hot> hot(int64_t t_s);

 private:
  struct PerMarket {
    uint64_t event_id;
    RollingCounts decisions;  // good: within target; valid: all
  };
  Options opts_;
  RollingCounts book_;
  std::unordered_map<uint64_t, PerMarket> markets_;
};

}  // namespace inplay
