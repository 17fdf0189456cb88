// MatchSim: one simulated football match on an injected time base. It owns
// no clock: its owner passes "now" to advance_to(). At construction it
// draws the whole match from the GoalModel with a seeded std::mt19937_64
// (number of goals per team ~ Poisson(lambda), each goal's minute from the
// model's time-varying rate), so the same seed gives the same match however
// finely or coarsely it is advanced. Single-threaded (its owner's thread).
//
// Timeline (configurable lengths): kickoff_ms, first half (half_ms), half
// time (half_time_ms), second half (half_ms), full time. Play minutes are
// nominal 0..45 in the first half and 45..90 in the second, scaled to
// half_ms. No stoppage time.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/goal_model.h"

namespace inplay {

struct MatchTiming {
  int64_t half_ms = 45 * 60 * 1000;
  int64_t half_time_ms = 15 * 60 * 1000;
};

enum class MatchPhase { kPreMatch, kFirstHalf, kHalfTime, kSecondHalf, kEnded };
enum class MatchEventKind { kKickoff, kGoal, kHalfTime, kSecondHalf, kFullTime };
std::string_view to_string(MatchPhase p);
std::string_view to_string(MatchEventKind k);

struct MatchEvent {
  MatchEventKind kind = MatchEventKind::kKickoff;
  int64_t at_ms = 0;     // time base of the sim
  double minute = 0;     // play minute (0..90)
  MatchScore score;      // score after the event
  bool home_scored = false;  // goals only
  bool operator==(const MatchEvent&) const = default;
};

struct MatchSimConfig {
  GoalModelParams model;
  int64_t kickoff_ms = 0;
  MatchTiming timing;
  uint64_t seed = 1;
};

class MatchSim {
 public:
  explicit MatchSim(MatchSimConfig cfg);

  // Everything that happened in (last call, now_ms], in time order; the
  // first call reports everything up to now_ms. A now_ms earlier than the
  // previous call reports nothing and changes nothing.
  std::vector<MatchEvent> advance_to(int64_t now_ms);

  MatchPhase phase() const { return phase_; }
  MatchScore score() const { return score_; }
  int64_t now_ms() const { return now_ms_; }
  // Play minute at the last advance_to() time.
  double minute() const { return minute_at(now_ms_); }
  // Play minute at any time (pure: from the timeline, not the state).
  double minute_at(int64_t t_ms) const;
  // Fair probabilities now (last advance_to() time), for the total line.
  FairProbabilities fair(double total_line = 2.5) const;
  const GoalModel& model() const { return model_; }
  const MatchSimConfig& config() const { return cfg_; }
  // The whole pre-drawn match, for tests and tools.
  const std::vector<MatchEvent>& timeline() const { return timeline_; }
  int64_t full_time_ms() const;

 private:
  int64_t ms_at_minute(double minute) const;

  MatchSimConfig cfg_;
  GoalModel model_;
  std::vector<MatchEvent> timeline_;
  size_t next_ = 0;
  int64_t now_ms_ = INT64_MIN;
  MatchPhase phase_ = MatchPhase::kPreMatch;
  MatchScore score_;
};

// Portable helpers for the simulator's seeded randomness (the std
// distributions are implementation-defined; these are not).
double uniform01(uint64_t bits);  // [0, 1) from 53 bits
uint64_t mix_seed(uint64_t a, uint64_t b);  // splitmix64 of a ^ f(b)

}  // namespace inplay
