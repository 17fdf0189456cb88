// Settlement rules: how a market's selections settle from a match's score
// (SET-1, SET-2). The one rule code used by the simulated world when it
// publishes results, by the settle desk's shadow check of every result it
// pays, and by `inplay settle-check`. Pure functions, any thread.
//
// Markets (BetMarket) and their selections:
//   match result (1X2)   home | draw | away
//   total goals (line)   over | under
//   Asian handicap       home | away — `line` is the handicap of the backed
//                        side, as a bookmaker shows it ("home -0.75")
//   both teams to score  yes | no
//   double chance        home_draw | home_away | draw_away
//   draw no bet          home | away (a draw is a push: stake back)
//   correct score        "h-a" (e.g. "2-1") | other (any score not offered;
//                        `max_goals` bounds the offered ones)
// Lines are in quarter goals (Line): a half line (2.5) wins or loses, a
// whole line (2) can push, a quarter line (2.25, -0.75) is two half-stakes
// on its neighbours (2 and 2.5), so it can also half-win or half-lose.
// First-half markets settle the same way on the half-time score.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/odds.h"

namespace inplay {

enum class SettleResult : uint8_t { kWin, kHalfWin, kPush, kHalfLose, kLose };
const char* settle_result_name(SettleResult r);  // "win", "half_win", "push", "half_lose", "lose"

enum class BetMarket : uint8_t {
  kMatchResult,
  kTotalGoals,
  kAsianHandicap,
  kBothTeamsToScore,
  kDoubleChance,
  kDrawNoBet,
  kCorrectScore,
};

struct Score {
  int home = 0, away = 0;
  bool operator==(const Score&) const = default;
};

// A line in quarter goals: 2.25 is 9, -0.75 is -3, 2.5 is 10.
struct Line {
  int32_t quarters = 0;
  bool is_quarter() const { return quarters % 2 != 0; }
  // "2.25", "-0.75", "2", "0" (shortest form).
  std::string str() const;
  // "2.25", "-0.75", "+1", "0.5": a multiple of 0.25 within ±20 goals.
  static bool parse(std::string_view s, Line& out);
};

// How a selection settles on a score; nullopt when the selection is not one
// of the market's (a bad name, a correct score over max_goals).
std::optional<SettleResult> settle_selection(BetMarket market, Line line, std::string_view selection, Score score,
                                             int max_goals = 3);

// A result as settlement carries it per outcome (the UOF model): won, the
// halves of the stake made void (0, 1 or 2) and a dead-heat factor
// (10000 = none).
struct OutcomeResult {
  bool won = false;
  uint8_t void_halves = 0;
  int32_t dead_heat = kOddsScale;
  bool operator==(const OutcomeResult&) const = default;
};
OutcomeResult outcome_result(SettleResult r);
// The gross return of a back bet so settled (core/odds.h's one rounding rule).
inline int64_t settled_return(int64_t stake_minor, Odds odds, const OutcomeResult& r) {
  return settled_return_minor(stake_minor, odds, r.won, r.void_halves, r.dead_heat);
}

}  // namespace inplay
