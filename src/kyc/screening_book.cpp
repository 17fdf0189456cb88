// ScreeningBook (contract in kyc/screening_book.h).
#include "kyc/screening_book.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string_view>

namespace inplay {

const char* screening_status_name(ScreeningStatus s) {
  switch (s) {
    case ScreeningStatus::kPending: return "pending";
    case ScreeningStatus::kCleared: return "cleared";
    case ScreeningStatus::kReferred: return "referred";
    case ScreeningStatus::kRejected: return "rejected";
  }
  return "pending";
}

const char* screening_source_name(ScreeningSource s) {
  switch (s) {
    case ScreeningSource::kNone: return "";
    case ScreeningSource::kVendor: return "vendor";
    case ScreeningSource::kOperator: return "operator";
    case ScreeningSource::kBook: return "book";
  }
  return "";
}

const char* screening_subject_name(ScreeningSubject s) {
  return s == ScreeningSubject::kWithdrawal ? "withdrawal" : "account";
}

std::string screening_key(uint64_t screening_id) { return fmt::format("scr-{}", screening_id); }
std::string screening_payment_key(uint64_t screening_id) { return fmt::format("kyc:{}", screening_id); }

void ScreeningBook::check(const ScreeningRequested& e) const {
  if (e.screening_id == 0 || screenings_.count(e.screening_id))
    throw std::invalid_argument(fmt::format("screening {}: id reused", e.screening_id));
  if (e.subject != static_cast<uint8_t>(ScreeningSubject::kAccount) &&
      e.subject != static_cast<uint8_t>(ScreeningSubject::kWithdrawal))
    throw std::invalid_argument(fmt::format("screening {}: unknown subject {}", e.screening_id, e.subject));
  if (e.account.empty()) throw std::invalid_argument(fmt::format("screening {}: no account", e.screening_id));
  if (e.subject == static_cast<uint8_t>(ScreeningSubject::kWithdrawal) && e.amount <= 0)
    throw std::invalid_argument(fmt::format("screening {}: a withdrawal's amount must be > 0", e.screening_id));
}

void ScreeningBook::check(const ScreeningDecided& e) const {
  auto it = screenings_.find(e.screening_id);
  if (it == screenings_.end()) throw std::invalid_argument(fmt::format("screening {}: unknown", e.screening_id));
  const auto to = static_cast<ScreeningStatus>(e.status);
  const ScreeningStatus from = it->second.status;
  const bool ok = (from == ScreeningStatus::kPending &&
                   (to == ScreeningStatus::kCleared || to == ScreeningStatus::kReferred ||
                    to == ScreeningStatus::kRejected)) ||
                  (from == ScreeningStatus::kReferred &&
                   (to == ScreeningStatus::kCleared || to == ScreeningStatus::kRejected));
  if (!ok)
    throw std::invalid_argument(fmt::format("screening {}: {} -> {} is not a step it takes", e.screening_id,
                                            screening_status_name(from), screening_status_name(to)));
}

void ScreeningBook::apply(const ScreeningRequested& e) {
  check(e);
  Screening s;
  s.id = e.screening_id;
  s.subject = static_cast<ScreeningSubject>(e.subject);
  s.account = e.account;
  s.channel = e.channel;
  s.amount = e.amount;
  s.requested_ns = e.at_ns;
  s.vendor = e.vendor;
  screenings_.emplace(s.id, std::move(s));
  if (e.subject == static_cast<uint8_t>(ScreeningSubject::kAccount)) by_account_[e.account] = e.screening_id;
  ++pending_;
}

void ScreeningBook::apply(const ScreeningDecided& e) {
  check(e);
  Screening& s = screenings_.at(e.screening_id);
  if (s.status == ScreeningStatus::kPending) --pending_;
  if (s.status == ScreeningStatus::kReferred) --referred_;
  s.status = static_cast<ScreeningStatus>(e.status);
  s.source = static_cast<ScreeningSource>(e.source);
  if (!e.vendor.empty()) s.vendor = e.vendor;
  if (!e.vendor_ref.empty()) s.vendor_ref = e.vendor_ref;
  s.actor = e.actor;
  s.note = e.note;
  s.decided_ns = e.at_ns;
  if (s.status == ScreeningStatus::kReferred) {
    ++referred_;
    s.referred_ns = e.at_ns;
  }
}

void ScreeningBook::link_payment(const std::string& key, uint64_t payment_id) {
  constexpr std::string_view kPrefix = "kyc:";
  if (key.rfind(kPrefix, 0) != 0) return;
  uint64_t id = 0;
  for (char c : std::string_view(key).substr(kPrefix.size())) {
    if (c < '0' || c > '9') return;
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  auto it = screenings_.find(id);
  if (it != screenings_.end()) it->second.payment_id = payment_id;
}

const Screening* ScreeningBook::find(uint64_t id) const {
  auto it = screenings_.find(id);
  return it == screenings_.end() ? nullptr : &it->second;
}

const Screening* ScreeningBook::of_account(const std::string& account) const {
  auto it = by_account_.find(account);
  return it == by_account_.end() ? nullptr : find(it->second);
}

bool ScreeningBook::account_cleared(const std::string& account) const {
  const Screening* s = of_account(account);
  return !s || s->status == ScreeningStatus::kCleared;
}

std::vector<const Screening*> ScreeningBook::pending() const {
  std::vector<const Screening*> out;
  for (auto& [id, s] : screenings_)
    if (s.status == ScreeningStatus::kPending) out.push_back(&s);
  return out;
}

std::vector<const Screening*> ScreeningBook::referred() const {
  std::vector<const Screening*> out;
  for (auto& [id, s] : screenings_)
    if (s.status == ScreeningStatus::kReferred) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(),
                   [](const Screening* a, const Screening* b) { return a->referred_ns < b->referred_ns; });
  return out;
}

void ScreeningBook::hash_into(std::string& canon) const {
  for (auto& [id, s] : screenings_)
    fmt::format_to(std::back_inserter(canon), "K|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", id, static_cast<int>(s.subject),
                   s.account, s.amount, static_cast<int>(s.status), static_cast<int>(s.source), s.vendor,
                   s.vendor_ref, s.decided_ns);
  for (auto& [id, s] : screenings_)
    if (s.payment_id) fmt::format_to(std::back_inserter(canon), "KP|{}|{}\n", id, s.payment_id);
}

}  // namespace inplay
