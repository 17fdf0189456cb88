// MatchSim (src/sim/match_sim.h): the timeline and phases, what advance_to
// reports, and determinism for a seed however the match is advanced.
#include "sim/match_sim.h"

#include <gtest/gtest.h>

#include <set>

namespace inplay {
namespace {

constexpr int64_t kKickoff = 1'764'270'000'000;
constexpr int64_t kMin = 60'000;

MatchSimConfig cfg(uint64_t seed, double lh = 1.5, double la = 1.1) {
  MatchSimConfig c;
  c.model.lambda_home = lh;
  c.model.lambda_away = la;
  c.kickoff_ms = kKickoff;
  c.seed = seed;
  return c;
}

std::vector<MatchEvent> run(MatchSim& sim, int64_t step_ms) {
  std::vector<MatchEvent> all;
  for (int64_t t = kKickoff - 10 * kMin; t <= kKickoff + 120 * kMin; t += step_ms) {
    for (const MatchEvent& e : sim.advance_to(t)) all.push_back(e);
  }
  return all;
}

TEST(MatchSim, PhasesAndMinutesFollowTheClock) {
  MatchSim sim(cfg(7));
  EXPECT_TRUE(sim.advance_to(kKickoff - 1).empty());
  EXPECT_EQ(sim.phase(), MatchPhase::kPreMatch);
  EXPECT_EQ(sim.minute(), 0);
  sim.advance_to(kKickoff + 30 * kMin);
  EXPECT_EQ(sim.phase(), MatchPhase::kFirstHalf);
  EXPECT_DOUBLE_EQ(sim.minute(), 30);
  sim.advance_to(kKickoff + 50 * kMin);
  EXPECT_EQ(sim.phase(), MatchPhase::kHalfTime);
  EXPECT_DOUBLE_EQ(sim.minute(), 45);
  sim.advance_to(kKickoff + 75 * kMin);
  EXPECT_EQ(sim.phase(), MatchPhase::kSecondHalf);
  EXPECT_DOUBLE_EQ(sim.minute(), 60);
  sim.advance_to(kKickoff + 105 * kMin);
  EXPECT_EQ(sim.phase(), MatchPhase::kEnded);
  EXPECT_DOUBLE_EQ(sim.minute(), 90);
  EXPECT_EQ(sim.full_time_ms(), kKickoff + 105 * kMin);
}

TEST(MatchSim, ReportsEachHappeningOnceInOrder) {
  MatchSim sim(cfg(11));
  std::vector<MatchEvent> all = run(sim, 7 * 1000);
  ASSERT_GE(all.size(), 4u);
  EXPECT_EQ(all.front().kind, MatchEventKind::kKickoff);
  EXPECT_EQ(all.front().at_ms, kKickoff);
  EXPECT_EQ(all.back().kind, MatchEventKind::kFullTime);
  EXPECT_EQ(all, sim.timeline());  // nothing lost, nothing repeated
  MatchScore s;
  int halves = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_GE(all[i].at_ms, all[i - 1].at_ms);
    }
    const MatchEvent& e = all[i];
    if (e.kind == MatchEventKind::kGoal) {
      (e.home_scored ? s.home : s.away)++;
      bool first = e.at_ms < kKickoff + 45 * kMin;
      bool second = e.at_ms >= kKickoff + 60 * kMin && e.at_ms < kKickoff + 105 * kMin;
      EXPECT_TRUE(first || second) << "goal during the break at " << e.at_ms;
      EXPECT_GE(e.minute, 0);
      EXPECT_LT(e.minute, 90);
    }
    if (e.kind == MatchEventKind::kHalfTime || e.kind == MatchEventKind::kSecondHalf) ++halves;
    EXPECT_EQ(e.score, s);
  }
  EXPECT_EQ(halves, 2);
  EXPECT_EQ(sim.score(), s);
  EXPECT_TRUE(sim.advance_to(kKickoff + 200 * kMin).empty());
  EXPECT_TRUE(sim.advance_to(kKickoff).empty());  // time never goes back
  EXPECT_EQ(sim.phase(), MatchPhase::kEnded);
}

TEST(MatchSim, SameSeedSameMatchHoweverItIsAdvanced) {
  MatchSim a(cfg(42)), b(cfg(42));
  std::vector<MatchEvent> fine = run(a, 1000);
  std::vector<MatchEvent> coarse = run(b, 13 * kMin);
  EXPECT_EQ(fine, coarse);
  MatchSim c(cfg(42));
  EXPECT_EQ(c.advance_to(kKickoff + 200 * kMin), fine);  // one jump
}

TEST(MatchSim, DifferentSeedsDiffer) {
  std::set<std::vector<int64_t>> distinct;
  int total_goals = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    MatchSim sim(cfg(seed));
    std::vector<int64_t> goal_times;
    for (const MatchEvent& e : sim.timeline()) {
      if (e.kind == MatchEventKind::kGoal) goal_times.push_back(e.at_ms);
    }
    total_goals += static_cast<int>(goal_times.size());
    distinct.insert(goal_times);
  }
  EXPECT_GE(distinct.size(), 15u);
  // 20 matches at 2.6 expected goals: 52 on average.
  EXPECT_GT(total_goals, 25);
  EXPECT_LT(total_goals, 85);
  MatchSim a(cfg(1)), b(cfg(2));
  EXPECT_NE(a.timeline(), b.timeline());
}

TEST(MatchSim, GoalRatesFollowLambdas) {
  // Over many seeds the average goals per team approach lambda, and the
  // second half carries more goals than the first (rising rate).
  double home = 0, away = 0, first = 0, second = 0;
  const int n = 2000;
  for (int seed = 0; seed < n; ++seed) {
    MatchSim sim(cfg(1000 + seed, 1.6, 0.9));
    for (const MatchEvent& e : sim.timeline()) {
      if (e.kind != MatchEventKind::kGoal) continue;
      (e.home_scored ? home : away) += 1;
      (e.minute < 45 ? first : second) += 1;
    }
  }
  EXPECT_NEAR(home / n, 1.6, 0.1);
  EXPECT_NEAR(away / n, 0.9, 0.08);
  EXPECT_GT(second, first * 1.1);
}

TEST(MatchSim, ConfigurableTimingForFastMatches) {
  MatchSimConfig c = cfg(3);
  c.timing.half_ms = 4500;  // a 90-minute match in 9 seconds
  c.timing.half_time_ms = 1000;
  MatchSim sim(c);
  EXPECT_EQ(sim.full_time_ms(), kKickoff + 10000);
  sim.advance_to(kKickoff + 2250);
  EXPECT_DOUBLE_EQ(sim.minute(), 22.5);
  auto evs = sim.advance_to(kKickoff + 10000);
  EXPECT_EQ(evs.back().kind, MatchEventKind::kFullTime);
  FairProbabilities f = sim.fair();
  double certain = f.home + f.draw + f.away;
  EXPECT_NEAR(certain, 1, 1e-12);
  EXPECT_TRUE(f.home == 1 || f.draw == 1 || f.away == 1);
}

TEST(MatchSim, Names) {
  EXPECT_EQ(to_string(MatchPhase::kHalfTime), "half_time");
  EXPECT_EQ(to_string(MatchEventKind::kFullTime), "full_time");
}

}  // namespace
}  // namespace inplay
