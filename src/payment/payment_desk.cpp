#include "payment/payment_desk.h"

#include <fmt/format.h>

#include <optional>

#include "engine/hand_to_engine.h"
#include "telemetry/attributes.h"
#include "telemetry/log.h"
#include "wallet/answer_once.h"

namespace inplay {

const char* psp_answer_name(PspAnswer::Kind k) {
  switch (k) {
    case PspAnswer::Kind::kAuthorised: return "authorised";
    case PspAnswer::Kind::kDeclined: return "declined";
    case PspAnswer::Kind::kPending: return "pending";
    case PspAnswer::Kind::kFailed: return "failed";
    case PspAnswer::Kind::kUnknown: return "unknown";
  }
  return "unknown";
}

PaymentDesk::PaymentDesk(Engine& engine, WalletDesk& wallet, Tracer& tracer)
    : engine_(engine), wallet_(wallet), tracer_(tracer) {
  MetricsRegistry& m = engine_.registry();
  requests_ = &m.counter("payment_requests_total", "Deposits and withdrawals sent to a PSP route (journaled)",
                         {"route", "kind"});
  answers_ = &m.counter("payment_answers_total",
                        "Answers of PSP routes to the book's calls, by result: authorised, declined, pending "
                        "(a callback follows), failed (no answer after every attempt)",
                        {"route", "result"});
  callbacks_ = &m.counter("payment_callbacks_total",
                          "Signed PSP callbacks, by what they did: applied, duplicate, stale, unknown",
                          {"route", "result"});
  psp_seconds_ = &m.histogram("psp_call_seconds", "From handing a payment to its route to the route's answer",
                              {"route"},
                              {5000000, 10000000, 25000000, 50000000, 100000000, 250000000, 500000000, 1000000000,
                               2500000000, 5000000000, 10000000000},
                              Unit::kSeconds);
  pending_ = &m.gauge("payments_pending", "Payments sent to a PSP and not yet answered").with({});
  timed_out_ = &m.gauge("payments_timed_out",
                        "Payments no PSP answer could be trusted for in time: waiting for a callback or a "
                        "reconciliation")
                    .with({});
}

PaymentDesk::~PaymentDesk() { alive_->store(false); }

void PaymentDesk::set_routes(std::vector<PspPort*> ports, const std::string& active,
                             std::function<std::string(std::string_view)> mask) {
  ports_ = std::move(ports);
  active_ = active.empty() && !ports_.empty() ? ports_.front()->route() : active;
  mask_ = std::move(mask);
  for (PspPort* p : ports_) seen_[p->route()].name = p->route();
}

void PaymentDesk::set_callback_base(std::string url) {
  std::lock_guard<std::mutex> lk(callback_mu_);
  callback_base_ = std::move(url);
}

bool PaymentDesk::submit(RequestPayment&& cmd) {
  std::shared_ptr<AnswerOnce> once = AnswerOnce::wrap(cmd.done);
  auto c = std::make_shared<RequestPayment>(std::move(cmd));
  return engine_.submit([this, c] { request(*c); },
                        [this, key = c->idem_key, once](const std::exception& e) {
                          wallet_.refuse_failed(key, e, [once](const Outcome& o) { once->answer(o); });
                        });
}

bool PaymentDesk::submit(PspCallback&& cb) {
  auto c = std::make_shared<PspCallback>(std::move(cb));
  return engine_.submit([this, c] { callback(*c); });
}

PspPort* PaymentDesk::port(const std::string& route) const {
  for (PspPort* p : ports_)
    if (p->route() == route) return p;
  return nullptr;
}

const std::string& PaymentDesk::active() const {
  const std::string& journaled = engine_.state().payment_route;
  return journaled.empty() || !port(journaled) ? active_ : journaled;
}

Result<bool> PaymentDesk::switch_route(const std::string& to, const std::string& actor, const std::string& reason) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  PspPort* p = port(to);
  if (!p) return Error{ErrorCode::kValidationFailed, fmt::format("to: no payment route named '{}'", to)};
  const std::string from = active();
  if (from == to) return false;
  if (!p->available())
    return Error{ErrorCode::kPaymentRouteUnavailable, fmt::format("route {}'s circuit breaker is open", to)};
  engine_.commit(PaymentRouteSwitched{from, to, actor, reason, to_ns(engine_.clock().now())});
  log::warn("payment", "payment route switched", {{"from", from}, {"to", to}, {"actor", actor}, {"reason", reason}});
  return true;
}

std::string PaymentDesk::next_route_after(const std::string& from) const {
  size_t start = 0;
  for (size_t i = 0; i < ports_.size(); ++i)
    if (ports_[i]->route() == from) start = i;
  for (size_t k = 1; k < ports_.size(); ++k) {
    PspPort* p = ports_[(start + k) % ports_.size()];
    if (p->available()) return p->route();
  }
  return {};
}

std::string PaymentDesk::route_now() const {
  if (ports_.empty()) return {};
  size_t start = 0;
  const std::string& act = active();
  for (size_t i = 0; i < ports_.size(); ++i)
    if (ports_[i]->route() == act) start = i;
  for (size_t k = 0; k < ports_.size(); ++k) {
    PspPort* p = ports_[(start + k) % ports_.size()];
    if (p->available()) return p->route();
  }
  return {};
}

void PaymentDesk::request(RequestPayment& r) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!wallet_.admit(r.idem_key, r.fingerprint, r.done)) return;
  BookState& s = engine_.state();
  const int64_t now = to_ns(engine_.clock().now());
  if (!r.gateway.valid()) r.gateway = TraceContext{tracer_.new_trace_id(), {}, 1};
  Span span = tracer_.start("payment", r.gateway, now);
  span.attr(attr::kUser, r.user_mask);

  std::optional<Error> refused;
  const int64_t acct = s.owners.find(r.scope, s.ledger, r.account);
  const std::string route = route_now();
  if (!(r.currency == engine_.config().currency)) {
    refused = Error{ErrorCode::kCurrencyMismatch, fmt::format("the book is in {}", engine_.config().currency.code())};
  } else if (acct < 0 || s.ledger.account(acct).synthetic) {
    refused = Error{ErrorCode::kAccountNotFound, "unknown account"};
  } else if (r.kind == TransferReason::kWithdrawal &&
             !s.ledger.can_apply(Transfer{static_cast<uint32_t>(acct), s.ledger.funding(), r.amount, r.kind})) {
    refused = Error{ErrorCode::kInsufficientFunds, "balance is below the amount"};
  } else if (r.kind == TransferReason::kDeposit &&
             !s.ledger.in_range(Transfer{s.ledger.funding(), static_cast<uint32_t>(acct), r.amount, r.kind})) {
    refused = Error{ErrorCode::kValidationFailed, "amount: the book cannot hold this amount (a balance would pass its limit)"};
  } else if (route.empty()) {
    // Nothing decided and nothing journaled: the same request may be sent
    // again once a route is back.
    span.error = true;
    span.attr(attr::kRejectCode, std::string(error_code_name(ErrorCode::kPaymentRouteUnavailable)));
    span.end_ns = now;
    tracer_.record(std::move(span));
    wallet_.abandon(r.idem_key,
                    Error{ErrorCode::kPaymentRouteUnavailable,
                          ports_.empty() ? "the book has no payment route (payments.routes in the config)" : "every payment route is unavailable (circuit breakers open); try again later"},
                    std::move(r.done));
    return;
  }

  // KYC-1 (payment/screening_gate.h): a withdrawal may wait for its own
  // screening, or be refused until its account's is cleared.
  if (!refused && gate_ && r.kind == TransferReason::kWithdrawal && gate_->holds(r, refused)) {
    span.attr(attr::kOutcome, std::string("in_review"));
    span.end_ns = now;
    tracer_.record(std::move(span));
    return;
  }

  if (refused) {
    span.error = true;
    span.attr(attr::kRejectCode, std::string(error_code_name(refused->code)));
    try {
      engine_.commit(Rejected{static_cast<uint16_t>(refused->code), refused->message, now,
                              IdemTag{r.idem_key, r.fingerprint}});
    } catch (const std::exception& e) {
      engine_.failed("commit", e);
      span.end_ns = now;
      tracer_.record(std::move(span));
      wallet_.refuse_failed(r.idem_key, e, std::move(r.done));
      return;
    }
    std::vector<OutcomeFn> waiters = wallet_.take_waiters(r.idem_key);
    engine_.after_durable([client = std::move(r.done), waiters = std::move(waiters), o = Outcome{*refused}] {
      for (auto& w : waiters) w(o);
      client(o);
    });
    span.end_ns = now;
    tracer_.record(std::move(span));
    return;
  }

  PaymentRequested e;
  e.payment_id = s.payments.next_id();
  e.account = r.account;
  e.kind = r.kind;
  e.amount = r.amount;
  e.route = route;
  e.at_ns = now;
  e.trace_id = r.gateway.trace_id;
  e.idem = IdemTag{r.idem_key, r.fingerprint};
  const uint64_t id = e.payment_id;
  span.attr(attr::kPspRoute, route);
  try {
    engine_.commit(std::move(e), [this, id] { send(id, /*ask=*/false); });
  } catch (const std::exception& ex) {
    engine_.failed("commit", ex);
    span.error = true;
    span.end_ns = now;
    tracer_.record(std::move(span));
    wallet_.refuse_failed(r.idem_key, ex, std::move(r.done));
    return;
  }
  requests_->with({route, psp_kind_name(r.kind)}).inc();
  pending_->set(static_cast<double>(s.payments.pending_count()));
  Waiting& w = waiting_[id];
  w.replies = wallet_.take_waiters(r.idem_key);
  w.replies.push_back(std::move(r.done));
  w.trace = span.context();
  span.end_ns = now;
  tracer_.record(std::move(span));
}

// Engine thread: hands the payment to its route's port — to be made
// (send) or only looked up (ask) — and the answer comes back through the
// engine's inbox.
void PaymentDesk::send(uint64_t payment_id, bool ask) {
  const Payment* p = engine_.state().payments.find(payment_id);
  if (!p || p->final()) return;
  Waiting& w = waiting_[payment_id];
  if (w.in_flight) return;
  PspPort* pp = port(p->route);
  if (!pp) {
    log::error("payment", "payment on a route the config no longer has; it waits for that route",
               {{"payment_id", payment_id}, {"route", p->route}});
    return;
  }
  w.in_flight = true;
  w.asking = ask;
  w.sent_ns = to_ns(engine_.clock().now());
  ++seen_[p->route].sent;
  auto back = [this, alive = alive_](PspAnswer answer) {
    if (!alive->load()) return;
    // The client's reply waits for this answer: it must reach the engine.
    if (hand_to_engine(engine_, [this, alive, answer] {
          if (alive->load()) answered(answer);
        }))
      return;
    log::error("payment", "a PSP answer could not reach the engine (inbox full for 5 s); the payment stays as it was",
               {{"payment_id", answer.payment_id}});
  };
  if (ask) return pp->ask(payment_id, std::move(back));
  PaymentCall call;
  call.payment_id = p->id;
  call.kind = p->kind;
  call.amount = p->amount;
  call.currency = std::string(engine_.config().currency.code());
  call.account_ref = mask_ ? mask_(p->account) : std::string();
  {
    std::lock_guard<std::mutex> lk(callback_mu_);
    if (!callback_base_.empty()) call.callback_url = callback_base_ + "/psp/callbacks/" + p->route;
  }
  pp->send(std::move(call), std::move(back));
}

size_t PaymentDesk::calls_outstanding() const {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  size_t n = 0;
  for (const auto& [id, w] : waiting_) {
    if (w.in_flight) {
      ++n;
      continue;
    }
    // Not sent yet: journaled, its send waits for durability.
    const Payment* p = engine_.state().payments.find(id);
    if (w.sent_ns == 0 && p && !p->final()) ++n;
  }
  return n;
}

void PaymentDesk::answered(const PspAnswer& a) {
  const Payment* p = engine_.state().payments.find(a.payment_id);
  auto wit = waiting_.find(a.payment_id);
  bool asked = false;
  if (wit != waiting_.end()) {
    wit->second.in_flight = false;
    asked = wit->second.asking;
  }
  if (!p) return;
  const std::string route = p->route;
  answers_->with({route, psp_answer_name(a.kind)}).inc();
  if (a.took_ns > 0) MetricsRegistry::series(*psp_seconds_, {route}).observe(a.took_ns);
  RouteSeen& seen = seen_[route];
  const int64_t now = to_ns(engine_.clock().now());
  if (wit != waiting_.end() && wit->second.trace.valid()) {
    Span span = tracer_.start("psp", wit->second.trace, wit->second.sent_ns);
    span.attr(attr::kPspRoute, route);
    span.attr(attr::kOutcome, std::string(psp_answer_name(a.kind)));
    span.error = a.kind == PspAnswer::Kind::kFailed;
    span.end_ns = now;
    tracer_.record(std::move(span));
  }
  if (p->final()) return reply(a.payment_id);  // answered already (a callback came first)
  switch (a.kind) {
    case PspAnswer::Kind::kAuthorised:
      ++seen.authorised;
      record(*p, PaymentStatus::kAuthorised,
             p->status == PaymentStatus::kTimedOut ? PaymentSource::kReconciliation : PaymentSource::kAnswer, a.psp_ref,
             a.detail);
      return;
    case PspAnswer::Kind::kDeclined:
      ++seen.declined;
      record(*p, PaymentStatus::kDeclined,
             p->status == PaymentStatus::kTimedOut ? PaymentSource::kReconciliation : PaymentSource::kAnswer, a.psp_ref,
             a.detail);
      return;
    case PspAnswer::Kind::kPending:
      ++seen.pending;
      reply(a.payment_id);  // 202: the PSP calls back with its word
      return;
    case PspAnswer::Kind::kUnknown:
      // Asked, and the PSP never had it: nothing was charged.
      record(*p, PaymentStatus::kDeclined, PaymentSource::kReconciliation, "",
             "the PSP has no record of it: nothing was charged");
      return;
    case PspAnswer::Kind::kFailed:
      ++seen.failed;
      seen.last_error = a.detail;
      if (asked && p->status == PaymentStatus::kPending) {
        // Asked at a restart and no answer: its customer has gone; it waits
        // for the PSP's callback or the next reconciliation.
        record(*p, PaymentStatus::kTimedOut, PaymentSource::kBook, "", a.detail);
      } else if (asked) {
        reply(a.payment_id);
      } else if (a.attempts == 0 && p->status == PaymentStatus::kPending) {
        // It never left: the PSP cannot have it.
        record(*p, PaymentStatus::kDeclined, PaymentSource::kBook, "",
               "not sent: " + a.detail);
      } else if (p->status == PaymentStatus::kPending) {
        log::warn("payment", "no answer from the PSP after every attempt; the payment is timed out until its word is found",
                  {{"payment_id", a.payment_id}, {"route", route}, {"error", a.detail}});
        record(*p, PaymentStatus::kTimedOut, PaymentSource::kBook, a.psp_ref, a.detail);
      } else {
        reply(a.payment_id);  // a reconciliation that found nothing yet
      }
      return;
  }
}

void PaymentDesk::record(const Payment& p, PaymentStatus to, PaymentSource source, const std::string& psp_ref,
                         const std::string& detail) {
  PaymentAnswered e;
  e.payment_id = p.id;
  e.account = p.account;
  e.kind = p.kind;
  e.amount = p.amount;
  e.status = static_cast<uint8_t>(to);
  e.source = static_cast<uint8_t>(source);
  e.psp_ref = psp_ref;
  e.detail = detail;
  e.at_ns = to_ns(engine_.clock().now());
  const uint64_t id = p.id;
  if (p.status == PaymentStatus::kPending) {
    RouteSeen& seen = seen_[p.route];
    ++seen.auth_valid;
    if (to == PaymentStatus::kAuthorised) ++seen.auth_good;
  }
  // An authorised payment is the normal case (metrics and the audit log
  // have it); a log line per payment would cost more than the payment.
  if (to != PaymentStatus::kAuthorised || source != PaymentSource::kAnswer)
    log::info("payment", "payment answered",
              {{"payment_id", id}, {"route", p.route}, {"status", payment_status_name(to)},
               {"source", payment_source_name(source)}});
  // A step the book does not take (answers to a final payment) throws here
  // and changes nothing: the engine logs and counts it.
  engine_.commit(std::move(e), [this, id] { reply(id); });
  const PaymentBook& b = engine_.state().payments;
  pending_->set(static_cast<double>(b.pending_count()));
  timed_out_->set(static_cast<double>(b.timed_out_count()));
}

// Engine thread, after everything so far is durable: the callers waiting
// for this payment get it as it stands.
void PaymentDesk::reply(uint64_t payment_id) {
  auto it = waiting_.find(payment_id);
  if (it == waiting_.end()) return;
  std::vector<OutcomeFn> replies = std::move(it->second.replies);
  it->second.replies.clear();
  const Payment* p = engine_.state().payments.find(payment_id);
  if (p && p->final() && !it->second.in_flight) waiting_.erase(it);
  if (replies.empty()) return;
  engine_.after_durable([replies = std::move(replies), payment_id] {
    for (auto& r : replies) r(PaymentRef{payment_id});
  });
}

void PaymentDesk::callback(PspCallback& cb) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const Payment* p = engine_.state().payments.find(cb.payment_id);
  const char* result = "applied";
  if (!p || p->route != cb.route) {
    result = "unknown";
  } else if (cb.status == PaymentStatus::kPending || p->final()) {
    result = p->status == cb.status ? "duplicate" : "stale";
  } else if (cb.status == PaymentStatus::kAuthorised || cb.status == PaymentStatus::kDeclined) {
    RouteSeen& seen = seen_[p->route];
    if (cb.status == PaymentStatus::kAuthorised) ++seen.authorised;
    else ++seen.declined;
    record(*p, cb.status, p->status == PaymentStatus::kTimedOut ? PaymentSource::kReconciliation : PaymentSource::kCallback,
           cb.psp_ref, cb.reason);
  } else {
    result = "stale";
  }
  callbacks_->with({cb.route, result}).inc();
  if (cb.done) cb.done(result);
}

void PaymentDesk::resume() {
  const size_t n = reconcile();
  if (n) log::info("payment", "payments asked again at start", {{"payments", static_cast<uint64_t>(n)}});
  const PaymentBook& b = engine_.state().payments;
  pending_->set(static_cast<double>(b.pending_count()));
  timed_out_->set(static_cast<double>(b.timed_out_count()));
}

size_t PaymentDesk::reconcile() {
  size_t n = 0;
  for (const Payment* p : engine_.state().payments.unresolved()) {
    send(p->id, /*ask=*/true);
    ++n;
  }
  return n;
}

std::vector<PaymentDesk::RouteSeen> PaymentDesk::routes_seen() const {
  std::vector<RouteSeen> out;
  for (PspPort* p : ports_) {
    auto it = seen_.find(p->route());
    RouteSeen r = it == seen_.end() ? RouteSeen{} : it->second;
    r.name = p->route();
    r.available = p->available();
    out.push_back(std::move(r));
  }
  return out;
}

void PaymentDesk::each_route_auth(const std::function<void(const RouteAuth&)>& fn) const {
  for (PspPort* p : ports_) {
    auto it = seen_.find(p->route());
    const bool seen = it != seen_.end();
    fn(RouteAuth{p->route(), p->available(), seen ? it->second.auth_good : 0, seen ? it->second.auth_valid : 0});
  }
}

}  // namespace inplay
