// KycClient (contract in app/kyc_client.h).
#include "app/kyc_client.h"

#include <fmt/format.h>
#include <simdjson.h>

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

static PartnerSeries kyc_series(const std::string& vendor, MetricsRegistry& metrics) {
  PartnerSeries s;
  s.breaker_open = &metrics
                        .gauge("kyc_breaker_open",
                               "1 while a KYC vendor's circuit breaker is open (screenings go to another vendor)",
                               {"vendor"})
                        .with({vendor});
  auto& calls = metrics.counter("kyc_vendor_calls_total",
                                "Calls to a KYC vendor, by result: ok, or failed (timeout, 5xx, transport)",
                                {"vendor", "result"});
  s.calls_ok = &calls.with({vendor, "ok"});
  s.calls_failed = &calls.with({vendor, "failed"});
  return s;
}

KycClient::KycClient(const KycVendorTerms& terms, const std::string& url, MetricsRegistry& metrics)
    : terms_(terms),
      partner_(partner_terms(terms), url, fmt::format("kyc.vendors[{}].url: must be http://host:port", terms.name),
               kyc_series(terms.name, metrics), "the vendor's queue is full") {}

KycClient::~KycClient() { stop(); }

void KycClient::start() { partner_.start(); }

void KycClient::stop() { partner_.stop(); }

bool KycClient::available() const { return partner_.available(); }

void KycClient::screen(ScreeningCall call, std::function<void(VendorAnswer)> answer) {
  const uint64_t id = call.screening_id;
  auto never_sent = [this, id, answer](const char* why) {
    VendorAnswer a;
    a.vendor = terms_.name;
    a.screening_id = id;
    a.detail = why;
    answer(std::move(a));
  };
  partner_.queue([this, call = std::move(call), answer] { answer(run(call)); }, never_sent);
}

VendorAnswer KycClient::run(const ScreeningCall& call) {
  VendorAnswer got;
  PartnerCall::Tried t = partner_.post(
      "/v1/screenings", screening_key(call.screening_id), kyc_screening_body(call),
      [&](const HttpCallResult& r, std::string& detail) {
        got = parse_vendor_answer(terms_.name, call.screening_id, r.status, r.body, r.error);
        detail = got.detail;
        return got.kind != VendorAnswer::Kind::kFailed;
      });
  if (!t.heard) {
    got = VendorAnswer{};
    got.vendor = terms_.name;
    got.screening_id = call.screening_id;
    got.detail = t.detail;
  }
  got.attempts = t.attempts;
  got.took_ns = t.took_ns;
  return got;
}

}  // namespace inplay
