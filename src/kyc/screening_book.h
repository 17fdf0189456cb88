// ScreeningBook: the KYC/AML screenings the book asked of its vendors and
// where each stands (KYC-1), part of BookState: changed only by
// apply(ScreeningRequested | ScreeningDecided), so replay rebuilds it.
//
// A screening's life:
//   pending ──> cleared | referred | rejected   a vendor's answer (or, when no
//                                               vendor answers, referred by the book)
//   referred ──> cleared | rejected             an operator's review
// Every other step is refused (std::invalid_argument, nothing changed): a
// late or repeated answer never decides a screening twice.
//
// Two subjects: a new account (it may not withdraw until its screening is
// cleared) and a withdrawal over the threshold (the withdrawal is held, not
// sent to a PSP, until cleared; then the payment desk takes it under the
// internal key screening_payment_key(id)). Accounts with no screening
// (opened before KYC, or with new-account screening off) count as cleared.
// Engine thread only.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "journal/events.h"

namespace inplay {

enum class ScreeningStatus : uint8_t { kPending = 0, kCleared = 1, kReferred = 2, kRejected = 3 };
const char* screening_status_name(ScreeningStatus s);  // "pending", "cleared", "referred", "rejected"
// Who decided: a vendor's answer, an operator's review, the book (no vendor
// answered: referred for review).
enum class ScreeningSource : uint8_t { kNone = 0, kVendor = 1, kOperator = 2, kBook = 3 };
const char* screening_source_name(ScreeningSource s);  // "", "vendor", "operator", "book"
enum class ScreeningSubject : uint8_t { kAccount = 1, kWithdrawal = 2 };
const char* screening_subject_name(ScreeningSubject s);  // "account", "withdrawal"

struct Screening {
  uint64_t id = 0;
  ScreeningSubject subject = ScreeningSubject::kAccount;
  std::string account;
  std::string channel;  // the account's channel (the held withdrawal's scope)
  int64_t amount = 0;   // a withdrawal's amount (0 for an account)
  int64_t requested_ns = 0;
  ScreeningStatus status = ScreeningStatus::kPending;
  ScreeningSource source = ScreeningSource::kNone;
  std::string vendor;      // the vendor whose answer decided it (or the last one asked)
  std::string vendor_ref;  // the vendor's id for it
  std::string actor;       // an operator's review: who
  std::string note;        // the vendor's reason or the reviewer's note
  int64_t decided_ns = 0;  // the last change (0: none)
  int64_t referred_ns = 0; // when it went to manual review (0: never)
  uint64_t payment_id = 0; // a cleared withdrawal: the payment it let go (0: none yet)

  bool final() const { return status == ScreeningStatus::kCleared || status == ScreeningStatus::kRejected; }
};

// The idempotency key a vendor knows a screening by ("scr-<id>").
std::string screening_key(uint64_t screening_id);
// The internal idempotency key of the withdrawal a cleared screening lets
// go to the payment desk ("kyc:<id>"): its outcome links the two.
std::string screening_payment_key(uint64_t screening_id);

class ScreeningBook {
 public:
  // Throw std::invalid_argument (and change nothing) for a reused id, a bad
  // subject, an empty account, a withdrawal amount <= 0, or (decisions) an
  // unknown screening or a step the life above does not allow.
  void check(const ScreeningRequested& e) const;
  void check(const ScreeningDecided& e) const;
  void apply(const ScreeningRequested& e);
  void apply(const ScreeningDecided& e);

  // A PaymentRequested under screening_payment_key(id): the withdrawal a
  // cleared screening let go. Other keys, unknown ids: nothing.
  void link_payment(const std::string& key, uint64_t payment_id);

  const Screening* find(uint64_t id) const;
  const std::map<uint64_t, Screening>& all() const { return screenings_; }
  // The newest screening of an account's own (subject account), or nullptr.
  const Screening* of_account(const std::string& account) const;
  // Whether the account may withdraw: no own screening, or a cleared one.
  bool account_cleared(const std::string& account) const;
  std::vector<const Screening*> pending() const;   // oldest first
  std::vector<const Screening*> referred() const;  // oldest referral first
  size_t pending_count() const { return pending_; }
  size_t referred_count() const { return referred_; }
  uint64_t next_id() const { return screenings_.empty() ? 1 : screenings_.rbegin()->first + 1; }

  // Appends the canonical lines of BookState::state_hash (none when empty).
  void hash_into(std::string& canon) const;

 private:
  std::map<uint64_t, Screening> screenings_;
  std::unordered_map<std::string, uint64_t> by_account_;  // own screenings
  size_t pending_ = 0;
  size_t referred_ = 0;
};

}  // namespace inplay
