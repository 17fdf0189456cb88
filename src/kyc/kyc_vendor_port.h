// KycVendorPort: one KYC/AML screening vendor, reached over its own
// protocol (app/kyc_client.h speaks HTTP to it). screen() hands a
// screening over and returns at once; the answer comes later, from any
// thread, exactly once per call. The port makes its attempts (each bounded
// by the vendor's timeout) under the screening's idempotency key
// (screening_key: "scr-<id>"), which the vendor honours, so asking again —
// after a timeout, at a restart — never screens twice at that vendor.
// available() is false while the vendor's circuit breaker is open. The
// vendor sees the account's pseudonym, never its id (no PII leaves).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace inplay {

struct ScreeningCall {
  uint64_t screening_id = 0;
  std::string subject;      // "account" or "withdrawal"
  std::string subject_ref;  // the account's pseudonym
  int64_t amount = 0;       // a withdrawal's amount (minor units); 0 for an account
  std::string currency;
};

struct VendorAnswer {
  // kClear, kRefer (a possible match: manual review), kReject: the
  // vendor's word. kFailed: no answer we can trust after every attempt.
  enum class Kind : uint8_t { kClear = 1, kRefer = 2, kReject = 3, kFailed = 4 };
  uint64_t screening_id = 0;
  std::string vendor;
  Kind kind = Kind::kFailed;
  std::string vendor_ref;
  std::string detail;   // the vendor's reason, or what went wrong
  int attempts = 0;     // calls made (0: never sent)
  int64_t took_ns = 0;  // from the call to the answer (steady clock)
};

const char* vendor_answer_name(VendorAnswer::Kind k);  // "clear", "refer", "reject", "failed"

class KycVendorPort {
 public:
  virtual ~KycVendorPort() = default;
  virtual const std::string& vendor() const = 0;
  // Any thread: false while the vendor's breaker is open.
  virtual bool available() const = 0;
  // Any thread; never blocks. `answer` runs on the port's thread.
  virtual void screen(ScreeningCall call, std::function<void(VendorAnswer)> answer) = 0;
};

}  // namespace inplay
