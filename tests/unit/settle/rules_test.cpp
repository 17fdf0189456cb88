// Settlement rules against published cases, a second implementation, and
// the football-data seasons.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "pricing/football_data.h"
#include "settle/rules.h"

using namespace inplay;

namespace {

const std::string kData = std::string(INPLAY_SOURCE_DIR) + "/../shared/data";

Line line_of(const char* s) {
  Line l;
  EXPECT_TRUE(Line::parse(s, l)) << s;
  return l;
}

SettleResult normalized(std::string_view s) {
  if (s == "WIN") return SettleResult::kWin;
  if (s == "HALF_WIN") return SettleResult::kHalfWin;
  if (s == "PUSH") return SettleResult::kPush;
  if (s == "HALF_LOSE") return SettleResult::kHalfLose;
  if (s == "LOSE") return SettleResult::kLose;
  ADD_FAILURE() << "unknown outcome " << s;
  return SettleResult::kLose;
}

// A second, deliberately different settlement: split the stake into two
// halves on explicit lines (in doubled goals, so every line is an integer)
// and add up what each half returns, in exact rationals over 2 × 10000.
// Returns {outcome by half-results, gross return}.
std::pair<SettleResult, int64_t> by_halves(int margin_goals, int line_quarters, int64_t stake, Odds odds) {
  // A quarter line q (in quarters) splits into q-1 and q+1; other lines are
  // two halves on the same line.
  int lines[2] = {line_quarters, line_quarters};
  if (line_quarters % 2 != 0) lines[0] = line_quarters - 1, lines[1] = line_quarters + 1;
  int wins = 0, pushes = 0;
  __int128 numer = 0;  // return × 2 × 10000
  for (int half : lines) {
    const int adjusted = margin_goals * 4 + half;
    if (adjusted > 0) {
      ++wins;
      numer += static_cast<__int128>(stake) * odds.scaled;
    } else if (adjusted == 0) {
      ++pushes;
      numer += static_cast<__int128>(stake) * kOddsScale;
    }
  }
  SettleResult r = wins == 2                ? SettleResult::kWin
                   : wins == 1 && pushes == 1 ? SettleResult::kHalfWin
                   : pushes == 2              ? SettleResult::kPush
                   : pushes == 1              ? SettleResult::kHalfLose
                                              : SettleResult::kLose;
  return {r, static_cast<int64_t>(numer / (2 * kOddsScale))};
}

}  // namespace

TEST(Line, ParsesQuarterLinesAndPrintsThemBack) {
  for (const char* s : {"0", "0.25", "-0.25", "0.5", "-0.75", "1", "-1.25", "2.5", "5.25", "-20", "20"})
    EXPECT_EQ(line_of(s).str(), s);
  EXPECT_EQ(line_of("+1.5").quarters, 6);
  EXPECT_EQ(line_of("2.250").quarters, 9);
  EXPECT_EQ(line_of("-0.0").quarters, 0);
  Line l;
  for (const char* bad : {"", "-", "0.3", "0.125", "2.", ".5", "1e1", "20.25", "abc", "1.5x", "--1", "100"})
    EXPECT_FALSE(Line::parse(bad, l)) << bad;
}

// The 47 cases bookmakers publish in their rules (../shared/data/settlement).
TEST(SettleRules, PublishedAsianLineCases) {
  CsvTable t;
  std::string err;
  ASSERT_TRUE(CsvTable::read_file(kData + "/settlement/asian-lines-published-examples.csv", t, &err)) << err;
  ASSERT_EQ(t.rows(), 47u);
  std::map<std::string, int> per_market;
  for (size_t i = 0; i < t.rows(); ++i) {
    const std::string market(t.cell(i, "market"));
    const Line line = line_of(std::string(t.cell(i, "backed_line")).c_str());
    const int m = std::stoi(std::string(t.cell(i, "example_margin_or_total")));
    const SettleResult want = normalized(t.cell(i, "normalized_outcome"));
    std::optional<SettleResult> got;
    if (market == "AH") {
      // The backed side is home; its margin is m.
      got = settle_selection(BetMarket::kAsianHandicap, line, "home", m >= 0 ? Score{m, 0} : Score{0, -m});
      // The same case seen from the away side.
      EXPECT_EQ(settle_selection(BetMarket::kAsianHandicap, line, "away", m >= 0 ? Score{0, m} : Score{-m, 0}), want)
          << "row " << i + 2;
    } else if (market == "TOTAL_OVER" || market == "TOTAL_UNDER") {
      got = settle_selection(BetMarket::kTotalGoals, line, market == "TOTAL_OVER" ? "over" : "under", Score{m, 0});
      EXPECT_EQ(settle_selection(BetMarket::kTotalGoals, line, market == "TOTAL_OVER" ? "over" : "under",
                                 Score{m / 2, m - m / 2}),
                want)
          << "row " << i + 2 << ": only the total matters";
    } else {
      ADD_FAILURE() << "unknown market " << market;
      continue;
    }
    ++per_market[market];
    EXPECT_EQ(got, want) << "row " << i + 2 << ": " << market << " " << line.str() << " "
                         << t.cell(i, "scenario_for_backed_side");
  }
  EXPECT_EQ(per_market["AH"], 43);
  EXPECT_EQ(per_market["TOTAL_UNDER"] + per_market["TOTAL_OVER"], 4);
}

// Every line from -5 to 5 on every margin from -6 to 6: the rules and the
// half-stake implementation agree on outcome and return; the two sides of
// a handicap mirror each other; a total is a handicap on the goal count.
TEST(SettleRules, AgreeWithTwoHalfStakesOnEveryLine) {
  Odds odds;
  ASSERT_TRUE(Odds::parse("1.93", odds));
  for (int q = -20; q <= 20; ++q) {
    for (int margin = -6; margin <= 6; ++margin) {
      const Score s = margin >= 0 ? Score{margin + 1, 1} : Score{0, -margin};
      const auto home = settle_selection(BetMarket::kAsianHandicap, Line{q}, "home", s);
      const auto away = settle_selection(BetMarket::kAsianHandicap, Line{-q}, "away", s);
      ASSERT_TRUE(home && away);
      const auto [want, want_return] = by_halves(margin, q, 1001, odds);
      EXPECT_EQ(*home, want) << "line " << Line{q}.str() << " margin " << margin;
      EXPECT_EQ(settled_return(1001, odds, outcome_result(*home)), want_return)
          << "line " << Line{q}.str() << " margin " << margin;
      // Mirror: away at -q sees the opposite.
      const SettleResult mirror[] = {SettleResult::kLose, SettleResult::kHalfLose, SettleResult::kPush,
                                     SettleResult::kHalfWin, SettleResult::kWin};
      EXPECT_EQ(*away, mirror[static_cast<int>(*home)]) << "line " << Line{q}.str() << " margin " << margin;
      if (q >= 0) {
        const int total = s.home + s.away;
        EXPECT_EQ(*settle_selection(BetMarket::kTotalGoals, Line{q}, "over", s), by_halves(total, -q, 1, odds).first);
        EXPECT_EQ(*settle_selection(BetMarket::kTotalGoals, Line{q}, "under", s), by_halves(-total, q, 1, odds).first);
      }
    }
  }
}

TEST(SettleRules, FixedOddsMarkets) {
  auto r = [](BetMarket m, const char* sel, int h, int a) { return settle_selection(m, Line{}, sel, Score{h, a}); };
  using M = BetMarket;
  const auto W = SettleResult::kWin, L = SettleResult::kLose, P = SettleResult::kPush;
  EXPECT_EQ(r(M::kMatchResult, "home", 2, 1), W);
  EXPECT_EQ(r(M::kMatchResult, "draw", 2, 1), L);
  EXPECT_EQ(r(M::kMatchResult, "draw", 1, 1), W);
  EXPECT_EQ(r(M::kMatchResult, "away", 0, 3), W);
  EXPECT_EQ(r(M::kBothTeamsToScore, "yes", 1, 1), W);
  EXPECT_EQ(r(M::kBothTeamsToScore, "no", 3, 0), W);
  EXPECT_EQ(r(M::kBothTeamsToScore, "yes", 0, 0), L);
  EXPECT_EQ(r(M::kDoubleChance, "home_draw", 1, 1), W);
  EXPECT_EQ(r(M::kDoubleChance, "home_away", 1, 1), L);
  EXPECT_EQ(r(M::kDoubleChance, "draw_away", 0, 2), W);
  EXPECT_EQ(r(M::kDrawNoBet, "home", 1, 1), P);
  EXPECT_EQ(r(M::kDrawNoBet, "away", 1, 1), P);
  EXPECT_EQ(r(M::kDrawNoBet, "away", 1, 2), W);
  EXPECT_EQ(r(M::kCorrectScore, "2-1", 2, 1), W);
  EXPECT_EQ(r(M::kCorrectScore, "1-2", 2, 1), L);
  EXPECT_EQ(r(M::kCorrectScore, "other", 2, 1), L);
  EXPECT_EQ(r(M::kCorrectScore, "other", 4, 1), W);  // 4 goals is beyond the offered 0..3
  // Not the market's selections: nullopt, never a guess.
  EXPECT_EQ(r(M::kMatchResult, "H", 1, 0), std::nullopt);
  EXPECT_EQ(r(M::kCorrectScore, "4-1", 4, 1), std::nullopt);
  EXPECT_EQ(r(M::kCorrectScore, "2-", 2, 1), std::nullopt);
  EXPECT_EQ(r(M::kCorrectScore, "-1-2", 2, 1), std::nullopt);
  EXPECT_EQ(r(M::kDoubleChance, "home", 2, 1), std::nullopt);
}

// Every match of the five football-data seasons, settled on its full-time
// and half-time scores with the bookmaker's own Asian handicap line and
// odds: the rules agree with the half-stake implementation, exactly one
// selection of each fixed-odds market wins, and the two sides of the
// published handicap are mirror images.
TEST(SettleRules, FootballDataSeasons) {
  size_t matches = 0, quarter_lines = 0;
  std::map<SettleResult, int> ah_outcomes;
  for (const auto& entry : std::filesystem::directory_iterator(kData + "/football-data")) {
    if (entry.path().extension() != ".csv") continue;
    CsvTable t;
    ASSERT_TRUE(CsvTable::read_file(entry.path().string(), t));
    for (size_t i = 0; i < t.rows(); ++i) {
      if (t.cell(i, "FTHG").empty()) continue;
      const Score ft{std::stoi(std::string(t.cell(i, "FTHG"))), std::stoi(std::string(t.cell(i, "FTAG")))};
      const Score ht{std::stoi(std::string(t.cell(i, "HTHG"))), std::stoi(std::string(t.cell(i, "HTAG")))};
      ASSERT_LE(ht.home, ft.home);
      ++matches;
      for (Score s : {ft, ht}) {
        int wins = 0;
        for (const char* sel : {"home", "draw", "away"})
          wins += settle_selection(BetMarket::kMatchResult, Line{}, sel, s) == SettleResult::kWin;
        EXPECT_EQ(wins, 1);
        int cs_wins = 0;
        for (int h = 0; h <= 3; ++h)
          for (int a = 0; a <= 3; ++a)
            cs_wins += settle_selection(BetMarket::kCorrectScore, Line{}, std::to_string(h) + "-" + std::to_string(a), s) ==
                       SettleResult::kWin;
        cs_wins += settle_selection(BetMarket::kCorrectScore, Line{}, "other", s) == SettleResult::kWin;
        EXPECT_EQ(cs_wins, 1);
      }
      const std::string ahh(t.cell(i, "AHh"));
      std::optional<Odds> oh = t.odds(i, "B365AHH"), oa = t.odds(i, "B365AHA");
      if (ahh.empty() || !oh || !oa) continue;
      const Line home = line_of(ahh.c_str());
      quarter_lines += home.is_quarter();
      const auto rh = *settle_selection(BetMarket::kAsianHandicap, home, "home", ft);
      const auto ra = *settle_selection(BetMarket::kAsianHandicap, Line{-home.quarters}, "away", ft);
      ++ah_outcomes[rh];
      const auto [want, want_return] = by_halves(ft.home - ft.away, home.quarters, 1000, *oh);
      EXPECT_EQ(rh, want);
      EXPECT_EQ(settled_return(1000, *oh, outcome_result(rh)), want_return);
      EXPECT_EQ(settled_return(1000, *oa, outcome_result(ra)), by_halves(ft.away - ft.home, -home.quarters, 1000, *oa).second);
      EXPECT_EQ(static_cast<int>(rh) + static_cast<int>(ra), 4) << "mirror";
    }
  }
  EXPECT_GT(matches, 2000u);
  EXPECT_GT(quarter_lines, 500u);  // the seasons exercise quarter lines
  for (SettleResult r : {SettleResult::kWin, SettleResult::kHalfWin, SettleResult::kPush, SettleResult::kHalfLose,
                         SettleResult::kLose})
    EXPECT_GT(ah_outcomes[r], 10) << settle_result_name(r) << " seen in real seasons";
}
