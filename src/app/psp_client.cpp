#include "app/psp_client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/clock.h"
#include "core/json.h"
#include "http/client.h"
#include "payment/payment_book.h"

namespace inplay {

std::string psp_payment_body(const PaymentCall& c) {
  JsonWriter w;
  w.begin_object()
      .field("payment_id", std::to_string(c.payment_id))
      .field("kind", psp_kind_name(c.kind))
      .field("amount_minor", c.amount)
      .field("currency", c.currency)
      .field("account_ref", c.account_ref);
  if (!c.callback_url.empty()) w.field("callback_url", c.callback_url);
  w.end_object();
  return w.take();
}

PspAnswer parse_psp_answer(uint64_t payment_id, int status, const std::string& body,
                           const std::string& transport_error) {
  PspAnswer a;
  a.payment_id = payment_id;
  if (status == 0) {
    a.detail = transport_error.empty() ? "no answer" : transport_error;
    return a;
  }
  if (status != 200 && status != 201 && status != 400 && status != 422) {
    a.detail = fmt::format("PSP answered {}", status);
    return a;
  }
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(body);
  simdjson::ondemand::document doc;
  std::string_view st, ref, reason, error, message;
  bool bad = parser.iterate(json).get(doc) != simdjson::SUCCESS || doc.get_object().error();
  if (!bad) {
    simdjson::ondemand::object obj = doc.get_object().value_unsafe();
    for (auto field : obj) {
      std::string_view k;
      if (field.unescaped_key().get(k)) {
        bad = true;
        break;
      }
      auto get = [&](std::string_view& out) { bad |= field.value().get_string().get(out) != simdjson::SUCCESS; };
      if (k == "status") get(st);
      else if (k == "psp_ref") get(ref);
      else if (k == "reason") get(reason);
      else if (k == "error") get(error);
      else if (k == "message") get(message);
    }
  }
  if (bad) {
    a.detail = fmt::format("PSP answered {} with a body we cannot read", status);
    return a;
  }
  if (status == 400 || status == 422) {
    // Refused as asked: nothing was charged.
    a.kind = PspAnswer::Kind::kDeclined;
    a.detail = fmt::format("refused by the PSP: {} {}", error, message);
    return a;
  }
  a.psp_ref = std::string(ref);
  a.detail = std::string(reason);
  if (st == "authorised") a.kind = PspAnswer::Kind::kAuthorised;
  else if (st == "declined") a.kind = PspAnswer::Kind::kDeclined;
  else if (st == "pending") a.kind = PspAnswer::Kind::kPending;
  else a.detail = fmt::format("PSP answered {} without a usable status", status);
  return a;
}

static PartnerSeries psp_series(const std::string& route, MetricsRegistry& metrics) {
  PartnerSeries s;
  s.breaker_open = &metrics
                        .gauge("psp_breaker_open",
                               "1 while a payment route's circuit breaker is open (new payments take another route)",
                               {"route"})
                        .with({route});
  s.breaker_opened =
      &metrics.counter("psp_breaker_opened_total", "Times a payment route's circuit breaker opened", {"route"})
           .with({route});
  auto& calls = metrics.counter("psp_calls_total", "Calls to a PSP, by result: ok, or failed (timeout, 5xx, transport)",
                                {"route", "result"});
  s.calls_ok = &calls.with({route, "ok"});
  s.calls_failed = &calls.with({route, "failed"});
  return s;
}

PspClient::PspClient(const PspRouteTerms& terms, const std::string& url, MetricsRegistry& metrics,
                     const Clock* breaker_clock)
    : terms_(terms),
      url_(url),
      series_(psp_series(terms.name, metrics)),
      partner_(partner_terms(terms), url, fmt::format("payments.routes[{}].url: must be http://host:port", terms.name),
               series_, "the route's queue is full", breaker_clock) {}

PspClient::~PspClient() { stop(); }

void PspClient::start() { partner_.start(); }

void PspClient::stop() { partner_.stop(); }

bool PspClient::available() const { return partner_.available(); }

static std::function<void(const char*)> never_sent(uint64_t payment_id, std::function<void(PspAnswer)> answer) {
  return [payment_id, answer = std::move(answer)](const char* why) {
    answer(PspAnswer{payment_id, PspAnswer::Kind::kFailed, "", why, 0, 0});
  };
}

void PspClient::send(PaymentCall call, std::function<void(PspAnswer)> answer) {
  const uint64_t id = call.payment_id;
  partner_.queue([this, call = std::move(call), answer] { answer(run(call)); }, never_sent(id, answer));
}

void PspClient::ask(uint64_t payment_id, std::function<void(PspAnswer)> answer) {
  partner_.queue([this, payment_id, answer] { answer(look_up(payment_id)); }, never_sent(payment_id, answer));
}

// One call, no retry; counted in psp_calls_total and the breaker, not in the
// send failures psp_timeouts_sigma watches.
PspAnswer PspClient::look_up(uint64_t payment_id) {
  const int64_t start = monotonic_ns();
  PspAnswer a{payment_id, PspAnswer::Kind::kFailed, "", "circuit breaker open", 0, 0};
  CircuitBreaker& breaker = partner_.breaker();
  if (breaker.allow(partner_.breaker_now())) {
    a.attempts = 1;
    HttpCallResult r = partner_.get(fmt::format("/v1/payments/{}", payment_id));
    if (r.status == 404) {
      a.kind = PspAnswer::Kind::kUnknown;
      a.detail = "the PSP has no record of it";
      breaker.record_success();
    } else {
      PspAnswer got = parse_psp_answer(payment_id, r.status == 400 || r.status == 422 ? 500 : r.status, r.body, r.error);
      if (got.kind == PspAnswer::Kind::kFailed) {
        breaker.record_failure(partner_.breaker_now());
        series_.calls_failed->inc();
        a.detail = got.detail;
      } else {
        breaker.record_success();
        series_.calls_ok->inc();
        got.attempts = 1;
        a = got;
      }
    }
  }
  a.took_ns = monotonic_ns() - start;
  return a;
}

PspAnswer PspClient::run(const PaymentCall& call) {
  PspAnswer got;
  PartnerCall::Tried t = partner_.post("/v1/payments", payment_key(call.payment_id), psp_payment_body(call),
                                       [&](const HttpCallResult& r, std::string& detail) {
                                         got = parse_psp_answer(call.payment_id, r.status, r.body, r.error);
                                         detail = got.detail;
                                         return got.kind != PspAnswer::Kind::kFailed;
                                       });
  if (!t.heard) got = PspAnswer{call.payment_id, PspAnswer::Kind::kFailed, "", t.detail, 0, 0};
  got.attempts = t.attempts;
  got.took_ns = t.took_ns;
  return got;
}

}  // namespace inplay
