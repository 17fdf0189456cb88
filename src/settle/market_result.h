// The vocabulary of results (issue 14): certainty levels, the reasons a
// result is dead-lettered, and the conversions between the settlement
// rules' outcomes (settle/rules.h) and the journal's (SettledOutcome).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "journal/settlement_events.h"
#include "market/book.h"
#include "settle/rules.h"

namespace inplay {

// UOF's certainty: live (scouted at the ground, may change) or confirmed
// (official). The book's policy says from which it pays (SettlePolicy).
enum class Certainty : uint8_t { kLive = 1, kConfirmed = 2 };
const char* certainty_name(Certainty c);  // "live", "confirmed"
bool parse_certainty(std::string_view s, Certainty& out);

// The book's settlement policy (config: settlement.pay_on).
struct SettlePolicy {
  // Pay on results of at least this certainty (live pays at the final
  // whistle, confirmed waits for the official result).
  Certainty pay_on = Certainty::kConfirmed;
};

// Why a result went to the settlement dead-letter queue. Stable: metric
// label values and API fields.
enum class DeadLetterReason : uint8_t {
  kUnknownMarket,       // no such market in the book
  kWrongEvent,          // the market is not the message's event's
  kUnknownSelection,    // an outcome names a selection the market lacks
  kIncompleteResult,    // a selection of the market has no outcome (or two)
  kInvalidOutcome,      // void and dead-heat factors that cannot go together
  kShadowMismatch,      // the rules, on the message's score, settle it otherwise
  kConflictingResult,   // a different result stamped at the same instant
  kNothingToRollBack,   // a rollback of a result or cancel the book has not got
};
const char* dead_letter_reason_name(DeadLetterReason r);  // "unknown_market", ...

// The settlement rules' market for a book market (nullopt: no rule, e.g. a
// market type settle/rules.h does not know).
struct RuleMarket {
  BetMarket market;
  Line line;                // as the book keeps it: an Asian handicap's is the home side's
  bool first_half = false;  // settles on the half-time score
  // The line a selection backs: the rules take the backed side's handicap,
  // so an Asian handicap's away side backs the negated home line.
  Line line_for(std::string_view selection) const {
    return market == BetMarket::kAsianHandicap && selection == "away" ? Line{-line.quarters} : line;
  }
};
std::optional<RuleMarket> rule_market(const Market& m);

inline SettledOutcome settled_outcome(uint64_t selection_id, const OutcomeResult& r) {
  return SettledOutcome{selection_id, r.won, r.void_halves, r.dead_heat};
}
inline OutcomeResult outcome_of(const SettledOutcome& o) { return OutcomeResult{o.won, o.void_halves, o.dead_heat}; }
// "win", "half_win", "push", "half_lose", "lose" — or "dead_heat" for a
// won outcome with a dead-heat factor below 1.
const char* outcome_name(const SettledOutcome& o);

}  // namespace inplay
