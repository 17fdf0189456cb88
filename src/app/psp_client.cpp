#include "app/psp_client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <stdexcept>
#include <thread>

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

PspClient::PspClient(const PspRouteTerms& terms, const std::string& url, MetricsRegistry& metrics,
                     const Clock* breaker_clock)
    : terms_(terms),
      breaker_clock_(breaker_clock),
      url_(url),
      breaker_(terms.breaker_failures, terms.breaker_open.count()),
      workers_(terms.threads, 4096) {
  if (!parse_http_url(url, host_, port_))
    throw std::invalid_argument(fmt::format("payments.routes[{}].url: must be http://host:port", terms.name));
  breaker_open_ = &metrics
                       .gauge("psp_breaker_open",
                              "1 while a payment route's circuit breaker is open (new payments take another route)",
                              {"route"})
                       .with({terms.name});
  breaker_opened_ = &metrics.counter("psp_breaker_opened_total", "Times a payment route's circuit breaker opened",
                                     {"route"})
                         .with({terms.name});
  auto& calls = metrics.counter("psp_calls_total", "Calls to a PSP, by result: ok, or failed (timeout, 5xx, transport)",
                                {"route", "result"});
  calls_ok_ = &calls.with({terms.name, "ok"});
  calls_failed_ = &calls.with({terms.name, "failed"});
}

PspClient::~PspClient() { stop(); }

void PspClient::start() {
  stopping_ = false;
  workers_.start();
}

void PspClient::stop() {
  stopping_ = true;
  workers_.stop();
}

int64_t PspClient::breaker_now() const {
  return breaker_clock_ ? to_ns(breaker_clock_->now()) : monotonic_ns();
}

bool PspClient::available() const { return breaker_.would_allow(breaker_now()); }

CircuitBreaker::State PspClient::breaker_state() const { return breaker_.state(breaker_now()); }

void PspClient::send(PaymentCall call, std::function<void(PspAnswer)> answer) {
  const uint64_t id = call.payment_id;
  auto job = [this, call = std::move(call), answer](bool cancelled) {
    if (cancelled) return answer(PspAnswer{call.payment_id, PspAnswer::Kind::kFailed, "", "stopping", 0, 0});
    answer(run(call));
  };
  if (!workers_.post(job))
    answer(PspAnswer{id, PspAnswer::Kind::kFailed, "", stopping_ ? "stopping" : "the route's queue is full", 0, 0});
}

void PspClient::ask(uint64_t payment_id, std::function<void(PspAnswer)> answer) {
  auto job = [this, payment_id, answer](bool cancelled) {
    if (cancelled) return answer(PspAnswer{payment_id, PspAnswer::Kind::kFailed, "", "stopping", 0, 0});
    answer(look_up(payment_id));
  };
  if (!workers_.post(job))
    answer(PspAnswer{payment_id, PspAnswer::Kind::kFailed, "", stopping_ ? "stopping" : "the route's queue is full", 0, 0});
}

PspAnswer PspClient::look_up(uint64_t payment_id) {
  const int64_t start = monotonic_ns();
  const int timeout_ms = static_cast<int>(std::max<int64_t>(1, terms_.timeout.count() / 1000000));
  PspAnswer a{payment_id, PspAnswer::Kind::kFailed, "", "circuit breaker open", 0, 0};
  if (breaker_.allow(breaker_now())) {
    a.attempts = 1;
    HttpCallResult r = http_call(host_, port_, "GET", fmt::format("/v1/payments/{}", payment_id), {}, "", timeout_ms);
    if (r.status == 404) {
      a.kind = PspAnswer::Kind::kUnknown;
      a.detail = "the PSP has no record of it";
      breaker_.record_success();
    } else {
      PspAnswer got = parse_psp_answer(payment_id, r.status == 400 || r.status == 422 ? 500 : r.status, r.body, r.error);
      if (got.kind == PspAnswer::Kind::kFailed) {
        breaker_.record_failure(breaker_now());
        calls_failed_->inc();
        a.detail = got.detail;
      } else {
        breaker_.record_success();
        calls_ok_->inc();
        got.attempts = 1;
        a = got;
      }
    }
  }
  a.took_ns = monotonic_ns() - start;
  return a;
}

PspAnswer PspClient::run(const PaymentCall& call) {
  const int64_t start = monotonic_ns();
  const int timeout_ms = static_cast<int>(std::max<int64_t>(1, terms_.timeout.count() / 1000000));
  const std::string body = psp_payment_body(call);
  PspAnswer a{call.payment_id, PspAnswer::Kind::kFailed, "", "", 0, 0};
  int64_t wait_ms = std::max<int64_t>(1, terms_.retry.count() / 1000000);
  for (int i = 0; i < terms_.attempts && !stopping_; ++i) {
    if (!breaker_.allow(breaker_now())) {
      a.detail = a.attempts ? a.detail + "; then the circuit breaker opened" : "circuit breaker open";
      break;
    }
    ++a.attempts;
    HttpCallResult r = http_call(host_, port_, "POST", "/v1/payments",
                                 {{"Idempotency-Key", payment_key(call.payment_id)}, {"Content-Type", "application/json"}},
                                 body, timeout_ms);
    PspAnswer got = parse_psp_answer(call.payment_id, r.status, r.body, r.error);
    if (got.kind != PspAnswer::Kind::kFailed) {
      breaker_.record_success();
      breaker_open_->set(0);
      calls_ok_->inc();
      got.attempts = a.attempts;
      got.took_ns = monotonic_ns() - start;
      return got;
    }
    const uint64_t opened = breaker_.opened_total();
    breaker_.record_failure(breaker_now());
    ++failed_calls_;
    calls_failed_->inc();
    if (breaker_.opened_total() != opened) {
      breaker_opened_->inc();
      breaker_open_->set(1);
    }
    a.detail = got.detail;
    if (i + 1 < terms_.attempts && !stopping_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      wait_ms *= 2;
    }
  }
  a.took_ns = monotonic_ns() - start;
  return a;
}

}  // namespace inplay
