// PspPort: one payment route — a PSP reached over its own protocol
// (app/psp_client.h speaks HTTP to it). send() hands a payment over and
// returns at once; the answer comes later, from any thread, exactly once
// per send. The port makes its attempts (each bounded by the route's
// timeout) under the payment's idempotency key (payment_key: "pay-<id>"),
// which the PSP honours, so asking again — after a timeout, at a restart —
// never charges twice; ask() only reads what the PSP recorded, so a
// payment whose customer has gone (a restart, a reconciliation) is never
// charged late. available() is false while the route's circuit
// breaker is open: a new payment goes to another route.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "wallet/ledger.h"

namespace inplay {

struct PaymentCall {
  uint64_t payment_id = 0;
  TransferReason kind = TransferReason::kDeposit;  // deposit, or withdrawal (the PSP's payout)
  int64_t amount = 0;
  std::string currency;
  std::string account_ref;   // the account's pseudonym: no PII leaves the book
  std::string callback_url;  // where the PSP reports final states ("": none)
};

struct PspAnswer {
  // kAuthorised, kDeclined: the PSP's final word. kPending: the PSP has it
  // and will call back. kFailed: no answer we can trust after every attempt
  // (the PSP may or may not have it) — unless attempts == 0: it never left.
  // kUnknown (ask() only): the PSP has no record of it — nothing was charged.
  enum class Kind : uint8_t { kAuthorised = 1, kDeclined = 2, kPending = 3, kFailed = 4, kUnknown = 5 };
  uint64_t payment_id = 0;
  Kind kind = Kind::kFailed;
  std::string psp_ref;
  std::string detail;  // the PSP's reason, or what went wrong
  int attempts = 0;    // calls made (0: never sent: breaker open, queue full, stopping)
  int64_t took_ns = 0; // from send to answer (steady clock)
};

const char* psp_answer_name(PspAnswer::Kind k);  // "authorised", "declined", "pending", "failed", "unknown"

class PspPort {
 public:
  virtual ~PspPort() = default;
  virtual const std::string& route() const = 0;
  // Any thread: false while the route's breaker is open.
  virtual bool available() const = 0;
  // Any thread; never blocks. `answer` runs on the port's thread.
  virtual void send(PaymentCall call, std::function<void(PspAnswer)> answer) = 0;
  // Any thread; never blocks. Asks the PSP what it recorded for a payment
  // (reconciliation, a restart) without asking it to charge anything: the
  // answer is its status, kUnknown, or kFailed.
  virtual void ask(uint64_t payment_id, std::function<void(PspAnswer)> answer) = 0;
};

}  // namespace inplay
