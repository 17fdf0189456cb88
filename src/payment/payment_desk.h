// PaymentDesk: deposits and withdrawals through PSP routes, run on the
// engine (WAL-1, WAL-5, WAL-6). No money enters the book without a PSP's
// authorisation.
//
//  - request(RequestPayment): through the wallet's idempotency front door;
//    checked (currency, the caller's account, a withdrawal's funds, a route
//    whose breaker is closed), journaled as PaymentRequested (a withdrawal
//    holds its amount from now on) and, once durable, handed to the route's
//    port (payment/psp_port.h), which never blocks. The client's answer
//    waits for the PSP's answer (bounded by the route's attempts × timeout),
//    and never holds a thread meanwhile: the reply goes when it comes.
//  - the PSP's answer: authorised / declined are journaled
//    (PaymentAnswered: an authorised deposit is credited, a declined
//    withdrawal's hold comes back); pending waits for a callback; no answer
//    after every attempt makes the payment timed_out (money stays where it
//    is until the PSP's word is found) — except a payment that never left
//    (breaker open, queue full), which is declined by the book: the PSP
//    cannot have it.
//  - callback(PspCallback): a PSP's signed notification (checked by the
//    HTTP route). The first final word about a pending or timed-out payment
//    is journaled; a duplicate, a stale "pending" or a word about a final
//    payment changes nothing (payment_callbacks_total{result}).
//  - switch_route(): the active route changes by operator (API, war room)
//    or playbook (a breaker open, authorisations failing), journaled, so a
//    restart keeps it.
//  - resume() at start, reconcile() on demand: the PSP is asked what it
//    recorded for every payment still without its word (never asked to
//    charge again: its customer has gone) — its status settles the payment
//    (reconciled when it had timed out), "no record" declines it (nothing
//    was charged), no answer leaves it timed out for the next time.
// A repeat of the request's Idempotency-Key answers the payment as it
// stands now. Seen: payment_* and psp_* metrics, a "psp" span (psp_route)
// in the request's trace, GET /v1/payments. Engine thread only, except
// submit() and set_callback_base().
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "engine/engine.h"
#include "payment/payment_book.h"
#include "payment/psp_port.h"
#include "payment/screening_gate.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"
#include "wallet/account_owners.h"
#include "wallet/outcome.h"
#include "wallet/wallet_desk.h"

namespace inplay {

// A deposit or withdrawal asked by a caller.
struct RequestPayment {
  std::string idem_key;  // "<caller>:<Idempotency-Key>"
  Fingerprint fingerprint{};
  std::string account;
  AccountScope scope;
  std::string user_mask;  // pseudonym: telemetry and the PSP's account_ref
  int64_t amount = 0;
  Currency currency;
  TransferReason kind = TransferReason::kDeposit;
  TraceContext gateway;
  OutcomeFn done;
};

// A PSP's notification about a payment (signature already checked).
struct PspCallback {
  std::string route;
  uint64_t payment_id = 0;
  PaymentStatus status = PaymentStatus::kPending;  // kAuthorised, kDeclined, or kPending (a progress note)
  std::string psp_ref;
  std::string reason;
  // What became of it: "applied", "duplicate" (already that), "stale"
  // (a progress note, or a word about a payment already final), "unknown"
  // (no such payment on that route). Engine thread.
  std::function<void(const char* result)> done;
};

class PaymentDesk {
 public:
  PaymentDesk(Engine& engine, WalletDesk& wallet, Tracer& tracer);
  ~PaymentDesk();
  PaymentDesk(const PaymentDesk&) = delete;

  // Before start(): the routes in order of preference after the active one.
  // `mask` turns an account id into the pseudonym the PSP sees.
  void set_routes(std::vector<PspPort*> ports, const std::string& active,
                  std::function<std::string(std::string_view)> mask);
  bool enabled() const { return !ports_.empty(); }
  // Before start(): KYC-1's hook (payment/screening_gate.h); nullptr: none.
  void set_screening_gate(ScreeningGate* gate) { gate_ = gate; }
  // Any thread: where PSPs send callbacks ("http://host:port"; "" none).
  void set_callback_base(std::string url);

  // Any thread: hands the command to the engine; false: its inbox is full.
  bool submit(RequestPayment&& cmd);
  bool submit(PspCallback&& cb);

  // Engine thread.
  void request(RequestPayment& r);
  void callback(PspCallback& cb);
  void resume();
  // Asks every unresolved payment again; returns how many.
  size_t reconcile();

  // Payments journaled whose PSP call (a send or an ask) has not answered
  // yet — about to go once durable, or on a port's thread. A game day waits
  // for none before it moves the simulated clock (gameday/psp_drill.h).
  size_t calls_outstanding() const;
  // The route a new payment would take now ("": none available).
  std::string route_now() const;
  // The active route: the last journaled switch's, else the config's.
  const std::string& active() const;
  // Engine thread: new payments go to `to` from now on (journaled:
  // PaymentRouteSwitched). Refused: an unknown route (VALIDATION_FAILED),
  // one whose breaker is open (PAYMENT_ROUTE_UNAVAILABLE). false: it was
  // already the active route (nothing journaled).
  Result<bool> switch_route(const std::string& to, const std::string& actor, const std::string& reason);
  // Engine thread: the next route after `from` (in config order) whose
  // breaker is closed, "" when none — where a playbook switches to.
  std::string next_route_after(const std::string& from) const;
  struct RouteSeen {
    std::string name;
    bool available = false;
    uint64_t sent = 0, authorised = 0, declined = 0, pending = 0, failed = 0;
    // SLI wallet_auth: payments this route authorised (good) of those that
    // got a first final word or timed out (valid); reconciliations not again.
    uint64_t auth_good = 0, auth_valid = 0;
    std::string last_error;
  };
  std::vector<RouteSeen> routes_seen() const;
  // What the incident loop's tick reads of each route, in config order,
  // without copying a RouteSeen (routes_seen() builds a vector).
  struct RouteAuth {
    const std::string& name;
    bool available;
    uint64_t auth_good, auth_valid;
  };
  void each_route_auth(const std::function<void(const RouteAuth&)>& fn) const;

 private:
  struct Waiting {
    std::vector<OutcomeFn> replies;  // answered once the PSP's word (or no word) is in
    TraceContext trace;              // the payment span: parent of the psp span
    int64_t sent_ns = 0;             // book time of the send
    bool in_flight = false;
    bool asking = false;             // a look-up (ask), not a request to pay
  };
  PspPort* port(const std::string& route) const;
  void send(uint64_t payment_id, bool ask);
  void answered(const PspAnswer& a);
  void record(const Payment& p, PaymentStatus to, PaymentSource source, const std::string& psp_ref,
              const std::string& detail);
  void reply(uint64_t payment_id);

  Engine& engine_;
  WalletDesk& wallet_;
  Tracer& tracer_;
  std::vector<PspPort*> ports_;
  ScreeningGate* gate_ = nullptr;  // KYC-1: withdrawals may wait for a screening
  std::string active_;
  std::function<std::string(std::string_view)> mask_;
  mutable std::mutex callback_mu_;
  std::string callback_base_;
  std::unordered_map<uint64_t, Waiting> waiting_;
  std::unordered_map<std::string, RouteSeen> seen_;
  // Answers arrive on the ports' threads; once the desk is gone they are dropped.
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);

  Family<Counter>* requests_;   // payment_requests_total{route,kind}
  Family<Counter>* answers_;    // payment_answers_total{route,result}
  Family<Counter>* callbacks_;  // payment_callbacks_total{route,result}
  Family<Histogram>* psp_seconds_;  // psp_call_seconds{route}
  Gauge* pending_;              // payments_pending
  Gauge* timed_out_;            // payments_timed_out
};

}  // namespace inplay
