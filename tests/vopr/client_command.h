// Command: a deposit, withdrawal or bet as the simulated client sees it —
// what it sent, under which idempotency key, how many sends wait for an
// answer, and the first answer with a decision (every later answer to the
// same key must be the same). One thread.
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/odds.h"
#include "wallet/idempotency.h"
#include "wallet/outcome.h"

namespace inplay::vopr {

// A command a client sent (and may send again under the same key).
struct Command {
  enum class Kind { kDeposit, kWithdrawal, kBet, kCashout } kind = Kind::kDeposit;
  std::string key, account;
  int64_t amount = 0;  // deposit, withdrawal, the bet's stake, or the stake to cash out (0: all)
  uint64_t bet_id = 0;  // a cash-out's bet
  uint64_t selection = 0;
  Odds odds;
  Fingerprint fingerprint{};
  int outstanding = 0;              // sent in this life, not yet answered
  bool unanswered_at_crash = false; // sent in a life a crash cut short
  std::optional<Outcome> first;     // its first answer with a decision
  uint64_t decided_seq = 0;         // the record of that decision
};

inline bool same_outcome(const Outcome& a, const Outcome& b) {
  if (a.index() != b.index()) return false;
  if (auto* x = std::get_if<BetPlaced>(&a)) return x->bet_id == std::get<BetPlaced>(b).bet_id;
  if (auto* x = std::get_if<MoneyReceipt>(&a)) {
    auto& y = std::get<MoneyReceipt>(b);
    return x->amount == y.amount && x->reason == y.reason && x->balance == y.balance && x->account == y.account;
  }
  if (auto* x = std::get_if<Error>(&a)) return x->code == std::get<Error>(b).code;
  if (auto* x = std::get_if<CashedOut>(&a)) {
    auto& y = std::get<CashedOut>(b);
    return x->bet_id == y.bet_id && x->stake == y.stake && x->amount == y.amount && x->remaining == y.remaining;
  }
  return true;
}

inline std::string describe(const Outcome& o) {
  if (auto* x = std::get_if<BetPlaced>(&o)) return fmt::format("bet {}", x->bet_id);
  if (auto* x = std::get_if<MoneyReceipt>(&o)) return fmt::format("receipt {} balance {}", x->amount, x->balance);
  if (auto* x = std::get_if<Error>(&o)) return fmt::format("error {}", error_code_name(x->code));
  if (auto* x = std::get_if<CashedOut>(&o)) return fmt::format("cash-out of bet {}: {} for {}", x->bet_id, x->stake, x->amount);
  return "?";
}

}  // namespace inplay::vopr
