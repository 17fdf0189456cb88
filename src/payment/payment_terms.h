// PaymentTerms: the book's PSP routes (`payments:` in the config,
// docs/configuration.md, docs/payments.md). Deposits and withdrawals go
// through the active route, or — while its circuit breaker is open — the
// next route in the list whose breaker is closed; a payment stays on the
// route it was sent to (its idempotency key is that PSP's). Without routes
// the book takes no deposits or withdrawals (503 PAYMENT_ROUTE_UNAVAILABLE).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"

namespace inplay {

struct PspRouteTerms {
  std::string name;
  std::string url;                             // http://host:port, or "sim": a simulated PSP on loopback
  Nanos timeout{std::chrono::seconds(2)};      // one call
  int attempts = 3;                            // calls per send before "no answer"
  Nanos retry{std::chrono::milliseconds(100)}; // between attempts (doubling)
  int breaker_failures = 5;                    // consecutive failed calls that open the breaker
  Nanos breaker_open{std::chrono::seconds(10)};// how long it stays open before one call may try
  int threads = 8;                             // calls in flight at once
  std::string callback_secret;                 // HMAC key of the PSP's callbacks (X-Psp-Signature)
};

struct PaymentTerms {
  std::vector<PspRouteTerms> routes;
  std::string active;  // a route's name (default: the first)
  // T+0 reconciliation against each route's settlement report, this often
  // (real time), besides at every start and on demand (app/reconciler.h).
  Nanos reconcile_every{std::chrono::seconds(60)};
  bool enabled() const { return !routes.empty(); }
};

}  // namespace inplay
