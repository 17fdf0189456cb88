// KycVendor: a simulated KYC/AML screening vendor (KYC-1), one per
// configured vendor whose url is sim, beside the simulated PSPs: a real
// HTTP server on loopback that screens the book's accounts and
// withdrawals, honours their idempotency keys and keeps its own record —
// what tests check "never screened twice" against.
//
//   POST /v1/screenings   Idempotency-Key (1..128 visible ASCII) and
//       {"screening_id","subject":"account"|"withdrawal","subject_ref",
//        "amount_minor"?,"currency"?}  screening_id: 1..128 of
//       [A-Za-z0-9._~:-]; subject_ref: 1..256 chars (a pseudonym, opaque).
//       A new key records a screening, vendor_ref "<name>-<n>", decided:
//       reject by reject_rate, else refer by refer_rate, else clear — and a
//       clear becomes refer by false_positive_rate ("possible_match").
//       200 {"screening_id","vendor_ref","result","reason"}. The same key
//       with the same screening_id: 200 with the recorded result (counted
//       in `requests`, never screened again); with another: 409
//       IDEMPOTENCY_KEY_REUSED. No key: 400 IDEMPOTENCY_KEY_MISSING; a bad
//       body: 400 BAD_REQUEST naming the field.
//   GET  /v1/screenings   {"screenings":[...]}: all, in vendor_ref order.
//   GET/POST /v1/faults   the faults below (POST: a patch; absent fields
//       stay; an unknown field or a bad value is 400 naming it).
//
// Faults (apply(), POST /v1/faults, or the book's operator API
// POST /v1/sim/kyc/{vendor}/faults): latency_ms (+ up to jitter_ms) before
// every answer (the screening is recorded at once); error_rate answers 503
// VENDOR_UNAVAILABLE before reading the request (nothing recorded); down
// answers everything but /v1/faults 503; refer_rate, reject_rate,
// false_positive_rate as above. Every random choice comes from one
// std::mt19937_64 seeded by `seed`, in request order.
//
// Threading: thread-safe; late answers go out from a delay thread. start()
// once, stop() once (the destructor stops).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "http/server.h"
#include "sim/delay_line.h"

namespace inplay {

struct KycVendorFaults {
  int64_t latency_ms = 20;
  int64_t jitter_ms = 30;
  double error_rate = 0.0;
  bool down = false;
  double refer_rate = 0.0;
  double reject_rate = 0.0;
  double false_positive_rate = 0.0;
};

struct KycVendorFaultPatch {
  std::optional<int64_t> latency_ms, jitter_ms;
  std::optional<double> error_rate, refer_rate, reject_rate, false_positive_rate;
  std::optional<bool> down;
};

// A fault patch from a JSON body: absent fields stay. Durations 0..600000
// ms, rates 0..1, down a boolean; an unknown field or a bad value is
// VALIDATION_FAILED naming it, a body that is not an object MALFORMED_REQUEST.
Result<KycVendorFaultPatch> parse_kyc_faults_body(std::string_view body);
std::string kyc_faults_json(const KycVendorFaults& f);

// A screening as the vendor records it.
struct VendorScreening {
  std::string vendor_ref;
  std::string screening_id;
  std::string idempotency_key;
  std::string subject;
  std::string subject_ref;
  int64_t amount_minor = 0;
  std::string result;  // clear, refer, reject
  std::string reason;
  int requests = 0;    // times its key was sent, the first included
};

class KycVendor final : public HttpHandler {
 public:
  // name: [A-Za-z0-9_.-]{1,64}. Throws std::invalid_argument otherwise.
  KycVendor(std::string name, uint64_t seed);
  ~KycVendor() override;
  KycVendor(const KycVendor&) = delete;
  KycVendor& operator=(const KycVendor&) = delete;

  uint16_t start();  // binds 127.0.0.1 on an ephemeral port
  void stop();
  const std::string& name() const { return name_; }
  std::string url() const;

  KycVendorFaults apply(const KycVendorFaultPatch& p);
  KycVendorFaults faults() const;
  std::vector<VendorScreening> screenings() const;
  std::string screenings_json() const;

  void handle(HttpRequest&& req, Responder respond) override;

 private:
  HttpResponse take_screening(const HttpRequest& req, int64_t& answer_ms);
  bool chance(double p);  // under mu_

  const std::string name_;
  mutable std::mutex mu_;
  KycVendorFaults faults_;
  std::vector<VendorScreening> entries_;
  std::unordered_map<std::string, size_t> by_key_;
  std::mt19937_64 rng_;
  DelayLine answers_{1, DelayLine::AtShutdown::kRun};
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

}  // namespace inplay
