#include "sim/goal_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace inplay {

GoalModel::GoalModel(GoalModelParams p) : p_(p) {
  if (!(p_.lambda_home >= 0) || !(p_.lambda_away >= 0) || !(p_.match_minutes > 0) ||
      !(p_.rate_rise >= 0 && p_.rate_rise < 1) || p_.max_extra_goals < 1) {
    throw std::invalid_argument("GoalModel: bad parameters");
  }
}

double GoalModel::played_fraction(double minute) const {
  const double T = p_.match_minutes;
  double t = std::clamp(minute, 0.0, T);
  // Integral of (1 + r(2s/T - 1)) ds from 0 to t, over T.
  return (t + p_.rate_rise * (t * t / T - t)) / T;
}

double GoalModel::minute_at_fraction(double u) const {
  const double T = p_.match_minutes;
  const double r = p_.rate_rise;
  u = std::clamp(u, 0.0, 1.0);
  if (r < 1e-12) return u * T;
  // r/T t^2 + (1 - r) t - uT = 0, positive root.
  double t = (-(1 - r) + std::sqrt((1 - r) * (1 - r) + 4 * r * u)) * T / (2 * r);
  return std::clamp(t, 0.0, T);
}

double GoalModel::remaining_home(double minute) const {
  return p_.lambda_home * (1 - played_fraction(minute));
}
double GoalModel::remaining_away(double minute) const {
  return p_.lambda_away * (1 - played_fraction(minute));
}

std::vector<double> truncated_poisson(double mean, int n) {
  std::vector<double> pmf(static_cast<size_t>(n) + 1, 0.0);
  if (mean <= 0) {
    pmf[0] = 1;
    return pmf;
  }
  double term = std::exp(-mean), sum = 0;
  for (int k = 0; k <= n; ++k) {
    if (k > 0) term *= mean / k;
    pmf[k] = term;
    sum += term;
  }
  for (double& x : pmf) x /= sum;
  return pmf;
}

FairProbabilities GoalModel::fair(double minute, MatchScore score, double total_line) const {
  const int n = p_.max_extra_goals;
  std::vector<double> ph = truncated_poisson(remaining_home(minute), n);
  std::vector<double> pa = truncated_poisson(remaining_away(minute), n);
  FairProbabilities f;
  for (int i = 0; i <= n; ++i) {
    for (int j = 0; j <= n; ++j) {
      double p = ph[i] * pa[j];
      int h = score.home + i, a = score.away + j;
      (h > a ? f.home : h == a ? f.draw : f.away) += p;
      (h + a > total_line ? f.over : f.under) += p;
      (h > 0 && a > 0 ? f.btts_yes : f.btts_no) += p;
    }
  }
  // Rounding can leave a certain outcome at 1 + 1ulp.
  for (double* x : {&f.home, &f.draw, &f.away, &f.over, &f.under, &f.btts_yes, &f.btts_no}) {
    *x = std::min(*x, 1.0);
  }
  return f;
}

GoalModelParams fit_goal_rates(double p_home, double p_away, GoalModelParams shape) {
  GoalModelParams p = shape;
  double x = 1.3, y = 1.1;
  auto eval = [&](double lh, double la, double& fh, double& fa) {
    p.lambda_home = std::max(lh, 1e-6);
    p.lambda_away = std::max(la, 1e-6);
    FairProbabilities f = GoalModel(p).fair(0, {});
    fh = f.home - p_home;
    fa = f.away - p_away;
  };
  for (int it = 0; it < 50; ++it) {
    double fh, fa;
    eval(x, y, fh, fa);
    if (std::abs(fh) < 1e-10 && std::abs(fa) < 1e-10) break;
    const double e = 1e-6;
    double fhx, fax, fhy, fay;
    eval(x + e, y, fhx, fax);
    eval(x, y + e, fhy, fay);
    double a = (fhx - fh) / e, b = (fhy - fh) / e, c = (fax - fa) / e, d = (fay - fa) / e;
    double det = a * d - b * c;
    if (std::abs(det) < 1e-14) break;
    double dx = (d * fh - b * fa) / det, dy = (a * fa - c * fh) / det;
    x = std::clamp(x - dx, 0.05, 8.0);
    y = std::clamp(y - dy, 0.05, 8.0);
  }
  p.lambda_home = x;
  p.lambda_away = y;
  return p;
}

}  // namespace inplay
