#include "pricing/margin.h"

#include <cmath>
#include <stdexcept>

#include "pricing/price_ladder.h"

namespace inplay {

namespace {

constexpr int kBisectIterations = 200;  // far past double precision on these ranges

std::vector<double> implied(const std::vector<Odds>& odds) {
  if (odds.empty()) throw std::invalid_argument("margin: no prices");
  std::vector<double> pi;
  pi.reserve(odds.size());
  for (Odds o : odds) {
    if (o.scaled < kMinOdds) throw std::invalid_argument("margin: price below 1.01");
    pi.push_back(static_cast<double>(kOddsScale) / o.scaled);
  }
  return pi;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// Root of a monotone f on [lo, hi] (f(lo) and f(hi) bracket 0).
template <class F>
double bisect(F f, double lo, double hi) {
  const bool rising = f(hi) > f(lo);
  for (int i = 0; i < kBisectIterations; ++i) {
    double mid = 0.5 * (lo + hi);
    if ((f(mid) < 0) == rising)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

// Exponent e in [lo, hi] with sum(x_i ^ e) = target, x_i in [0, 1).
// Safeguarded Newton: sum(x^e) = sum(exp(e ln x)) is smooth and monotone in
// e, so Newton converges in a handful of steps; a step that leaves the
// bracket falls back to bisection. (Pure bisection cost ~150 pow() calls a
// market, the most expensive part of pricing a feed update.)
double power_exponent(const std::vector<double>& x, double target, double lo, double hi) {
  double logs[64];
  std::vector<double> big;
  double* ln = logs;
  if (x.size() > 64) {
    big.resize(x.size());
    ln = big.data();
  }
  size_t n = 0;
  for (double v : x)
    if (v > 0) ln[n++] = std::log(v);
  auto eval = [&](double e, double& deriv) {
    double s = 0, d = 0;
    for (size_t i = 0; i < n; ++i) {
      double t = std::exp(e * ln[i]);
      s += t;
      d += t * ln[i];
    }
    deriv = d;
    return s - target;
  };
  double d;
  double flo = eval(lo, d), fhi = eval(hi, d);
  if (flo * fhi > 0) throw std::invalid_argument("margin: power method cannot reach target");
  double e = (lo <= 1.0 && 1.0 <= hi) ? 1.0 : 0.5 * (lo + hi);
  for (int i = 0; i < 100; ++i) {
    double f = eval(e, d);
    if (f == 0) return e;
    // Keep the bracket: f is decreasing in e (every ln x < 0).
    if (f > 0) lo = e;
    else hi = e;
    double next = d != 0 ? e - f / d : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::fabs(next - e) <= 1e-15 * std::max(1.0, std::fabs(e))) return next;
    e = next;
  }
  return e;
}

std::vector<double> proportional(const std::vector<double>& v, double total) {
  const double s = sum(v);
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] / s * total;
  return out;
}

}  // namespace

const char* margin_method_name(MarginMethod m) {
  switch (m) {
    case MarginMethod::kProportional: return "proportional";
    case MarginMethod::kPower: return "power";
    case MarginMethod::kShin: return "shin";
  }
  return "?";
}

double overround(const std::vector<Odds>& odds) { return sum(implied(odds)) - 1.0; }

std::vector<double> strip_margin(const std::vector<Odds>& odds, MarginMethod method) {
  const std::vector<double> pi = implied(odds);
  const double s = sum(pi);
  switch (method) {
    case MarginMethod::kProportional:
      return proportional(pi, 1.0);
    case MarginMethod::kPower: {
      if (pi.size() == 1 || s == 1.0) return proportional(pi, 1.0);
      // sum(pi^e) is strictly decreasing in e (every pi < 1); e > 1 when s > 1.
      const double e = s > 1.0 ? power_exponent(pi, 1.0, 1.0, 1e3) : power_exponent(pi, 1.0, 1e-3, 1.0);
      std::vector<double> p(pi.size());
      for (size_t i = 0; i < pi.size(); ++i) p[i] = std::pow(pi[i], e);
      return proportional(p, 1.0);  // removes the last ulps of the solve
    }
    case MarginMethod::kShin: {
      if (pi.size() == 1 || s <= 1.0) return proportional(pi, 1.0);
      auto probs = [&](double z, std::vector<double>& p) {
        for (size_t i = 0; i < pi.size(); ++i)
          p[i] = (std::sqrt(z * z + 4 * (1 - z) * pi[i] * pi[i] / s) - z) / (2 * (1 - z));
      };
      std::vector<double> p(pi.size());
      // sum(p(z)) falls from sqrt(s) > 1 at z = 0 below 1 well before z = 1.
      const double z = bisect(
          [&](double zz) {
            probs(zz, p);
            return sum(p) - 1.0;
          },
          0.0, 0.999);
      probs(z, p);
      return proportional(p, 1.0);
    }
  }
  throw std::invalid_argument("margin: unknown method");
}

std::vector<double> margin_probabilities(const std::vector<double>& fair_in, double margin,
                                         MarginMethod method) {
  if (fair_in.empty()) throw std::invalid_argument("margin: no probabilities");
  for (double p : fair_in)
    if (!std::isfinite(p) || p < 0) throw std::invalid_argument("margin: bad probability");
  if (sum(fair_in) <= 0) throw std::invalid_argument("margin: probabilities sum to 0");
  if (!std::isfinite(margin) || margin <= -1.0) throw std::invalid_argument("margin: bad margin");
  const std::vector<double> p = proportional(fair_in, 1.0);
  const double target = 1.0 + margin;
  if (margin == 0.0) return p;

  size_t positive = 0;
  for (double v : p) positive += v > 0;
  if (method == MarginMethod::kProportional || positive == 1 ||
      (method == MarginMethod::kShin && margin < 0))
    return proportional(p, target);

  if (method == MarginMethod::kPower) {
    if (margin > 0 && target >= static_cast<double>(positive))
      throw std::invalid_argument("margin: too large for the power method");
    // sum(p^k) falls from `positive` (k -> 0) through 1 (k = 1) towards 0.
    const double k = margin > 0 ? power_exponent(p, target, 1e-9, 1.0) : power_exponent(p, target, 1.0, 1e3);
    std::vector<double> pi(p.size());
    for (size_t i = 0; i < p.size(); ++i) pi[i] = p[i] > 0 ? std::pow(p[i], k) : 0.0;
    return pi;
  }

  // Shin, margin > 0: T(z) = sum sqrt(z p + (1 - z) p^2) rises from 1 (z = 0).
  auto term = [&](double z, double v) { return std::sqrt(z * v + (1 - z) * v * v); };
  auto T = [&](double z) {
    double t = 0;
    for (double v : p) t += term(z, v);
    return t;
  };
  if (T(1.0) * T(1.0) < target) throw std::invalid_argument("margin: too large for Shin's method");
  const double z = bisect([&](double zz) { return T(zz) * T(zz) - target; }, 0.0, 1.0);
  const double t = T(z);
  std::vector<double> pi(p.size());
  for (size_t i = 0; i < p.size(); ++i) pi[i] = term(z, p[i]) * t;
  return pi;
}

Odds round_to_ladder(double x, PriceRounding rounding) {
  if (!(x > 1.01)) return Odds{kMinOdds};  // NaN too
  if (x >= 1000.0) return Odds{kMaxOdds};
  Odds o{static_cast<int32_t>(std::llround(x * kOddsScale))};
  if (o.scaled < kMinOdds) o.scaled = kMinOdds;
  if (o.scaled > kMaxOdds) o.scaled = kMaxOdds;
  const Odds lo = ladder_floor(o);
  if (rounding == PriceRounding::kFloor || lo == o) return lo;
  const Odds hi = ladder_ceil(o);
  return (hi.scaled - o.scaled) < (o.scaled - lo.scaled) ? hi : lo;
}

std::vector<Odds> apply_margin(const std::vector<double>& fair, double margin, MarginMethod method,
                               PriceRounding rounding) {
  const std::vector<double> pi = margin_probabilities(fair, margin, method);
  std::vector<Odds> out;
  out.reserve(pi.size());
  for (double v : pi) out.push_back(round_to_ladder(v > 0 ? 1.0 / v : INFINITY, rounding));
  return out;
}

const MarketMargin& MarginConfig::for_type(MarketType t) const {
  switch (t) {
    case MarketType::kMatchResult: return match_result;
    case MarketType::kTotalGoals: return total_goals;
    case MarketType::kBothTeamsToScore: return btts;
    case MarketType::kAsianHandicap: return asian_handicap;
    case MarketType::kDoubleChance: return double_chance;
    case MarketType::kDrawNoBet: return draw_no_bet;
    case MarketType::kCorrectScore: return correct_score;
  }
  return match_result;
}

MarketMargin& MarginConfig::for_type(MarketType t) {
  return const_cast<MarketMargin&>(static_cast<const MarginConfig&>(*this).for_type(t));
}

std::vector<Odds> price_market(MarketType type, const std::vector<double>& fair,
                               const MarginConfig& config) {
  const MarketMargin& mm = config.for_type(type);
  if (type != MarketType::kDoubleChance) return apply_margin(fair, mm.margin, mm.method, mm.rounding);
  // Halves of selections covering two outcomes each (see the header).
  const std::vector<double> half = margin_probabilities(fair, mm.margin, mm.method);
  std::vector<Odds> out;
  out.reserve(half.size());
  for (double v : half) out.push_back(round_to_ladder(v > 0 ? 1.0 / (2.0 * v) : INFINITY, mm.rounding));
  return out;
}

}  // namespace inplay
