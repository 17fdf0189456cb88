#include "settle/rules.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace inplay {

const char* settle_result_name(SettleResult r) {
  switch (r) {
    case SettleResult::kWin: return "win";
    case SettleResult::kHalfWin: return "half_win";
    case SettleResult::kPush: return "push";
    case SettleResult::kHalfLose: return "half_lose";
    case SettleResult::kLose: return "lose";
  }
  return "unknown";
}

std::string Line::str() const {
  const int q = std::abs(quarters);
  std::string frac = q % 4 == 0 ? "" : q % 4 == 1 ? ".25" : q % 4 == 2 ? ".5" : ".75";
  return fmt::format("{}{}{}", quarters < 0 ? "-" : "", q / 4, frac);
}

bool Line::parse(std::string_view s, Line& out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view("0") : s.substr(dot + 1);
  while (frac.size() > 1 && frac.back() == '0') frac.remove_suffix(1);  // "2.250" is 2.25
  int w = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), w);
  if (whole.empty() || whole.size() > 2 || whole[0] < '0' || whole[0] > '9' || ec != std::errc() ||
      end != whole.data() + whole.size())
    return false;
  int q;
  if (frac == "0") q = 0;
  else if (frac == "25") q = 1;
  else if (frac == "5") q = 2;
  else if (frac == "75") q = 3;
  else return false;
  const int total = w * 4 + q;
  if (total > 80) return false;
  out.quarters = neg ? -total : total;
  return true;
}

namespace {

// One half-line (whole or half) bet: the sign of the adjusted margin (in
// quarter goals) decides it.
SettleResult by_margin(int adjusted_quarters) {
  return adjusted_quarters > 0 ? SettleResult::kWin : adjusted_quarters == 0 ? SettleResult::kPush : SettleResult::kLose;
}

// A quarter line is two half-stakes on its neighbours.
SettleResult combine(SettleResult a, SettleResult b) {
  auto rank = [](SettleResult r) { return r == SettleResult::kWin ? 2 : r == SettleResult::kPush ? 1 : 0; };
  switch (rank(a) + rank(b)) {
    case 4: return SettleResult::kWin;
    case 3: return SettleResult::kHalfWin;
    case 2: return SettleResult::kPush;  // push + push (win + lose cannot happen on neighbouring lines)
    case 1: return SettleResult::kHalfLose;
    default: return SettleResult::kLose;
  }
}

// Settles "margin (in goals, for the backed side) plus line" — the shape of
// both Asian handicaps (margin = backed − other) and totals (margin =
// total for over, −total for under; line = −line for over).
SettleResult lined(int margin_goals, Line line) {
  const int m = margin_goals * 4;
  if (!line.is_quarter()) return by_margin(m + line.quarters);
  return combine(by_margin(m + line.quarters - 1), by_margin(m + line.quarters + 1));
}

SettleResult won_if(bool w) { return w ? SettleResult::kWin : SettleResult::kLose; }

}  // namespace

std::optional<SettleResult> settle_selection(BetMarket market, Line line, std::string_view sel, Score s, int max_goals) {
  const int h = s.home, a = s.away;
  switch (market) {
    case BetMarket::kMatchResult:
      if (sel == "home") return won_if(h > a);
      if (sel == "draw") return won_if(h == a);
      if (sel == "away") return won_if(h < a);
      return std::nullopt;
    case BetMarket::kTotalGoals:
      // Over 2.5 wins when total − 2.5 > 0; under 2.5 when 2.5 − total > 0.
      if (sel == "over") return lined(h + a, Line{-line.quarters});
      if (sel == "under") return lined(-(h + a), line);
      return std::nullopt;
    case BetMarket::kAsianHandicap:
      if (sel == "home") return lined(h - a, line);
      if (sel == "away") return lined(a - h, line);
      return std::nullopt;
    case BetMarket::kBothTeamsToScore:
      if (sel == "yes") return won_if(h > 0 && a > 0);
      if (sel == "no") return won_if(h == 0 || a == 0);
      return std::nullopt;
    case BetMarket::kDoubleChance:
      if (sel == "home_draw") return won_if(h >= a);
      if (sel == "home_away") return won_if(h != a);
      if (sel == "draw_away") return won_if(h <= a);
      return std::nullopt;
    case BetMarket::kDrawNoBet:
      if (sel == "home") return h == a ? SettleResult::kPush : won_if(h > a);
      if (sel == "away") return h == a ? SettleResult::kPush : won_if(a > h);
      return std::nullopt;
    case BetMarket::kCorrectScore: {
      const bool offered = h <= max_goals && a <= max_goals;
      if (sel == "other") return won_if(!offered);
      size_t dash = sel.find('-');
      int sh = -1, sa = -1;
      if (dash == std::string_view::npos) return std::nullopt;
      auto [p1, e1] = std::from_chars(sel.data(), sel.data() + dash, sh);
      auto [p2, e2] = std::from_chars(sel.data() + dash + 1, sel.data() + sel.size(), sa);
      if (e1 != std::errc() || e2 != std::errc() || p1 != sel.data() + dash || p2 != sel.data() + sel.size() ||
          sh < 0 || sa < 0 || sh > max_goals || sa > max_goals)
        return std::nullopt;
      return won_if(sh == h && sa == a);
    }
  }
  return std::nullopt;
}

OutcomeResult outcome_result(SettleResult r) {
  switch (r) {
    case SettleResult::kWin: return OutcomeResult{true, 0, kOddsScale};
    case SettleResult::kHalfWin: return OutcomeResult{true, 1, kOddsScale};
    case SettleResult::kPush: return OutcomeResult{false, 2, kOddsScale};
    case SettleResult::kHalfLose: return OutcomeResult{false, 1, kOddsScale};
    case SettleResult::kLose: return OutcomeResult{false, 0, kOddsScale};
  }
  return OutcomeResult{};
}

}  // namespace inplay
