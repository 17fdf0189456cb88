// KycTerms: the book's KYC/AML screening (`kyc:` in the config,
// docs/configuration.md, docs/kyc.md). New accounts and withdrawals over
// `withdrawal_threshold` are screened by the active vendor, or — while its
// circuit breaker is open or after it failed to answer — the next vendor in
// the list. Without vendors nothing is screened.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"

namespace inplay {

struct KycVendorTerms {
  std::string name;
  std::string url;                              // http://host:port, or "sim": a simulated vendor on loopback
  Nanos timeout{std::chrono::milliseconds(800)};  // one call
  int attempts = 2;                             // calls per vendor before failing over
  Nanos retry{std::chrono::milliseconds(50)};   // between attempts (doubling)
  int breaker_failures = 5;                     // consecutive failed calls that open the breaker
  Nanos breaker_open{std::chrono::seconds(10)}; // how long it stays open
  int threads = 4;                              // calls in flight at once
};

struct KycTerms {
  std::vector<KycVendorTerms> vendors;
  std::string active;                    // a vendor's name (default: the first)
  bool screen_new_accounts = true;       // every account opened by POST /v1/accounts
  int64_t withdrawal_threshold = 100000; // minor units: withdrawals above it wait for a screening
  Nanos review_within{std::chrono::hours(72)};  // a referred screening's review is due within
  bool enabled() const { return !vendors.empty(); }
};

}  // namespace inplay
