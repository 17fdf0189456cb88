#include "wallet/account_owners.h"

namespace inplay {

const std::string* AccountOwners::owner(uint32_t cash_account) const {
  auto it = owner_.find(cash_account);
  return it == owner_.end() ? nullptr : &it->second;
}

bool AccountOwners::in_scope(const AccountScope& who, const Ledger& ledger, uint32_t cash_account) const {
  if (cash_account >= ledger.size()) return false;
  const LedgerAccount& a = ledger.account(cash_account);
  if (a.kind != AccountKind::kUserCash) return false;
  if (who.every_account) return true;
  if (a.synthetic != who.synthetic) return false;
  const std::string* o = owner(cash_account);
  // Without an owner (opened before owners were journaled) an account is
  // the operators' alone — but for a synthetic one, which the synthetic
  // role keeps reaching, so its checks run on an upgraded book.
  if (!o) return who.synthetic;
  return !who.channel.empty() && *o == who.channel;
}

int64_t AccountOwners::find(const AccountScope& who, const Ledger& ledger, std::string_view id) const {
  const int64_t i = ledger.find(id);
  if (i < 0 || !in_scope(who, ledger, static_cast<uint32_t>(i))) return -1;
  return i;
}

}  // namespace inplay
