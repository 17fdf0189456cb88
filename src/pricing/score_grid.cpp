#include "pricing/score_grid.h"

#include <cmath>
#include <stdexcept>

namespace inplay {

namespace {

std::vector<double> poisson_pmf(double lambda, int n) {
  std::vector<double> out(n + 1);
  double p = std::exp(-lambda);
  for (int k = 0; k <= n; ++k) {
    out[k] = p;
    p *= lambda / (k + 1);
  }
  return out;
}

}  // namespace

ScoreGrid ScoreGrid::poisson(Score now, double extra_home, double extra_away, int max_extra) {
  if (!(extra_home >= 0) || !(extra_away >= 0) || !std::isfinite(extra_home) || !std::isfinite(extra_away) ||
      max_extra < 1)
    throw std::invalid_argument("score grid: expected goals must be finite and >= 0, max_extra >= 1");
  ScoreGrid g;
  g.base_ = now;
  g.max_extra_ = max_extra;
  const std::vector<double> h = poisson_pmf(extra_home, max_extra), a = poisson_pmf(extra_away, max_extra);
  g.p_.resize(static_cast<size_t>(max_extra + 1) * (max_extra + 1));
  double sum = 0;
  for (int i = 0; i <= max_extra; ++i)
    for (int j = 0; j <= max_extra; ++j) sum += g.p_[static_cast<size_t>(i) * (max_extra + 1) + j] = h[i] * a[j];
  for (double& v : g.p_) v /= sum;  // the truncated tail shared out
  return g;
}

double ScoreGrid::total() const {
  double s = 0;
  for (double v : p_) s += v;
  return s;
}

ScoreGrid::Split ScoreGrid::split(const std::function<std::optional<SettleResult>(Score)>& settle) const {
  Split s;
  for (int i = 0; i <= max_extra_; ++i)
    for (int j = 0; j <= max_extra_; ++j) {
      const double p = at(i, j);
      switch (settle(Score{base_.home + i, base_.away + j}).value_or(SettleResult::kLose)) {
        case SettleResult::kWin: s.win += p; break;
        case SettleResult::kHalfWin: s.half_win += p; break;
        case SettleResult::kPush: s.push += p; break;
        case SettleResult::kHalfLose: s.half_lose += p; break;
        case SettleResult::kLose: s.lose += p; break;
      }
    }
  return s;
}

double fair_probability(const ScoreGrid::Split& s) {
  const double staked = 1 - s.push - s.half_win / 2 - s.half_lose / 2;
  const double won = s.win + s.half_win / 2;
  if (!(won > 0) || !(staked > 0)) return 0;
  return won / staked;
}

}  // namespace inplay
