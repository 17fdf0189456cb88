// PspClient: one payment route's port (payment/psp_port.h) to a PSP over
// HTTP/1.1 — a simulated PSP of demos and tests (sim/psp_server.h) or a
// real one behind the same protocol (docs/payments.md):
//
//   POST {url}/v1/payments   Idempotency-Key: pay-<id>
//        {"payment_id":"<id>","kind":"deposit"|"payout","amount_minor":..,
//         "currency":"GBP","account_ref":"<pseudonym>","callback_url":".."}
//   200 {"status":"authorised"|"declined"|"pending","psp_ref":..,"reason":..}
//   400/422: the PSP refused the request as asked -> declined (nothing charged)
//   anything else, a timeout, a refused connection -> a failed attempt
//   GET  {url}/v1/payments/<id>   200 {"status",..} its record; 404 none
//
// send() queues and returns at once; the calls go the way every partner's
// do (app/partner_call.h): up to `attempts` calls, each bounded by
// `timeout`, `retry` (doubling) apart, on `threads` workers, all under the
// same key — the PSP answers a repeat with what it recorded, never a second
// charge. A circuit breaker per route counts failed calls: open, new sends
// fail at once without calling ("never sent": attempts 0) and available()
// is false, so new payments take another route. stop() answers what is
// queued as never sent and ends the calls in flight after their current
// attempt.
#pragma once
#include <memory>
#include <string>

#include "app/partner_call.h"
#include "payment/payment_terms.h"
#include "payment/psp_port.h"
#include "telemetry/metrics.h"

namespace inplay {

class PspClient final : public PspPort {
 public:
  // url: "http://host:port". Throws std::invalid_argument if malformed.
  // Its series (label route): psp_breaker_open (1 from the moment the breaker
  // opens until a call succeeds), psp_breaker_opened_total,
  // psp_calls_total{result}: ok or failed, per call.
  // breaker_clock: where the breaker reads its time (game days: the book's
  // clock, PaymentTerms::breaker_on_book_clock); nullptr: the steady clock.
  PspClient(const PspRouteTerms& terms, const std::string& url, MetricsRegistry& metrics,
            const Clock* breaker_clock = nullptr);
  ~PspClient() override;
  void start();
  void stop();

  const std::string& route() const override { return terms_.name; }
  bool available() const override;
  void send(PaymentCall call, std::function<void(PspAnswer)> answer) override;
  // GET {url}/v1/payments/<id>: 200 its status, 404 kUnknown; one call.
  void ask(uint64_t payment_id, std::function<void(PspAnswer)> answer) override;

  CircuitBreaker::State breaker_state() const { return partner_.breaker_state(); }
  uint64_t breaker_opened_total() const { return partner_.breaker_opened_total(); }
  uint64_t calls_failed_total() const { return partner_.calls_failed_total(); }
  const std::string& url() const { return url_; }

 private:
  PspAnswer run(const PaymentCall& call);
  PspAnswer look_up(uint64_t payment_id);

  PspRouteTerms terms_;
  std::string url_;
  PartnerSeries series_;
  PartnerCall partner_;
};

// The request body of a payment, and the PSP's answer to one call.
std::string psp_payment_body(const PaymentCall& c);
// Final (authorised, declined, pending) or kFailed for a failed call.
PspAnswer parse_psp_answer(uint64_t payment_id, int status, const std::string& body, const std::string& transport_error);

}  // namespace inplay
