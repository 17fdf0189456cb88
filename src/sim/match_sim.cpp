#include "sim/match_sim.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <random>
#include <stdexcept>

namespace inplay {

std::string_view to_string(MatchPhase p) {
  switch (p) {
    case MatchPhase::kPreMatch: return "pre_match";
    case MatchPhase::kFirstHalf: return "first_half";
    case MatchPhase::kHalfTime: return "half_time";
    case MatchPhase::kSecondHalf: return "second_half";
    case MatchPhase::kEnded: return "ended";
  }
  return "?";
}

std::string_view to_string(MatchEventKind k) {
  switch (k) {
    case MatchEventKind::kKickoff: return "kickoff";
    case MatchEventKind::kGoal: return "goal";
    case MatchEventKind::kHalfTime: return "half_time";
    case MatchEventKind::kSecondHalf: return "second_half";
    case MatchEventKind::kFullTime: return "full_time";
  }
  return "?";
}

double uniform01(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b * 0x9E3779B97F4A7C15ULL + 0x7F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

namespace {

// Inverse-CDF Poisson draw from one uniform.
int draw_poisson(double mean, double u) {
  double term = std::exp(-mean), cdf = term;
  int k = 0;
  while (u >= cdf && k < 30) {
    ++k;
    term *= mean / k;
    cdf += term;
  }
  return k;
}

}  // namespace

MatchSim::MatchSim(MatchSimConfig cfg) : cfg_(cfg), model_(cfg.model) {
  if (cfg_.timing.half_ms <= 0 || cfg_.timing.half_time_ms < 0) {
    throw std::invalid_argument("MatchSim: bad timing");
  }
  std::mt19937_64 rng(cfg_.seed);
  struct Goal {
    int64_t at;
    double minute;
    bool home;
  };
  std::vector<Goal> goals;
  for (bool home : {true, false}) {
    double lambda = home ? cfg_.model.lambda_home : cfg_.model.lambda_away;
    int n = draw_poisson(lambda, uniform01(rng()));
    for (int i = 0; i < n; ++i) {
      double m = model_.minute_at_fraction(uniform01(rng()));
      goals.push_back({ms_at_minute(m), m, home});
    }
  }
  std::stable_sort(goals.begin(), goals.end(),
                   [](const Goal& a, const Goal& b) { return a.at < b.at; });

  const int64_t k = cfg_.kickoff_ms, h = cfg_.timing.half_ms, ht = cfg_.timing.half_time_ms;
  auto add = [&](MatchEventKind kind, int64_t at, double minute, bool home = false) {
    timeline_.push_back(MatchEvent{kind, at, minute, {}, home});
  };
  add(MatchEventKind::kKickoff, k, 0);
  size_t g = 0;
  for (; g < goals.size() && goals[g].at < k + h; ++g) add(MatchEventKind::kGoal, goals[g].at, goals[g].minute, goals[g].home);
  add(MatchEventKind::kHalfTime, k + h, 45);
  add(MatchEventKind::kSecondHalf, k + h + ht, 45);
  for (; g < goals.size(); ++g) add(MatchEventKind::kGoal, goals[g].at, goals[g].minute, goals[g].home);
  add(MatchEventKind::kFullTime, full_time_ms(), 90);
  MatchScore s;
  for (MatchEvent& e : timeline_) {
    if (e.kind == MatchEventKind::kGoal) (e.home_scored ? s.home : s.away)++;
    e.score = s;
  }
}

int64_t MatchSim::full_time_ms() const {
  return cfg_.kickoff_ms + 2 * cfg_.timing.half_ms + cfg_.timing.half_time_ms;
}

int64_t MatchSim::ms_at_minute(double minute) const {
  const double h = static_cast<double>(cfg_.timing.half_ms);
  if (minute < 45) {
    int64_t off = static_cast<int64_t>(std::floor(minute / 45 * h));
    return cfg_.kickoff_ms + std::min(off, cfg_.timing.half_ms - 1);
  }
  int64_t off = static_cast<int64_t>(std::floor((minute - 45) / 45 * h));
  return cfg_.kickoff_ms + cfg_.timing.half_ms + cfg_.timing.half_time_ms +
         std::min(off, cfg_.timing.half_ms - 1);
}

double MatchSim::minute_at(int64_t t) const {
  const int64_t k = cfg_.kickoff_ms, h = cfg_.timing.half_ms, ht = cfg_.timing.half_time_ms;
  if (t <= k) return 0;
  if (t < k + h) return 45.0 * static_cast<double>(t - k) / static_cast<double>(h);
  if (t < k + h + ht) return 45;
  if (t < full_time_ms()) return 45 + 45.0 * static_cast<double>(t - k - h - ht) / static_cast<double>(h);
  return 90;
}

std::vector<MatchEvent> MatchSim::advance_to(int64_t now_ms) {
  std::vector<MatchEvent> out;
  if (now_ms < now_ms_) return out;
  now_ms_ = now_ms;
  while (next_ < timeline_.size() && timeline_[next_].at_ms <= now_ms) {
    const MatchEvent& e = timeline_[next_++];
    score_ = e.score;
    switch (e.kind) {
      case MatchEventKind::kKickoff: phase_ = MatchPhase::kFirstHalf; break;
      case MatchEventKind::kHalfTime: phase_ = MatchPhase::kHalfTime; break;
      case MatchEventKind::kSecondHalf: phase_ = MatchPhase::kSecondHalf; break;
      case MatchEventKind::kFullTime: phase_ = MatchPhase::kEnded; break;
      case MatchEventKind::kGoal: break;
    }
    out.push_back(e);
  }
  return out;
}

FairProbabilities MatchSim::fair(double total_line) const {
  return model_.fair(minute(), score_, total_line);
}

}  // namespace inplay
