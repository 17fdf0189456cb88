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
// Input is a copy taken on the engine thread at the end (SettlementFacts);
// the journal is read after the runtime has stopped (everything durable).
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
  // One per bet of the book (a million on a match day): 64 bytes, the
  // account an index into accounts.
  struct BetFact {
    uint64_t id = 0;
    uint64_t event_id = 0;
    int64_t stake = 0;
    int64_t paid = 0;               // return_minor (settled) or the stake (cancelled)
    std::optional<int64_t> due;     // what the rules pay on the true score; nullopt: match not ended
    Odds odds;
    uint32_t account = 0;           // the ledger's index of the bet's cash account
    BetStatus status = BetStatus::kAccepted;
  };
  static_assert(sizeof(BetFact) <= 64);
  std::vector<BetFact> bets;
  std::vector<std::string> accounts;  // ledger index -> account id
  std::map<std::string, std::pair<int64_t, int64_t>> balances;  // user account -> (free, reserved)
  uint64_t matches_ended = 0;
};

// On the engine thread: the bets, balances and what each bet is due.
// final_score(event_id): the true score of an ended match, nullopt if not ended.
template <class FinalScore>
SettlementFacts settlement_facts(const BookState& st, const FinalScore& final_score);

// After the run: compares and recomputes (journal_dir: the book's journal).
SettlementAudit audit_settlement(const SettlementFacts& f, const std::filesystem::path& journal_dir);

// ---- implementation of the template

std::optional<int64_t> due_return(const Market& m, std::string_view selection, Score score, int64_t stake, Odds odds);

template <class FinalScore>
SettlementFacts settlement_facts(const BookState& st, const FinalScore& final_score) {
  SettlementFacts f;
  std::map<uint64_t, std::optional<Score>> scores;
  for (uint64_t eid : st.book.event_ids()) {
    scores[eid] = final_score(eid);
    if (scores[eid]) ++f.matches_ended;
  }
  // Sized once: a vector that doubles past a million facts holds the old and
  // the new copy at once, at the moment the book's own memory is at its peak.
  f.bets.reserve(st.bets.size());
  for (const Bet& b : st.bets) {
    SettlementFacts::BetFact x;
    x.id = b.id;
    x.event_id = b.event_id;
    x.stake = b.stake_minor;
    x.paid = b.status == BetStatus::kSettled ? b.return_minor : b.status == BetStatus::kCancelled ? b.stake_minor : 0;
    x.odds = b.odds;
    x.account = b.account;
    x.status = b.status;
    const Market* m = st.book.market(b.market_id);
    const Selection* s = st.book.selection(b.selection_id);
    auto sc = scores.find(b.event_id);
    if (m && s && sc != scores.end() && sc->second) x.due = due_return(*m, s->name, *sc->second, b.stake_minor, b.odds);
    f.bets.push_back(std::move(x));
  }
  f.accounts.reserve(st.ledger.size());
  for (size_t i = 0; i < st.ledger.size(); ++i) {
    const auto& a = st.ledger.account(static_cast<uint32_t>(i));
    f.accounts.push_back(a.id);
    if (a.kind == AccountKind::kUserCash) f.balances[a.id].first = a.balance;
    if (a.kind == AccountKind::kUserReserved)
      f.balances[a.id.substr(0, a.id.size() - std::string_view("/reserved").size())].second = a.balance;
  }
  return f;
}

}  // namespace inplay
