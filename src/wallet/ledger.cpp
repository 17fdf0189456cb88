#include "wallet/ledger.h"

#include <stdexcept>

namespace inplay {

const char* transfer_reason_name(TransferReason r) {
  switch (r) {
    case TransferReason::kDeposit: return "deposit";
    case TransferReason::kWithdrawal: return "withdrawal";
    case TransferReason::kStakeReserve: return "stake_reserve";
    case TransferReason::kStakeSettle: return "stake_settle";
    case TransferReason::kPayout: return "payout";
    case TransferReason::kRefund: return "refund";
    case TransferReason::kReversal: return "reversal";
    case TransferReason::kCashout: return "cashout";
    case TransferReason::kWithdrawalReturned: return "withdrawal_returned";
  }
  return "unknown";
}

Ledger::Ledger(Currency currency) : currency_(currency) {
  for (const char* id : {"house/funding", "house/revenue"}) {
    index_.emplace(id, static_cast<uint32_t>(accounts_.size()));
    accounts_.push_back(LedgerAccount{id, AccountKind::kHouse, 0});
  }
}

uint32_t Ledger::open_user(std::string_view user_id) {
  auto it = index_.find(std::string(user_id));
  if (it != index_.end()) return it->second;
  uint32_t cash = static_cast<uint32_t>(accounts_.size());
  std::string id(user_id);
  index_.emplace(id, cash);
  const bool synthetic = is_synthetic_account(id);
  accounts_.push_back(LedgerAccount{id, AccountKind::kUserCash, 0, synthetic});
  std::string reserved = id + "/reserved";
  index_.emplace(reserved, cash + 1);
  accounts_.push_back(LedgerAccount{reserved, AccountKind::kUserReserved, 0, synthetic});
  return cash;
}

uint32_t Ledger::funding_of(uint32_t cash_account) {
  if (!accounts_[cash_account].synthetic) return funding();
  auto it = index_.find("house/synthetic");
  if (it != index_.end()) return it->second;
  uint32_t i = static_cast<uint32_t>(accounts_.size());
  index_.emplace("house/synthetic", i);
  accounts_.push_back(LedgerAccount{"house/synthetic", AccountKind::kHouse, 0, true});
  return i;
}

int64_t Ledger::find(std::string_view account_id) const {
  auto it = index_.find(std::string(account_id));
  return it == index_.end() ? int64_t{-1} : static_cast<int64_t>(it->second);
}

bool Ledger::can_apply(const Transfer& t) const {
  if (t.amount <= 0 || t.from >= accounts_.size() || t.to >= accounts_.size() || t.from == t.to)
    return false;
  const auto& from = accounts_[t.from];
  if (from.kind != AccountKind::kHouse && from.balance < t.amount) return false;
  return in_range(t);
}

bool Ledger::in_range(const Transfer& t) const {
  int64_t unused;
  return !__builtin_sub_overflow(accounts_[t.from].balance, t.amount, &unused) &&
         !__builtin_add_overflow(accounts_[t.to].balance, t.amount, &unused);
}

void Ledger::apply(const Transfer& t) {
  // Both legs first: a leg that overflows throws before either balance moves.
  const int64_t from = checked_add(accounts_[t.from].balance, -t.amount);
  const int64_t to = checked_add(accounts_[t.to].balance, t.amount);
  accounts_[t.from].balance = from;
  accounts_[t.to].balance = to;
}

bool Ledger::can_move(std::string_view user_id, int64_t amount, TransferReason reason) const {
  if (amount <= 0) return false;
  const int64_t user = find(user_id);
  const int64_t house = is_synthetic_account(user_id) ? find("house/synthetic") : int64_t{funding()};
  const int64_t user_balance = user >= 0 ? accounts_[user].balance : 0;
  const int64_t house_balance = house >= 0 ? accounts_[house].balance : 0;
  int64_t unused;
  if (reason == TransferReason::kWithdrawal)
    return user >= 0 && user_balance >= amount && !__builtin_add_overflow(house_balance, amount, &unused);
  return !__builtin_sub_overflow(house_balance, amount, &unused) &&
         !__builtin_add_overflow(user_balance, amount, &unused);
}

void Ledger::forget_accounts_from(size_t size) {
  while (accounts_.size() > size) {
    index_.erase(accounts_.back().id);
    accounts_.pop_back();
  }
}

int64_t Ledger::sum() const {
  int64_t s = 0;
  for (const auto& a : accounts_) s += a.balance;
  return s;
}

}  // namespace inplay
