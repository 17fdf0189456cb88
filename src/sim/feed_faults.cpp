#include "sim/feed_faults.h"

#include <algorithm>

#include "sim/match_sim.h"

namespace inplay {

FeedFaults FeedFaultPatch::applied_to(FeedFaults f) const {
  if (latency_ms) f.added_latency_ms = *latency_ms;
  if (jitter_ms) f.jitter_ms = *jitter_ms;
  if (stall) f.stall = *stall;
  if (drop) f.drop = *drop;
  if (duplicate) f.duplicate = *duplicate;
  if (reorder) f.reorder = *reorder;
  if (skew_leagues) f.skew.leagues = std::set<std::string>(skew_leagues->begin(), skew_leagues->end());
  if (skew_mode) f.skew.mode = *skew_mode;
  if (skew_version) f.skew.version = *skew_version;
  if (results_late_ms) f.results.late_ms = *results_late_ms;
  if (results_wrong_first) f.results.wrong_first = *results_wrong_first;
  if (results_withheld) f.results.withheld = *results_withheld;
  if (results_skew) f.results.skew = *results_skew;
  return f;
}

FeedFaultFilter::FeedFaultFilter(const FeedFaults& faults, uint64_t seed) : faults_(faults), rng_(seed) {}

bool FeedFaultFilter::chance(double p) { return p > 0 && uniform01(rng_()) < p; }

void FeedFaultFilter::hold(int64_t ts_ms, std::string line) {
  int64_t jitter = 0;
  if (faults_.jitter_ms > 0) {
    jitter = static_cast<int64_t>(uniform01(rng_()) * static_cast<double>(faults_.jitter_ms + 1));
  }
  int64_t due = std::max(ts_ms + faults_.added_latency_ms + jitter, last_due_);
  last_due_ = due;
  pending_.push_back({due, std::move(line)});
}

std::string FeedFaultFilter::release(int64_t now_ms) {
  std::string batch;
  if (faults_.stall) return batch;
  while (!pending_.empty() && pending_.front().due_ms <= now_ms) {
    std::string line = std::move(pending_.front().line);
    pending_.pop_front();
    if (chance(faults_.drop)) continue;
    if (held_) {
      batch += line;
      batch += *held_;
      held_.reset();
    } else if (chance(faults_.reorder)) {
      held_ = line;
      continue;
    } else {
      batch += line;
    }
    if (chance(faults_.duplicate)) batch += line;
  }
  return batch;
}

}  // namespace inplay
