// Feed faults: what can go wrong with a simulated provider's stream, and the
// fault filter that makes it go wrong. The filter sits beside the path it
// breaks (Envoy's fault filter is the model): the script (sim/feed_script.h)
// produces every message as a healthy provider would, and each one passes
// through the filter on its way to the clients.
//
// What each fault does (set at run time through FeedProvider, any thread):
//  - added latency + jitter: a message is due at tick + latency_ms +
//    added + uniform[0, jitter]; order is kept (a TCP stream does not
//    reorder), so due times never go backwards. ts is not moved: the
//    delay shows up as update latency in the book.
//  - stall: nothing is produced or sent (no alive either, seq not used);
//    the matches still advance; held messages and recovery requests wait.
//  - drop p: a message is not sent (its seq was used: the client sees a gap).
//  - duplicate p: a message is sent twice.
//  - reorder p: a message is held and sent after the next one.
//  - disconnect: closes every client connection now; new ones are accepted.
//  - schema skew for a set of leagues: messages about their events carry
//    schema `version` (mode kVersion), or odds_change names "outcomes"
//    `rename_to` (mode kRenameField). alive/snapshot_complete are unaffected.
//  - results (ResultFaults), what a results feed gets wrong: late (each
//    result goes out late_ms after it was due, live and confirmed),
//    wrong_first (the confirmed result first says a wrong score, stamped a
//    moment earlier, then a rollback of it, then the right one), withheld
//    (no result goes out as matches end; only a recovery snapshot carries
//    the confirmed ones) and skew (results lines carry schema "2.0": a
//    results-feed schema drift the book refuses). Duplicate and out-of-order
//    results come from the duplicate and reorder faults, which apply to
//    every message.
// Stall and schema skew change what the script produces; disconnect is the
// server's (sim/feed_server.h); the filter applies the rest.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace inplay {

enum class SkewMode { kVersion, kRenameField };

struct SchemaSkew {
  std::set<std::string> leagues;  // empty: no skew
  SkewMode mode = SkewMode::kVersion;
  std::string version = "2.0";
  std::string rename_to = "outcome";  // replaces "outcomes" in odds_change
};

struct ResultFaults {
  int64_t late_ms = 0;
  bool wrong_first = false;
  bool withheld = false;
  bool skew = false;
};

struct FeedFaults {
  int64_t added_latency_ms = 0;
  int64_t jitter_ms = 0;
  bool stall = false;
  double drop = 0;       // probabilities in [0, 1]
  double duplicate = 0;
  double reorder = 0;
  SchemaSkew skew;
  ResultFaults results;
};

// A change to some of a provider's faults (the operator API's body, a game
// day's timeline entry): fields left empty keep their current value.
struct FeedFaultPatch {
  std::optional<int64_t> latency_ms, jitter_ms;
  std::optional<bool> stall, disconnect;
  std::optional<double> drop, duplicate, reorder;  // probabilities in [0, 1]
  std::optional<std::vector<std::string>> skew_leagues;  // [] turns skew off
  std::optional<SkewMode> skew_mode;
  std::optional<std::string> skew_version;
  std::optional<int64_t> results_late_ms;
  std::optional<bool> results_wrong_first, results_withheld, results_skew;
  FeedFaults applied_to(FeedFaults f) const;
};

// The filter of one provider's outgoing messages. Its randomness comes from
// one generator seeded per producer and is drawn in a fixed order - the
// jitter when a message is held, then for each message released: drop,
// reorder (unless a message is already held back), duplicate - so the same
// seed, faults and calls give the same stream (same-seed game days rely on
// it). Threads: none of its own; the provider calls it under its lock.
class FeedFaultFilter {
 public:
  // faults: the provider's current faults, read at every call; they must
  // outlive the filter.
  FeedFaultFilter(const FeedFaults& faults, uint64_t seed);

  // Holds a message back until it is due: ts_ms (its tick plus the
  // provider's own latency) + the added latency + a jitter drawn now, and
  // never before a message held earlier.
  void hold(int64_t ts_ms, std::string line);
  // The messages due by now_ms, in order, through drop, reorder and
  // duplicate: what goes on the wire. Empty while stalled (they wait).
  std::string release(int64_t now_ms);

 private:
  struct Outgoing {
    int64_t due_ms;
    std::string line;
  };
  bool chance(double p);

  const FeedFaults& faults_;
  std::mt19937_64 rng_;
  std::deque<Outgoing> pending_;
  int64_t last_due_ = INT64_MIN;
  std::optional<std::string> held_;  // reorder: waits for the next message
};

}  // namespace inplay
