// AccountOwners: which channel opened each user account (SEC-1), and the
// one rule for who may see or move an account and its bets.
//
// A channel opens an account (AccountOpened, journal/events.h) and owns it
// from then on: only a caller acting for that channel sees it, moves money
// for it, bets from it or cashes its bets out. To everyone else the account
// and its bets do not exist — they are answered exactly as an unknown id
// would be, so a channel cannot even learn that another channel's account
// is there. Operators read every account (they never move customers'
// money). The synthetic role keeps to "synthetic-" accounts and every other
// caller away from them (is_synthetic_account), whatever the owner.
//
// Accounts opened before ownership was journaled (by a deposit, in an old
// journal) have no owner: only operators see them — and, for a
// "synthetic-" one, the synthetic role, so the checks go on after an
// upgrade (synthetic money is the book's own, never a customer's).
//
// Owners live in BookState and change only through BookState::apply, so a
// replay rebuilds them. Engine thread only; the rule itself is a pure
// function.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "wallet/ledger.h"

namespace inplay {

// The accounts a caller may reach: its channel's, or every one for an
// operator. Built at the edge from the caller's token (http/auth.h).
struct AccountScope {
  std::string channel;      // the caller's channel; unused for an operator
  bool every_account = false;  // an operator: reads any account
  bool synthetic = false;      // the synthetic role: "synthetic-" accounts only

  static AccountScope operator_view() { return AccountScope{"", true, false}; }
  static AccountScope of_channel(std::string channel, bool synthetic = false) {
    return AccountScope{std::move(channel), false, synthetic};
  }
};

class AccountOwners {
 public:
  // Through BookState::apply only: `cash_account` (a ledger index) belongs
  // to `channel` from now on.
  void set(uint32_t cash_account, std::string channel) { owner_[cash_account] = std::move(channel); }
  // The owning channel; nullptr when the account has none.
  const std::string* owner(uint32_t cash_account) const;
  size_t size() const { return owner_.size(); }

  // Whether the caller may reach the ledger's cash account `cash_account`
  // (SEC-1, as in the header comment).
  bool in_scope(const AccountScope& who, const Ledger& ledger, uint32_t cash_account) const;
  // The cash account `id` as the caller sees it: its index, or -1 when it
  // does not exist, is not a user's cash account or is out of the caller's
  // scope (one answer for all three: no existence leak).
  int64_t find(const AccountScope& who, const Ledger& ledger, std::string_view id) const;

 private:
  std::unordered_map<uint32_t, std::string> owner_;
};

}  // namespace inplay
