// GoalModel: the match model of the simulated world. Each team scores as a
// Poisson process whose rate varies through the match (it rises linearly,
// as goals do late in real football), scaled so that a whole match carries
// the pre-match expected goals lambda_home / lambda_away.
//
// From a match minute and the current score it gives the FAIR probabilities
// of 1X2, total goals over/under a half line and both teams to score,
// computed exactly from the remaining-time Poisson distributions (the score
// grid summed up to max_extra_goals more goals per team, renormalised so
// the tail beyond it is shared out and every market sums to 1). No
// simulation, no clock, no state: pure and deterministic, any thread.
//
// The minute is nominal match time in [0, 90] (played time; half-time does
// not advance it). Stoppage time is not modelled.
#pragma once
#include <vector>

namespace inplay {

struct GoalModelParams {
  double lambda_home = 1.4;   // expected goals over the whole match
  double lambda_away = 1.1;
  double match_minutes = 90;  // nominal length
  // Rate shape: rate(t) = mean * (1 + rate_rise * (2t/T - 1)), so kick-off
  // runs at (1 - rise) and the final whistle at (1 + rise) of the mean.
  // Must be in [0, 1).
  double rate_rise = 0.2;
  int max_extra_goals = 10;   // score grid size per team
};

struct MatchScore {
  int home = 0;
  int away = 0;
  bool operator==(const MatchScore&) const = default;
};

struct FairProbabilities {
  double home = 0, draw = 0, away = 0;  // 1X2
  double over = 0, under = 0;           // total goals against the line
  double btts_yes = 0, btts_no = 0;     // both teams to score
};

class GoalModel {
 public:
  explicit GoalModel(GoalModelParams p);

  const GoalModelParams& params() const { return p_; }
  // Share of the match's expected goals already "used" at `minute`
  // (0 at kick-off, 1 at the end; clamped outside [0, T]).
  double played_fraction(double minute) const;
  // Inverse of played_fraction: the minute by which a share u of the
  // expected goals has elapsed (u in [0, 1]). Used to draw goal times.
  double minute_at_fraction(double u) const;
  // Expected goals still to come for each team from `minute`.
  double remaining_home(double minute) const;
  double remaining_away(double minute) const;

  // Fair probabilities at `minute` with `score` on the board. total_line
  // must be a half line (2.5, 3.5, ...) so over/under never push.
  FairProbabilities fair(double minute, MatchScore score, double total_line = 2.5) const;

 private:
  GoalModelParams p_;
};

// Poisson probabilities P(0..n) for mean `mean`, renormalised to sum to 1.
std::vector<double> truncated_poisson(double mean, int n);

// Pre-match expected goals that reproduce a bookmaker's fair 1X2 at
// kick-off (p_home + p_draw + p_away = 1 after removing the margin), so
// fixtures given as probabilities can drive the model. Newton iterations
// on (lambda_home, lambda_away); rate shape and grid from `shape`.
GoalModelParams fit_goal_rates(double p_home, double p_away, GoalModelParams shape = {});

}  // namespace inplay
