// KycClient (contract in app/kyc_client.h).
#include "app/kyc_client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/clock.h"
#include "core/json.h"
#include "http/client.h"
#include "kyc/screening_book.h"

namespace inplay {

std::string kyc_screening_body(const ScreeningCall& c) {
  JsonWriter w;
  w.begin_object()
      .field("screening_id", std::to_string(c.screening_id))
      .field("subject", c.subject)
      .field("subject_ref", c.subject_ref)
      .field("amount_minor", c.amount)
      .field("currency", c.currency)
      .end_object();
  return w.take();
}

VendorAnswer parse_vendor_answer(const std::string& vendor, uint64_t screening_id, int status,
                                 const std::string& body, const std::string& transport_error) {
  VendorAnswer a;
  a.vendor = vendor;
  a.screening_id = screening_id;
  if (status == 0) {
    a.detail = transport_error.empty() ? "no answer" : transport_error;
    return a;
  }
  if (status != 200) {
    a.detail = fmt::format("vendor answered {}", status);
    return a;
  }
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(body);
  simdjson::ondemand::document doc;
  std::string_view result, ref, reason;
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
      if (k == "result") get(result);
      else if (k == "vendor_ref") get(ref);
      else if (k == "reason") get(reason);
    }
  }
  if (bad) {
    a.detail = "vendor answered with a body we cannot read";
    return a;
  }
  a.vendor_ref = std::string(ref);
  a.detail = std::string(reason);
  if (result == "clear") a.kind = VendorAnswer::Kind::kClear;
  else if (result == "refer") a.kind = VendorAnswer::Kind::kRefer;
  else if (result == "reject") a.kind = VendorAnswer::Kind::kReject;
  else a.detail = "vendor answered without a usable result";
  return a;
}

KycClient::KycClient(const KycVendorTerms& terms, const std::string& url, MetricsRegistry& metrics)
    : terms_(terms),
      url_(url),
      breaker_(terms.breaker_failures, terms.breaker_open.count()),
      workers_(terms.threads, 4096) {
  if (!parse_http_url(url, host_, port_))
    throw std::invalid_argument(fmt::format("kyc.vendors[{}].url: must be http://host:port", terms.name));
  breaker_open_ = &metrics
                       .gauge("kyc_breaker_open",
                              "1 while a KYC vendor's circuit breaker is open (screenings go to another vendor)",
                              {"vendor"})
                       .with({terms.name});
  auto& calls = metrics.counter("kyc_vendor_calls_total",
                                "Calls to a KYC vendor, by result: ok, or failed (timeout, 5xx, transport)",
                                {"vendor", "result"});
  calls_ok_ = &calls.with({terms.name, "ok"});
  calls_failed_ = &calls.with({terms.name, "failed"});
}

KycClient::~KycClient() { stop(); }

void KycClient::start() {
  stopping_ = false;
  workers_.start();
}

void KycClient::stop() {
  stopping_ = true;
  workers_.stop();
}

bool KycClient::available() const { return breaker_.would_allow(monotonic_ns()); }

void KycClient::screen(ScreeningCall call, std::function<void(VendorAnswer)> answer) {
  const uint64_t id = call.screening_id;
  auto never_sent = [this, id](const char* why) {
    VendorAnswer a;
    a.vendor = terms_.name;
    a.screening_id = id;
    a.detail = why;
    return a;
  };
  auto job = [this, call = std::move(call), answer, never_sent](bool cancelled) {
    if (cancelled) return answer(never_sent("stopping"));
    answer(run(call));
  };
  if (!workers_.post(job)) answer(never_sent(stopping_ ? "stopping" : "the vendor's queue is full"));
}

VendorAnswer KycClient::run(const ScreeningCall& call) {
  const int64_t start = monotonic_ns();
  const int timeout_ms = static_cast<int>(std::max<int64_t>(1, terms_.timeout.count() / 1000000));
  const std::string body = kyc_screening_body(call);
  VendorAnswer a;
  a.vendor = terms_.name;
  a.screening_id = call.screening_id;
  int64_t wait_ms = std::max<int64_t>(1, terms_.retry.count() / 1000000);
  for (int i = 0; i < terms_.attempts && !stopping_; ++i) {
    if (!breaker_.allow(monotonic_ns())) {
      a.detail = a.attempts ? a.detail + "; then the circuit breaker opened" : "circuit breaker open";
      break;
    }
    ++a.attempts;
    HttpCallResult r = http_call(host_, port_, "POST", "/v1/screenings",
                                 {{"Idempotency-Key", screening_key(call.screening_id)},
                                  {"Content-Type", "application/json"}},
                                 body, timeout_ms);
    VendorAnswer got = parse_vendor_answer(terms_.name, call.screening_id, r.status, r.body, r.error);
    if (got.kind != VendorAnswer::Kind::kFailed) {
      breaker_.record_success();
      breaker_open_->set(0);
      calls_ok_->inc();
      got.attempts = a.attempts;
      got.took_ns = monotonic_ns() - start;
      return got;
    }
    const uint64_t opened = breaker_.opened_total();
    breaker_.record_failure(monotonic_ns());
    calls_failed_->inc();
    if (breaker_.opened_total() != opened) breaker_open_->set(1);
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
