// SettlementAudit (gameday/gameday_record.h) worked out after a game day:
// what every bet of an ended match should have been paid, from the
// simulated world's true final score and the settlement rules
// (settle/rules.h) — never from the results the book was sent, which the
// faults may have made late, doubled, reordered or wrong — compared with
// what the book paid; every account's money recomputed from the journal's
// deposits and withdrawals, the bets' stakes and those returns, and the
// journal's cash-outs (stake out, amount in); and, from the journal's
// BetPostings, no bet paid more often than reversed plus once, and a
// cashed-out bet never paid at all.
//
// Two steps. settlement_facts() runs on the engine thread at the end and
// reduces the book to what the journal is checked against: the verdict of
// every bet (due against paid), each account's balances and the bets' part
// of its recomputation, and the bets that were cashed out. It keeps no copy
// per bet: a match day's million bets copied out would sit on top of the
// book at its peak. audit_settlement() reads the journal after the runtime
// has stopped (everything durable) and adds what only the journal knows. A
// cash-out the journal has for a bet the book shows none of counts as a
// wrong bet.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/book_state.h"
#include "gameday/gameday_record.h"
#include "settle/rules.h"

namespace inplay {

struct SettlementFacts {
  struct Money {
    int64_t free = 0;
    int64_t reserved = 0;
    bool operator==(const Money&) const = default;
  };
  // A bet with a cash-out: its account, for the journal's cash-outs (named by
  // bet id), and whether the cash-out closed it (no result may pay it then).
  struct Cashed {
    uint64_t bet_id = 0;
    std::string account;  // the user account
    bool closed = false;
  };
  SettlementAudit verdicts;  // per-bet counts and examples the book alone decides
  std::map<std::string, Money> held;       // user account -> the book's (free, reserved)
  std::map<std::string, Money> from_bets;  // user account -> the bets' part: -stake riding, +due, reserved unended
  std::vector<Cashed> cashed;              // by bet id
  uint64_t max_bet_id = 0;
  uint64_t bets = 0;
};

// The true final score of each event of the book (nullopt: not ended).
using FinalScores = std::map<uint64_t, std::optional<Score>>;

// On the engine thread: the facts of the book as it is.
SettlementFacts settlement_facts(const BookState& st, const FinalScores& scores);

// After the run: adds the journal's side (journal_dir: the book's journal).
SettlementAudit audit_settlement(const SettlementFacts& f, const std::filesystem::path& journal_dir);

// What the rules pay a bet of `stake` at `odds` on `selection` of market m
// for the final score; nullopt when the world keeps no truth for the market.
std::optional<int64_t> due_return(const Market& m, std::string_view selection, Score score, int64_t stake, Odds odds);

}  // namespace inplay
