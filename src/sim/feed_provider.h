// FeedProvider: a simulated odds provider — a TCP server speaking
// docs/feed-protocol.md (newline-delimited JSON, provider is the server).
//
// Time: the provider owns no clock. tick(now_ms), called from outside (a
// RealTimeDriver on a real or simulated Clock, the engine's timers, a test)
// is its only time source: it advances the matches to now_ms, produces the
// messages due, and sends those whose due time has come. Messages held
// back by latency go out on a later tick.
//
// Threads: one I/O thread of its own (accepts, reads recovery requests,
// writes). tick(), the fault setters and the accessors may be called from
// any thread; they serialise on one mutex. Clients receive the same
// broadcast stream; seq is per producer, shared by all connections.
//
// What it sends on each tick, per match (market/selection ids as in the
// demo: event e has markets e*100+1 (1X2: home/draw/away), e*100+2 (total
// goals over/under the line), e*100+3 (btts yes/no); selection ids
// market*10+1, +2, +3 in that order):
//  - fixture_change "started" (with kickoff) at kick-off, "ended" at full
//    time, then odds_change with every market "closed" (no outcomes) and
//    bet_settlement (certainty live, with the score) with every market's
//    outcomes by the settlement rules; the confirmed bet_settlement
//    results_confirm_after_ms later;
//  - bet_stop (all the event's markets, reason "goal") on a goal, markets
//    suspended for reopen_after_goal_ms, then odds_change "open" again;
//  - odds_change for every market of a pre-match or in-play event whose
//    fair price (2 decimals) or status changed, or at least every
//    refresh_ms. Prices are 1/p from the GoalModel, times (1 + noise*u)
//    with u uniform in [-1, 1] per selection per message, rounded to 2
//    decimals and clamped to [1.01, 1000]. A market whose result is already
//    certain (a selection with p < 1e-9, e.g. over 2.5 at 3 goals) is sent
//    "suspended" with its prices: fail closed, never an open 1.01/1000.
//  - alive (subscribed:true) every alive_interval_ms;
//  - for each recovery_request read since the last tick: odds_change for
//    every market (current status, ended events "closed"), the confirmed
//    results sent so far (with their first ts), then snapshot_complete with
//    the request_id.
// ts = tick time + latency_ms (the provider's own latency; it is also held
// back by it). Goals that happened before the first tick (a match joined in
// play) whose suspension is already over send no bet_stop.
//
// Fault hooks (run time, thread-safe): added latency and jitter, stall,
// drop, duplicate, reorder, disconnect and schema skew; sim/feed_faults.h
// says what each does.
//
// Inside, three parts (each header states its contract): sim/feed_script.h
// (what to publish), sim/feed_faults.h (the fault filter every message
// passes through) and sim/feed_server.h (the TCP server).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "settle/rules.h"
#include "sim/feed_faults.h"
#include "sim/match_sim.h"
#include "sim/real_time_driver.h"

namespace inplay {

// A market the provider offers beyond the three every match has (match
// result, total goals, both teams to score): issue 14's Asian handicaps,
// quarter-line totals, double chance, draw no bet, correct score and
// first-half markets. Priced off the match's score grid (pricing/score_grid.h)
// and settled by the rules; a first-half market closes at half time, when
// its result goes out on the half-time score.
struct SimMarketSpec {
  uint64_t id = 0;
  BetMarket rule = BetMarket::kMatchResult;
  Line line;  // as the book keeps it: an Asian handicap's is the home side's
  bool first_half = false;
  std::vector<std::pair<uint64_t, std::string>> selections;  // id, name
};

struct SimMatchConfig {
  uint64_t event_id = 1;
  std::string league = "EPL";
  double lambda_home = 1.5;  // pre-match expected goals
  double lambda_away = 1.1;
  int64_t kickoff_ms = 0;
  std::vector<SimMarketSpec> more_markets;
};

struct FeedProviderConfig {
  std::string producer = "sim";
  std::string schema = "1.0";
  std::vector<SimMatchConfig> matches;
  // World seed: providers with the same seed and matches play the same
  // goals (primary, backup and reference agree on the match); each match
  // draws from mix_seed(seed, event_id).
  uint64_t seed = 1;
  // Price noise and fault randomness come from mix_seed(seed, producer),
  // so two producers differ slightly but each is deterministic.
  double noise = 0;  // relative, e.g. 0.01 for +-1%
  int64_t latency_ms = 0;
  MatchTiming timing;
  GoalModelParams shape;  // rate shape and grid; lambdas come per match
  double total_goals_line = 2.5;
  // Results: a live bet_settlement at full time, the confirmed one this
  // much later (a recovery snapshot re-sends confirmed results).
  int64_t results_confirm_after_ms = 10000;
  int64_t refresh_ms = 5000;
  int64_t alive_interval_ms = 1000;
  int64_t reopen_after_goal_ms = 5000;
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: ephemeral
  // A client that lets this much output pile up is disconnected.
  size_t max_client_backlog_bytes = 64u << 20;
};

class FeedProvider {
 public:
  explicit FeedProvider(FeedProviderConfig cfg);
  ~FeedProvider();  // stop()s
  FeedProvider(const FeedProvider&) = delete;
  FeedProvider& operator=(const FeedProvider&) = delete;

  // Binds address:port and starts the I/O thread; returns the bound port.
  // Throws on bind error.
  uint16_t start();
  void stop();  // closes listener and clients, joins the I/O thread
  uint16_t port() const;
  const std::string& producer() const;

  // The only time source: advance, produce, send what is due.
  void tick(int64_t now_ms);

  // Fault hooks (any thread; take effect from the next tick).
  void set_faults(const FeedFaults& f);
  // Applies a patch (and a requested disconnect); returns the faults now.
  FeedFaults apply(const FeedFaultPatch& p);
  FeedFaults faults() const;
  void set_added_latency(int64_t latency_ms, int64_t jitter_ms);
  void set_stall(bool on);
  void set_drop(double p);
  void set_duplicate(double p);
  void set_reorder(double p);
  void set_schema_skew(SchemaSkew skew);  // leagues empty: off
  // Closes every client connection now (on the I/O thread, asynchronously).
  void disconnect_clients();

  // In-process delivery, for the simulated clock: every batch of lines a
  // tick() releases is also handed to `sink` on the ticking thread, after
  // the provider's lock is released (so the sink may call request()).
  // Deterministic: no socket between the provider and the book.
  void set_local_sink(std::function<void(std::string_view lines)> sink);
  // A request line as if a client had sent it (recovery_request).
  void request(std::string_view line);

  // Tests and tools. odds_change lines for every market at the state of the
  // last tick, as a recovery would send them (seq numbers from the next
  // one on; nothing is sent or used up).
  std::vector<std::string> snapshot_lines() const;
  size_t client_count() const;
  uint64_t last_seq() const;  // last seq produced (sent or not)
  MatchScore score(uint64_t event_id) const;
  MatchPhase phase(uint64_t event_id) const;

 private:
  void tick_locked(int64_t now_ms);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inplay
