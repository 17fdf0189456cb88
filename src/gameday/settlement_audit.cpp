#include "gameday/settlement_audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "journal/events.h"
#include "journal/journal.h"
#include "settle/market_result.h"

namespace inplay {

std::optional<int64_t> due_return(const Market& m, std::string_view selection, Score score, int64_t stake, Odds odds) {
  std::optional<RuleMarket> rm = rule_market(m);
  if (!rm || rm->first_half) return std::nullopt;  // the world keeps no half-time truth
  std::optional<SettleResult> r = settle_selection(rm->market, rm->line_for(selection), selection, score);
  if (!r) return std::nullopt;
  return settled_return(stake, odds, outcome_result(*r));
}

SettlementAudit audit_settlement(const SettlementFacts& f, const std::filesystem::path& journal_dir) {
  SettlementAudit a;
  a.matches_ended = f.matches_ended;
  auto example = [&](std::string s) {
    if (a.examples.size() < 5) a.examples.push_back(std::move(s));
  };
  // Deposits and withdrawals per account, and each bet's pays and reversals, from the journal.
  std::map<std::string, int64_t> moved;
  // Pays minus reversals, per bet: by id for the book's bets (ids run from
  // 1; a map per bet cost 40 bytes each at the run's peak), a map for any
  // other id the journal names.
  uint64_t max_id = 0;
  for (const auto& b : f.bets) max_id = std::max(max_id, b.id);
  std::vector<int> pays_by_id(max_id < 8 * f.bets.size() + 1024 ? max_id + 1 : 0);
  std::unordered_map<uint64_t, int> pays_other;
  auto pays = [&](uint64_t bet_id) -> int& {
    return bet_id < pays_by_id.size() ? pays_by_id[bet_id] : pays_other[bet_id];
  };
  std::unordered_map<uint64_t, std::pair<int64_t, int64_t>> cashed;  // bet -> (stake, amount) cashed out
  JournalReader(journal_dir).read_from(0, [&](const JournalRecord& r) {
    BookEvent ev = decode_event(r.type, r.payload);
    if (auto* m = std::get_if<MoneyMoved>(&ev)) {
      if (m->reason == TransferReason::kDeposit) moved[m->account] += m->amount;
      if (m->reason == TransferReason::kWithdrawal) moved[m->account] -= m->amount;
    } else if (auto* p = std::get_if<BetPostings>(&ev)) {
      const auto kind = static_cast<PostingKind>(p->kind);
      for (auto& [bet_id, amount] : p->bets) {
        int& n = pays(bet_id);
        if (kind == PostingKind::kPay && ++n > 1) {
          ++a.paid_twice;
          example(fmt::format("bet {} paid again without a reversal (journal seq {})", bet_id, r.seq));
        }
        if (kind == PostingKind::kReverse) --n;
      }
    } else if (auto* c = std::get_if<BetCashedOut>(&ev)) {
      cashed[c->bet_id].first += c->stake;
      cashed[c->bet_id].second += c->amount;
    }
  });
  std::map<std::string, std::pair<int64_t, int64_t>> want;  // account -> (free, reserved)
  for (auto& [acct, amount] : moved) want[acct].first += amount;
  for (const auto& b : f.bets) {
    auto& [free, reserved] = want[f.accounts.at(b.account)];
    free -= b.stake;  // the stake still riding
    if (auto c = cashed.find(b.id); c != cashed.end()) free += c->second.second - c->second.first;
    if (b.status == BetStatus::kCashedOut) {
      ++a.bets_cashed_out;
      if (pays(b.id) > 0) {
        ++a.paid_twice;
        example(fmt::format("bet {} paid by a result after it was cashed out", b.id));
      }
      continue;
    }
    if (!b.due) {
      reserved += b.stake;
      continue;
    }
    free += *b.due;
    ++a.bets_due;
    if (b.status == BetStatus::kAccepted) {
      ++a.bets_unsettled;
      example(fmt::format("bet {} still open", b.id));
    } else if (b.status == BetStatus::kSettled && b.paid == *b.due) {
      ++a.bets_exact;
    } else {
      ++a.bets_wrong;
      example(fmt::format("bet {} {} {} minor units, due {}", b.id, bet_status_name(b.status), b.paid, *b.due));
    }
  }
  for (auto& [acct, w] : want) {
    ++a.accounts;
    auto it = f.balances.find(acct);
    const std::pair<int64_t, int64_t> got = it == f.balances.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
    if (got != w) {
      ++a.accounts_off;
      example(fmt::format("an account holds {} free + {} reserved, recomputed {} + {}", got.first, got.second, w.first,
                          w.second));
    }
  }
  return a;
}

}  // namespace inplay
