// ScoreGrid: the probability of each final score of a match, the one goal
// distribution every market of the match is priced from (issue 14). Built
// from the goals already scored and the expected goals still to come of each
// team, as independent Poisson counts (the score-grid model of
// docs/pricing.md), truncated at `max_extra` more goals per team and
// renormalised so the grid sums to 1.
//
// fair_probability() turns the grid and a selection's settlement rule
// (settle/rules.h, passed in as a function of the score, so pricing and
// settlement can never disagree on what a score pays) into the selection's
// FAIR probability: the one whose inverse is the odds at which the bet's
// expected return equals its stake. For a selection that only wins or loses
// that is P(win); with pushes and half results (whole and quarter lines,
// draw no bet) it is
//     q = (P(win) + P(half_win)/2) / (1 - P(push) - P(half_win)/2 - P(half_lose)/2)
// so the two sides of any two-way line sum to 1 and the book's margin
// (pricing/margin.h) applies to them as to any market.
//
// Pure: doubles for the pricing maths only; prices leave through margin.h as
// integer Odds. Any thread.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "settle/rules.h"  // Score, SettleResult (types only; no link dependency)

namespace inplay {

class ScoreGrid {
 public:
  // `now` goals scored, `extra_home`/`extra_away` expected goals to come
  // (>= 0), at most `max_extra` more each (>= 1).
  static ScoreGrid poisson(Score now, double extra_home, double extra_away, int max_extra = 10);

  int max_extra() const { return max_extra_; }
  Score base() const { return base_; }
  // P(final score = base + (i, j)), i, j in [0, max_extra].
  double at(int i, int j) const { return p_[static_cast<size_t>(i) * (max_extra_ + 1) + j]; }
  double total() const;  // 1 up to rounding

  // The probability of each settlement result of a selection, by the rule
  // `settle` (nullopt for a score counts as a loss: never happens for a
  // selection of its market).
  struct Split {
    double win = 0, half_win = 0, push = 0, half_lose = 0, lose = 0;
  };
  Split split(const std::function<std::optional<SettleResult>(Score)>& settle) const;

 private:
  Score base_;
  int max_extra_ = 0;
  std::vector<double> p_;
};

// q above; 0 when the selection cannot win.
double fair_probability(const ScoreGrid::Split& s);

}  // namespace inplay
