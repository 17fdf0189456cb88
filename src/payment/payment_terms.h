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
  int threads = 64;                            // calls in flight at once (each keeps its connection)
  std::string callback_secret;                 // HMAC key of the PSP's callbacks (X-Psp-Signature)
};

struct PaymentTerms {
  std::vector<PspRouteTerms> routes;
  std::string active;  // a route's name (default: the first)
  // T+0 reconciliation against each route's settlement report, this often
  // (real time), besides at every start and on demand (app/reconciler.h).
  Nanos reconcile_every{std::chrono::seconds(60)};
  // Not a config key: game days set it. The breakers' open time runs on the
  // book's clock instead of the steady one, so on the simulated clock a
  // breaker stays open for `breaker_open` of book time whatever the calls
  // cost in real time (a drill's route switch and revert come at the same
  // book second on every run). The calls' own timeouts stay real.
  bool breaker_on_book_clock = false;
  bool enabled() const { return !routes.empty(); }
};

}  // namespace inplay
