// SyntheticChecks (REL-1, REL-2, BEY-3): every `every` of book time, a
// scripted in-play bet on each of the top markets through the real HTTP API,
// as a customer would place it, from a synthetic account:
//   1. GET /v1/markets/{id}: the price is fresh (staleness_ms within
//      staleness_limit_ms) and the market open          check "odds_fresh"
//   2. POST /v1/bets at that price, price_change "any": accepted (201)
//                                                        check "bet_accepted"
//   3. GET /v1/bets/{id}/cashout on that bet: an offer (200), never taken;
//      409 CASHOUT_FROZEN counts "frozen" (the book working), anything else
//      fails                                             check "cashout_quoted"
// The engine thread only picks the markets (top by liability, in play,
// open, priced); the HTTP calls run on the checks' own thread, so a slow
// book delays a check, never the engine.
//
// Synthetic traffic is kept apart (see wallet/ledger.h): the token has the
// synthetic role, its accounts start "synthetic-" (opened by its own
// channel, POST /v1/accounts, on the first round), are funded from
// house/synthetic and add no exposure; its bets' traces carry
// synthetic=true (always kept); their decisions feed only the
// synthetic_checks SLO and synthetic_accept_latency_seconds.
//
// Metrics: synthetic_checks_total{check,result}, synthetic_rounds_total,
// synthetic_failed_rounds (consecutive rounds with a failed check: the
// incident loop's synthetic_failed_rounds signal).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "telemetry/metrics.h"

namespace inplay {

struct SyntheticOptions {
  bool enabled = false;
  Nanos every{std::chrono::seconds(60)};
  size_t markets = 3;              // top markets probed per round
  int64_t stake_minor = 100;       // per bet
  int64_t top_up_minor = 1'000'000;  // deposit when the balance runs low
  std::string account = "synthetic-checks";
  int timeout_ms = 15000;          // per HTTP call (an in-play bet waits its delay)
};

class SyntheticChecks {
 public:
  // token: a bearer token of the synthetic role.
  SyntheticChecks(Engine& engine, MetricsRegistry& metrics, SyntheticOptions opts, std::string token);
  ~SyntheticChecks();  // stop()s
  // Before the engine thread runs: registers the round timer.
  void schedule();
  // Once the HTTP server listens on 127.0.0.1:port.
  void start(uint16_t port);
  void stop();  // finishes the call in flight, drops queued rounds
  // Any thread: consecutive rounds with a failed check (0: the last passed).
  int64_t failed_rounds() const { return failed_rounds_.load(std::memory_order_relaxed); }
  uint64_t rounds() const { return rounds_.load(std::memory_order_relaxed); }

 private:
  TimerPtr timer_;  // every opts_.every (engine thread)
  void on_timer();  // engine thread: picks the markets, queues a round
  void run();
  void probe_round(uint64_t round, const std::vector<uint64_t>& markets);
  bool ensure_funds(uint64_t round);

  Engine& engine_;
  SyntheticOptions opts_;
  std::string auth_;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, std::vector<uint64_t>>> queue_;  // round, markets
  bool stopping_ = false;           // under mu_
  std::atomic<bool> stopped_{false};  // read by the checks' thread between calls
  uint64_t next_round_ = 1;  // engine thread
  std::thread thread_;
  std::atomic<int64_t> failed_rounds_{0};
  std::atomic<uint64_t> rounds_{0};
  Family<Counter>* checks_;
  Counter* rounds_total_;
  Gauge* failed_rounds_gauge_;
};

}  // namespace inplay
