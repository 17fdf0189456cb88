#include "oracle.h"

#include <fmt/format.h>

#include <type_traits>
#include <variant>

#include "storage_world.h"

namespace inplay::vopr {

const std::string* decision_key(const BookEvent& e) {
  return std::visit(
      [](const auto& ev) -> const std::string* {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, MoneyMoved> || std::is_same_v<T, BetAccepted> ||
                      std::is_same_v<T, Rejected> || std::is_same_v<T, BetCashedOut>) {
          return ev.idem.key.empty() ? nullptr : &ev.idem.key;
        }
        return nullptr;
      },
      e);
}

Expected expect(const History& h) {
  Expected out;
  const EngineConfig cfg = world_engine_config();
  BookState s(cfg.currency, cfg.idempotency_ttl.count());
  build_world(s.book);
  for (size_t i = 0; i < h.records.size(); ++i) {
    const BookEvent e = decode_event(h.records[i].type, h.records[i].payload);
    s.apply(e);
    if (const std::string* key = decision_key(e)) out.decisions[*key].push_back(i + 1);
    if (const auto* m = std::get_if<MoneyMoved>(&e))
      out.moved[m->account] += m->reason == TransferReason::kWithdrawal ? -m->amount : m->amount;
  }
  out.state_hash = s.state_hash();
  return out;
}

std::vector<std::string> check_money(const BookState& s, const Expected& e) {
  std::vector<std::string> bad;
  if (s.ledger.sum() != 0) bad.push_back(fmt::format("ledger sums to {}, not 0", s.ledger.sum()));
  struct Due {
    int64_t cash = 0, reserved = 0;
  };
  std::map<std::string, Due> due;
  for (const auto& [user, net] : e.moved) due[user].cash += net;
  for (const Bet& b : s.bets) {
    Due& d = due[s.ledger.account(b.account).id];
    // The stake as placed (a cash-out takes part or all of it off the bet)
    // and what the cash-outs paid.
    const BetCashout* c = s.bets.cashout(b.id);
    d.cash -= s.bets.placed_stake(b);
    d.cash += c ? c->return_minor : 0;
    if (b.status == BetStatus::kAccepted) d.reserved += b.stake_minor;
    if (b.status == BetStatus::kSettled) d.cash += b.return_minor;
    if (b.status == BetStatus::kCancelled) d.cash += b.stake_minor;
  }
  for (const auto& [user, d] : due) {
    const int64_t cash_at = s.ledger.find(user);
    if (cash_at < 0) {
      if (d.cash != 0 || d.reserved != 0) bad.push_back(fmt::format("user {} has money due but no account", user));
      continue;
    }
    const uint32_t cash = static_cast<uint32_t>(cash_at);
    const int64_t have_cash = s.ledger.account(cash).balance;
    const int64_t have_reserved = s.ledger.account(s.ledger.reserved_of(cash)).balance;
    if (have_cash != d.cash)
      bad.push_back(fmt::format("user {}: cash {} but deposits, withdrawals, stakes and returns give {}", user,
                                have_cash, d.cash));
    if (have_reserved != d.reserved)
      bad.push_back(fmt::format("user {}: reserved {} but open stakes are {}", user, have_reserved, d.reserved));
  }
  return bad;
}

}  // namespace inplay::vopr
