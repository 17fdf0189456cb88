#include "settle/market_result.h"

namespace inplay {

const char* certainty_name(Certainty c) {
  switch (c) {
    case Certainty::kLive: return "live";
    case Certainty::kConfirmed: return "confirmed";
  }
  return "unknown";
}

bool parse_certainty(std::string_view s, Certainty& out) {
  if (s == "live") out = Certainty::kLive;
  else if (s == "confirmed") out = Certainty::kConfirmed;
  else return false;
  return true;
}

const char* dead_letter_reason_name(DeadLetterReason r) {
  switch (r) {
    case DeadLetterReason::kUnknownMarket: return "unknown_market";
    case DeadLetterReason::kWrongEvent: return "wrong_event";
    case DeadLetterReason::kUnknownSelection: return "unknown_selection";
    case DeadLetterReason::kIncompleteResult: return "incomplete_result";
    case DeadLetterReason::kInvalidOutcome: return "invalid_outcome";
    case DeadLetterReason::kShadowMismatch: return "shadow_mismatch";
    case DeadLetterReason::kConflictingResult: return "conflicting_result";
    case DeadLetterReason::kNothingToRollBack: return "nothing_to_roll_back";
  }
  return "unknown";
}

namespace {

std::optional<BetMarket> rule_of(MarketType t) {
  switch (t) {
    case MarketType::kMatchResult: return BetMarket::kMatchResult;
    case MarketType::kTotalGoals: return BetMarket::kTotalGoals;
    case MarketType::kBothTeamsToScore: return BetMarket::kBothTeamsToScore;
    case MarketType::kAsianHandicap: return BetMarket::kAsianHandicap;
    case MarketType::kDoubleChance: return BetMarket::kDoubleChance;
    case MarketType::kDrawNoBet: return BetMarket::kDrawNoBet;
    case MarketType::kCorrectScore: return BetMarket::kCorrectScore;
  }
  return std::nullopt;
}

}  // namespace

std::optional<RuleMarket> rule_market(const Market& m) {
  std::optional<BetMarket> r = rule_of(m.type);
  if (!r) return std::nullopt;
  Line line{market_type_has_line(m.type) ? m.line_quarters : 0};
  return RuleMarket{*r, line, m.period == MarketPeriod::kFirstHalf};
}

const char* outcome_name(const SettledOutcome& o) {
  if (o.won && o.void_halves == 0 && o.dead_heat < kOddsScale) return "dead_heat";
  if (o.void_halves == 2) return "push";
  if (o.won) return o.void_halves ? "half_win" : "win";
  return o.void_halves ? "half_lose" : "lose";
}

}  // namespace inplay
