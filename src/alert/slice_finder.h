// SliceFinder (BEY-1, OBS-7): names the slice that hurts. Given the traces
// of an alert's window, it splits them into bad (error, or slower than a
// threshold once the deliberate in-play delay is taken off) and good, and ranks every attribute value (key=value) by how
// over-represented it is among the bad ones:
//   lift = P(value | bad) / P(value | good)  (good share floored at 1/(good+1))
// keeping values present in at least min_support of the bad traces with a
// lift of min_lift, or in nearly all of them (dominant_share) with a smaller
// lift (a league that carries most of the traffic cannot reach 2x). For the
// half-time incident that is league=EPL and the skewed feed's producer and
// parser_schema. Identity attributes (bet_id, user, journal_seq, ...) are
// never candidates: they cannot describe a slice.
//
// find_slice() scans the Tracer's store once (under its lock, copying a few
// strings per trace of the window); the ranking runs after the lock is gone.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "telemetry/tracer.h"

namespace inplay {

struct SliceValue {
  std::string key, value;
  uint64_t bad = 0, good = 0;  // traces carrying it
  double bad_share = 0;        // bad / all bad
  double good_share = 0;       // good / all good
  double lift = 0;
};

struct SliceReport {
  uint64_t bad_traces = 0, good_traces = 0;
  int64_t slow_ns = 0;
  std::vector<SliceValue> values;  // most over-represented first
  std::string summary() const;     // "league=EPL (94% of bad, 3% of good), ..."
};

struct SliceQuery {
  int64_t since_ns = 0;      // traces starting at or after
  int64_t slow_ns = 250'000'000;  // a trace at or over this is bad
  double min_support = 0.5;  // share of bad traces a value must reach
  double min_lift = 2.0;
  double dominant_share = 0.9;   // ... or in this share of bad traces
  double dominant_lift = 1.25;   //     with at least this lift
  size_t limit = 5;
  std::string with_span = "risk";  // only traces that have a span of this name ("" = any): bets
  // Time in spans of this name is not latency (BET-3: the in-play delay is a
  // business rule): it is taken off a trace's duration before the slow test.
  std::string deliberate_span = "inplay_delay";
};

// Ranks attribute sets directly (unit tests, other stores): each entry is
// one trace's (key, value) pairs and whether it is bad.
struct TraceAttrs {
  bool bad = false;
  std::vector<std::pair<std::string, std::string>> attrs;
};
SliceReport rank_slices(const std::vector<TraceAttrs>& traces, const SliceQuery& q);
SliceReport find_slice(const Tracer& tracer, const SliceQuery& q);

}  // namespace inplay
