// KycClient: one KYC/AML vendor's port (kyc/kyc_vendor_port.h) over
// HTTP/1.1 — a simulated vendor of demos and tests (sim/kyc_vendor.h) or a
// real one behind the same protocol (docs/kyc.md):
//
//   POST {url}/v1/screenings   Idempotency-Key: scr-<id>
//        {"screening_id":"<id>","subject":"account"|"withdrawal",
//         "subject_ref":"<pseudonym>","amount_minor":..,"currency":"GBP"}
//   200 {"result":"clear"|"refer"|"reject","vendor_ref":..,"reason":..}
//   anything else, a timeout, a refused connection -> a failed attempt
//
// screen() queues and returns at once; the calls go the way every partner's
// do (app/partner_call.h): up to `attempts` calls under the same key, each
// bounded by `timeout`, `retry` (doubling) apart, on `threads` workers, a
// circuit breaker per vendor: open, calls fail at once ("never sent") and
// available() is false, so the desk asks the next vendor. Series (label
// vendor): kyc_breaker_open, kyc_vendor_calls_total{result}.
#pragma once
#include <string>

#include "app/partner_call.h"
#include "kyc/kyc_terms.h"
#include "kyc/kyc_vendor_port.h"
#include "telemetry/metrics.h"

namespace inplay {

class KycClient final : public KycVendorPort {
 public:
  // url: "http://host:port". Throws std::invalid_argument if malformed.
  KycClient(const KycVendorTerms& terms, const std::string& url, MetricsRegistry& metrics);
  ~KycClient() override;
  void start();
  void stop();

  const std::string& vendor() const override { return terms_.name; }
  bool available() const override;
  void screen(ScreeningCall call, std::function<void(VendorAnswer)> answer) override;

 private:
  VendorAnswer run(const ScreeningCall& call);

  KycVendorTerms terms_;
  PartnerCall partner_;
};

// The request body of a screening, and the vendor's answer to one call
// (kFailed for a failed call).
std::string kyc_screening_body(const ScreeningCall& c);
VendorAnswer parse_vendor_answer(const std::string& vendor, uint64_t screening_id, int status,
                                 const std::string& body, const std::string& transport_error);

}  // namespace inplay
