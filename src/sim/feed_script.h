// FeedScript: what a simulated provider publishes, and when - the messages
// sim/feed_provider.h lists (fixture changes, bet stops, odds, settlements,
// alive, recovery snapshots), built as docs/feed-protocol.md spells them.
// It owns the matches (MatchSim), each market's last sent prices and status,
// the price noise generator and the producer's seq; each message it produces
// takes the next seq and goes into the fault filter (sim/feed_faults.h),
// which decides when, and whether, the clients get it.
//
// Deterministic: the same config (seed, producer, matches), ticks and
// faults give the same messages. Noise is drawn from a generator of its own
// (seeded per producer), per selection per message in the order messages
// are built; snapshot_lines() draws from a copy.
//
// Threads: none of its own; the provider calls it under its lock.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "settle/rules.h"
#include "sim/feed_faults.h"
#include "sim/feed_provider.h"
#include "sim/match_sim.h"

namespace inplay {

class JsonWriter;

class FeedScript {
 public:
  // faults: the provider's current faults (stall and schema skew change
  // what is produced); out: where every produced message goes. Both must
  // outlive the script.
  FeedScript(const FeedProviderConfig& cfg, const FeedFaults& faults, FeedFaultFilter& out,
             uint64_t noise_seed);

  // Advances the matches to now_ms and produces the messages due. Time
  // never goes back: an earlier now_ms does nothing and returns false.
  bool tick(int64_t now_ms);
  // A recovery request, answered on the next tick that is not stalled.
  void request_snapshot(uint64_t request_id);
  int64_t now() const { return now_; }  // the last tick

  // See FeedProvider::snapshot_lines, last_seq, score and phase.
  std::vector<std::string> snapshot_lines() const;
  uint64_t last_seq() const { return seq_; }
  MatchScore score(uint64_t event_id) const;
  MatchPhase phase(uint64_t event_id) const;

 private:
  struct Market {
    uint64_t id = 0;
    BetMarket rule = BetMarket::kMatchResult;  // how its results are made
    Line line;
    std::vector<uint64_t> selections;
    std::vector<std::string> names;  // the selections' names, for the rules
    bool graded = false;      // one of SimMatchConfig::more_markets: priced off the score grid
    bool first_half = false;  // closes at half time; settled on the half-time score
    std::vector<int64_t> last_fair;  // hundredths, without noise
    std::string_view last_status;
    int64_t last_sent_ms = INT64_MIN;
  };
  struct Match {
    SimMatchConfig cfg;
    MatchSim sim;
    std::vector<Market> markets;
    int64_t suspended_until = INT64_MIN;
    bool closed = false;  // full time sent
    MatchScore final_score;
    int64_t live_due_ms = INT64_MIN;     // when the live result goes out
    int64_t confirm_due_ms = INT64_MIN;  // when the confirmed result goes out
    int64_t confirmed_ts = INT64_MIN;    // its ts, once sent (recovery re-sends it)
    MatchScore half_time_score;
    int64_t half_time_ts = INT64_MIN;    // the first-half result's ts, once sent
  };

  // ts: the provider timestamp, now + latency unless given (a recovery
  // re-sends a result with the time it was first stamped).
  template <class Body>
  std::string build(std::string_view type, uint64_t seq, uint64_t event_id, const std::string* league,
                    Body&& body, int64_t ts = INT64_MIN) const;
  template <class Body>
  bool emit(std::string_view type, uint64_t event_id, const std::string* league, Body&& body, int64_t ts = INT64_MIN);
  // A bet_settlement of every market of the match on its final score,
  // by the settlement rules (settle/rules.h).
  // score: the score the result is on (the match's final score unless a
  // fault sends a wrong one first).
  void emit_result(const Match& m, const char* certainty, int64_t ts = INT64_MIN);
  void emit_result(const Match& m, MatchScore score, const char* certainty, int64_t ts);
  // The confirmed result when it is due, through the results faults.
  void emit_confirmed(Match& m);
  // The first-half markets' result, confirmed, on the half-time score.
  void emit_half_time_result(const Match& m, int64_t ts);
  std::string_view status_of(const Match& m, const Market& mk, const std::vector<double>& p) const;
  // Market i's fair probabilities now: the goal model's for the three
  // standard markets, the score grid's for the others.
  std::vector<double> probs(const Match& m, size_t i, const FairProbabilities& f) const;
  static std::vector<size_t> all_markets(const Match& m);
  // odds_change's match_status: the score, the minute being played, the period.
  void write_match_status(JsonWriter& w, const Match& m) const;
  void write_markets(JsonWriter& w, const Match& m, const std::vector<size_t>& which,
                     const FairProbabilities& f, bool rename, std::mt19937_64& rng) const;
  void on_match_event(Match& m, const MatchEvent& e);
  void publish_odds(Match& m);
  void send_snapshot(uint64_t request_id);
  const Match* find(uint64_t event_id) const;

  const FeedProviderConfig& cfg_;
  const FeedFaults& faults_;
  FeedFaultFilter& out_;
  std::vector<Match> matches_;
  std::mt19937_64 noise_rng_;
  uint64_t seq_ = 0;
  int64_t now_ = INT64_MIN;
  int64_t next_alive_ = INT64_MIN;
  std::vector<uint64_t> recovery_requests_;
};

}  // namespace inplay
