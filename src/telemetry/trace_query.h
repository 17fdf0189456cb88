// Trace queries over the Tracer's bounded store (OBS-2): "why is p99 slow?"
//
// search_traces: the slowest traces matching attribute filters, a duration
// range and a start window, each with its duration, root span name and the
// time broken down by span name.
// breakdown_traces: the same population grouped by the value of one
// attribute: per value the count of traces, p50/p99 duration and how many are
// slow (over a threshold, by default the p99 of the whole population).
//
// Both take one pass over the store under its lock (Tracer::for_each_trace),
// copying a 40-byte summary per matching trace; sorting, percentiles and the
// per-name breakdown of the few returned traces run after the lock is gone.
// A trace is what the store still holds of it: its duration is the last span
// end minus the first span start, and an attribute matches when any of its
// spans carries it.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/tracer.h"

namespace inplay {

struct TraceAttrFilter {
  std::string key, value;
};

struct TraceQuery {
  std::vector<TraceAttrFilter> attrs;  // all must match (any span of the trace)
  int64_t min_ns = 0;                  // duration >= min_ns
  int64_t max_ns = std::numeric_limits<int64_t>::max();  // duration <= max_ns
  int64_t since_ns = std::numeric_limits<int64_t>::min(); // trace start >= since_ns
  size_t limit = 20;
};

struct SpanNameTime {
  std::string name;
  uint32_t count = 0;
  int64_t total_ns = 0;  // sum of the spans' durations
};

struct TraceSummary {
  TraceId trace_id{};
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  std::string root;  // the span without a parent in the trace (else the earliest)
  size_t spans = 0;
  bool error = false;
  std::vector<SpanNameTime> by_name;  // slowest name first
};

struct TraceSearchResult {
  uint64_t scanned = 0;  // traces in the store
  uint64_t matched = 0;  // traces matching the filters
  std::vector<TraceSummary> traces;  // slowest first, at most limit
};

TraceSearchResult search_traces(const Tracer& tracer, const TraceQuery& q);

struct BreakdownQuery {
  std::string by;                      // attribute key to group by
  std::vector<TraceAttrFilter> attrs;  // as TraceQuery
  int64_t since_ns = std::numeric_limits<int64_t>::min();
  int64_t slow_ns = -1;                // slow threshold; -1: the p99 of all matched
  size_t limit = 50;                   // groups returned
};

struct BreakdownGroup {
  std::string value;
  uint64_t count = 0;
  int64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
  uint64_t slow = 0;  // traces with duration >= the slow threshold
};

struct BreakdownResult {
  std::string by;
  uint64_t scanned = 0;
  uint64_t matched = 0;            // traces in the window matching the filters
  uint64_t without_attribute = 0;  // of those, traces without the attribute
  int64_t p50_ns = 0, p99_ns = 0;  // over all matched traces
  int64_t slow_ns = 0;             // the threshold used
  uint64_t slow = 0;               // matched traces at or over it
  size_t groups_total = 0;         // distinct values (groups may be cut at limit)
  std::vector<BreakdownGroup> groups;  // most slow traces first, then p99
};

BreakdownResult breakdown_traces(const Tracer& tracer, const BreakdownQuery& q);

// HTTP glue for GET /v1/traces and GET /v1/traces/breakdown: parse the query
// string (percent-decoded; attr.<key>=<value>, min_ms, max_ms, since (Unix
// ms), limit; by for the breakdown) and render the answers. A false return
// leaves a message naming the bad parameter in err (422 VALIDATION_FAILED).
bool parse_trace_query(std::string_view query, TraceQuery& out, std::string& err);
bool parse_breakdown_query(std::string_view query, BreakdownQuery& out, std::string& err);
std::string trace_search_json(const TraceSearchResult& r);
std::string breakdown_json(const BreakdownResult& r);

}  // namespace inplay
