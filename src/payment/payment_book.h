// PaymentBook: the deposits and withdrawals the book asked of its PSP routes
// and where each stands (WAL-1, WAL-5), part of BookState: changed only by
// apply(PaymentRequested | PaymentAnswered), so replay rebuilds it.
//
// A payment's life:
//   pending ──> authorised | declined      the PSP's word (its answer or a callback)
//   pending ──> timed_out                  no answer the book could trust in time
//   timed_out ──> authorised | declined    the PSP's word found later (a callback,
//                                          a reconciliation): `reconciled`
// Every other step is refused (std::invalid_argument, nothing changed): a
// duplicate or late callback never moves money twice. The money follows
// the state (BookState applies it): a withdrawal holds its amount from the
// request on and gets it back when declined; a deposit is credited only
// when authorised. Engine thread only.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "journal/events.h"

namespace inplay {

enum class PaymentStatus : uint8_t { kPending = 0, kAuthorised = 1, kDeclined = 2, kTimedOut = 3 };
const char* payment_status_name(PaymentStatus s);  // "pending", "authorised", "declined", "timed_out"

// Where an answer came from.
enum class PaymentSource : uint8_t { kNone = 0, kAnswer = 1, kCallback = 2, kReconciliation = 3, kBook = 4 };
const char* payment_source_name(PaymentSource s);  // "", "answer", "callback", "reconciliation", "book"

// The PSP's name for a kind of payment: "deposit" or "payout".
const char* psp_kind_name(TransferReason kind);

struct Payment {
  uint64_t id = 0;
  std::string account;
  TransferReason kind = TransferReason::kDeposit;
  int64_t amount = 0;
  std::string route;
  int64_t requested_ns = 0;
  std::array<uint8_t, 16> trace_id{};
  PaymentStatus status = PaymentStatus::kPending;
  bool reconciled = false;  // settled after it had timed out
  PaymentSource source = PaymentSource::kNone;
  std::string psp_ref;
  std::string detail;
  int64_t answered_ns = 0;  // the last change (0: none)

  bool final() const { return status == PaymentStatus::kAuthorised || status == PaymentStatus::kDeclined; }
};

// The idempotency key a PSP knows a payment by.
std::string payment_key(uint64_t payment_id);  // "pay-<id>"

class PaymentBook {
 public:
  // Throw std::invalid_argument (and change nothing) for a reused id, a
  // kind other than deposit/withdrawal, an amount <= 0, or (answers) an
  // unknown payment, one whose account/kind/amount differ, or a step the
  // life above does not allow.
  void check(const PaymentRequested& e) const;
  void check(const PaymentAnswered& e) const;
  void apply(const PaymentRequested& e);
  void apply(const PaymentAnswered& e);

  const Payment* find(uint64_t id) const;
  const std::map<uint64_t, Payment>& all() const { return payments_; }
  // Payments still waiting for the PSP's word (pending or timed out), oldest first.
  std::vector<const Payment*> unresolved() const;
  size_t pending_count() const { return pending_; }
  size_t timed_out_count() const { return timed_out_; }
  uint64_t next_id() const { return payments_.empty() ? 1 : payments_.rbegin()->first + 1; }

  // Appends the canonical lines of BookState::state_hash (none when empty).
  void hash_into(std::string& canon) const;

 private:
  std::map<uint64_t, Payment> payments_;
  size_t pending_ = 0;
  size_t timed_out_ = 0;
};

}  // namespace inplay
