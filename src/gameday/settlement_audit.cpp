#include "gameday/settlement_audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "journal/events.h"
#include "journal/journal.h"
#include "settle/market_result.h"

namespace inplay {
namespace {

constexpr size_t kExamples = 5;

void example(SettlementAudit& a, std::string s) {
  if (a.examples.size() < kExamples) a.examples.push_back(std::move(s));
}

}  // namespace

std::optional<int64_t> due_return(const Market& m, std::string_view selection, Score score, int64_t stake, Odds odds) {
  std::optional<RuleMarket> rm = rule_market(m);
  if (!rm || rm->first_half) return std::nullopt;  // the world keeps no half-time truth
  std::optional<SettleResult> r = settle_selection(rm->market, rm->line_for(selection), selection, score);
  if (!r) return std::nullopt;
  return settled_return(stake, odds, outcome_result(*r));
}

SettlementFacts settlement_facts(const BookState& st, const FinalScores& scores) {
  SettlementFacts f;
  SettlementAudit& a = f.verdicts;
  for (auto& [eid, score] : scores)
    if (score) ++a.matches_ended;
  // The bets' part of each account's money, by the ledger index of its cash
  // account (a bet names that index).
  std::vector<SettlementFacts::Money> by_index(st.ledger.size());
  std::vector<bool> has_bets(st.ledger.size());
  for (const Bet& b : st.bets) {  // in id order (BetTable): `cashed` comes out sorted
    ++f.bets;
    f.max_bet_id = std::max(f.max_bet_id, b.id);
    SettlementFacts::Money& w = by_index.at(b.account);
    has_bets[b.account] = true;
    w.free -= b.stake_minor;  // the stake still riding
    const bool closed = b.status == BetStatus::kCashedOut;
    if (closed || st.bets.cashout(b.id))
      f.cashed.push_back(SettlementFacts::Cashed{b.id, st.ledger.account(b.account).id, closed});
    if (closed) {
      ++a.bets_cashed_out;
      continue;
    }
    const Market* m = st.book.market(b.market_id);
    const Selection* s = st.book.selection(b.selection_id);
    auto sc = scores.find(b.event_id);
    std::optional<int64_t> due;
    if (m && s && sc != scores.end() && sc->second) due = due_return(*m, s->name, *sc->second, b.stake_minor, b.odds);
    if (!due) {
      w.reserved += b.stake_minor;
      continue;
    }
    w.free += *due;
    ++a.bets_due;
    if (b.status == BetStatus::kAccepted) {
      ++a.bets_unsettled;
      example(a, fmt::format("bet {} still open", b.id));
    } else if (b.status == BetStatus::kSettled && b.return_minor == *due) {
      ++a.bets_exact;
    } else {
      ++a.bets_wrong;
      const int64_t paid = b.status == BetStatus::kSettled ? b.return_minor
                           : b.status == BetStatus::kCancelled ? b.stake_minor
                                                                : 0;
      example(a, fmt::format("bet {} {} {} minor units, due {}", b.id, bet_status_name(b.status), paid, *due));
    }
  }
  for (size_t i = 0; i < st.ledger.size(); ++i) {
    const auto& acct = st.ledger.account(static_cast<uint32_t>(i));
    if (has_bets[i]) f.from_bets[acct.id] = by_index[i];
    if (acct.kind == AccountKind::kUserCash) f.held[acct.id].free = acct.balance;
    if (acct.kind == AccountKind::kUserReserved)
      f.held[acct.id.substr(0, acct.id.size() - std::string_view("/reserved").size())].reserved = acct.balance;
  }
  return f;
}

SettlementAudit audit_settlement(const SettlementFacts& f, const std::filesystem::path& journal_dir) {
  SettlementAudit a = f.verdicts;
  // Deposits, withdrawals and cash-outs per account, and each bet's pays and
  // reversals, from the journal.
  std::map<std::string, SettlementFacts::Money> want = f.from_bets;
  // Pays minus reversals, per bet: by id for the book's bets (ids run from
  // 1; a map per bet cost 40 bytes each at the run's peak), a map for any
  // other id the journal names.
  std::vector<int> pays_by_id(f.max_bet_id < 8 * f.bets + 1024 ? f.max_bet_id + 1 : 0);
  std::unordered_map<uint64_t, int> pays_other;
  auto pays = [&](uint64_t bet_id) -> int& {
    return bet_id < pays_by_id.size() ? pays_by_id[bet_id] : pays_other[bet_id];
  };
  auto cashed = [&](uint64_t bet_id) -> const SettlementFacts::Cashed* {
    auto it = std::lower_bound(f.cashed.begin(), f.cashed.end(), bet_id,
                               [](const SettlementFacts::Cashed& c, uint64_t id) { return c.bet_id < id; });
    return it != f.cashed.end() && it->bet_id == bet_id ? &*it : nullptr;
  };
  JournalReader(journal_dir).read_from(0, [&](const JournalRecord& r) {
    BookEvent ev = decode_event(r.type, r.payload);
    if (auto* m = std::get_if<MoneyMoved>(&ev)) {
      if (m->reason == TransferReason::kDeposit) want[m->account].free += m->amount;
      if (m->reason == TransferReason::kWithdrawal) want[m->account].free -= m->amount;
    } else if (auto* p = std::get_if<BetPostings>(&ev)) {
      const auto kind = static_cast<PostingKind>(p->kind);
      for (auto& [bet_id, amount] : p->bets) {
        int& n = pays(bet_id);
        if (kind == PostingKind::kPay && ++n > 1) {
          ++a.paid_twice;
          example(a, fmt::format("bet {} paid again without a reversal (journal seq {})", bet_id, r.seq));
        }
        if (kind == PostingKind::kReverse) --n;
      }
    } else if (auto* c = std::get_if<BetCashedOut>(&ev)) {
      if (const SettlementFacts::Cashed* b = cashed(c->bet_id)) {
        want[b->account].free += c->amount - c->stake;
      } else {
        ++a.bets_wrong;
        example(a, fmt::format("bet {} cashed out in the journal (seq {}), not in the book", c->bet_id, r.seq));
      }
    }
  });
  for (const SettlementFacts::Cashed& c : f.cashed)
    if (c.closed && pays(c.bet_id) > 0) {
      ++a.paid_twice;
      example(a, fmt::format("bet {} paid by a result after it was cashed out", c.bet_id));
    }
  for (auto& [acct, w] : want) {
    ++a.accounts;
    auto it = f.held.find(acct);
    const SettlementFacts::Money got = it == f.held.end() ? SettlementFacts::Money{} : it->second;
    if (got != w) {
      ++a.accounts_off;
      example(a, fmt::format("an account holds {} free + {} reserved, recomputed {} + {}", got.free, got.reserved,
                             w.free, w.reserved));
    }
  }
  return a;
}

}  // namespace inplay
