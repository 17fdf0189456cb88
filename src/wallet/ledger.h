// Ledger: double-entry balances (WAL-1). Every movement is a Transfer of a
// positive amount from one account to another: two legs (-amount, +amount)
// that sum to zero, so the sum of all balances is always zero.
//
// Accounts: each user has a cash account ("alice") and a reserved account
// ("alice/reserved") holding stakes of open bets; the house has
// "house/funding" (the outside world: deposits come from it, withdrawals go
// to it, so it runs negative) and "house/revenue". User accounts may not go
// below zero; house accounts may. Engine thread only.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/money.h"

namespace inplay {

enum class AccountKind : uint8_t { kUserCash, kUserReserved, kHouse };

struct LedgerAccount {
  std::string id;
  AccountKind kind = AccountKind::kUserCash;
  int64_t balance = 0;
  bool synthetic = false;  // a synthetic check's account (is_synthetic_account)
};

// Synthetic checks (REL-1, BEY-3) bet from accounts whose id starts with
// "synthetic-": their money comes from and goes to "house/synthetic" (never
// house/funding), their bets add no exposure, and only the synthetic role
// may use them. Derived from the id, so a replay marks them the same.
inline constexpr std::string_view kSyntheticAccountPrefix = "synthetic-";
inline bool is_synthetic_account(std::string_view id) { return id.substr(0, kSyntheticAccountPrefix.size()) == kSyntheticAccountPrefix; }

// Settlement (settle/settlement_book.h) moves a settled bet's stake from
// reserved to the house (kStakeSettle) and its return from the house to
// cash (kPayout); a cancelled bet's stake goes back to cash (kRefund); a
// rollback moves the same amounts back (kReversal). A cash-out (CO-1)
// moves the cashed stake from reserved to the house (kStakeSettle) and its
// price from the house to cash (kCashout). A withdrawal the PSP declined
// gives its hold back (kWithdrawalReturned, payment/payment_book.h).
// Journaled by number: append only.
enum class TransferReason : uint8_t {
  kDeposit, kWithdrawal, kStakeReserve, kStakeSettle, kPayout, kRefund, kReversal, kCashout, kWithdrawalReturned
};
const char* transfer_reason_name(TransferReason r);

struct Transfer {
  uint32_t from = 0;
  uint32_t to = 0;
  int64_t amount = 0;
  TransferReason reason = TransferReason::kDeposit;
};

class Ledger {
 public:
  explicit Ledger(Currency currency);
  Currency currency() const { return currency_; }

  // Opens a user (cash + reserved) if absent; returns the cash account index.
  uint32_t open_user(std::string_view user_id);
  // Index of an account by id, or -1.
  int64_t find(std::string_view account_id) const;
  uint32_t reserved_of(uint32_t cash_account) const { return cash_account + 1; }
  uint32_t funding() const { return 0; }
  // Where a user's deposits come from and withdrawals go: house/funding, or
  // house/synthetic for a synthetic account (opened on first use).
  uint32_t funding_of(uint32_t cash_account);
  uint32_t revenue() const { return 1; }
  // The house side of a user's bets: house/revenue, or house/synthetic for
  // a synthetic account (its bets are no business of the book's).
  uint32_t house_of(uint32_t cash_account) {
    return accounts_[cash_account].synthetic ? funding_of(cash_account) : revenue();
  }
  const LedgerAccount& account(uint32_t i) const { return accounts_[i]; }
  size_t size() const { return accounts_.size(); }

  // A bet's stake moving from the user's cash to their reserved account.
  Transfer stake_reserve(uint32_t cash_account, int64_t stake) const {
    return Transfer{cash_account, reserved_of(cash_account), stake, TransferReason::kStakeReserve};
  }
  // The one balance check: a transfer can be applied when its amount is
  // positive, no user account would go below zero and no balance would
  // leave the int64 range (house/funding runs as negative as all the money
  // ever deposited).
  bool can_apply(const Transfer& t) const;
  // Whether both balances stay inside the int64 range (apply's only throw).
  bool in_range(const Transfer& t) const;
  // Whether a deposit or withdrawal of `amount` for user_id (a deposit opens
  // the account) passes can_apply, asked before deciding: nothing is opened.
  bool can_move(std::string_view user_id, int64_t amount, TransferReason reason) const;
  // Applies a transfer; the caller checked can_apply (or is replaying).
  // Throws std::logic_error ("money overflow") and changes nothing when a
  // balance would leave the int64 range.
  void apply(const Transfer& t);
  // Forgets the accounts opened since size() was `size` (an event that
  // opened them failed to apply, so the ledger is left as it was).
  void forget_accounts_from(size_t size);
  // Sum of all balances; 0 unless something is badly wrong.
  int64_t sum() const;

 private:
  Currency currency_;
  std::vector<LedgerAccount> accounts_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace inplay
