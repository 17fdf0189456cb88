// Payment wiring (WAL-1, WAL-4): what a runtime adds for its PSP routes.
// The Runtime owns what it returns and keeps the order of start and stop
// (app/runtime.cpp); this file says how the parts join.
//
// connect_payment_routes(): a client per route of payments.routes (url
// "sim": the simulated world's PSP for that route; none there throws) as
// the payment desk's ports, each route's reconciliation board and the
// reconciler that fills it (started by the runtime once the engine runs);
// the payments a restart left unanswered are asked again (under their
// keys). Before the engine thread runs (the calling thread acts as it).
//
// watch_payments(): what the incident loop samples of the routes each tick
// (engine thread): psp_route_unavailable and psp_auth_failure_ratio (the
// last minute of the book's clock: payment/auth_failure_window.h) per route, the
// reconciliation's and the failure baseline's (app/payment_signals.h), the
// SLI wallet_auth per route. Before the incident loop starts.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/psp_client.h"
#include "core/clock.h"
#include "app/reconciler.h"
#include "payment/reconciliation_board.h"

namespace inplay {

class Clock;
struct Config;
class Engine;
class IncidentLoop;
class MetricsRegistry;
class PaymentDesk;
class RuntimeExtension;

struct PaymentRoutes {
  std::vector<std::unique_ptr<PspClient>> clients;  // one per route, in config order
  std::unique_ptr<ReconciliationBoard> reconciliation;
  std::unique_ptr<Reconciler> reconciler;
};

PaymentRoutes connect_payment_routes(const Config& cfg, const RuntimeExtension* ext, Engine& engine, Clock& clock,
                                     MetricsRegistry& metrics, PaymentDesk& desk);
void watch_payments(IncidentLoop& loop, PaymentDesk& desk, const PaymentRoutes& routes, const Clock& book_clock);
// route -> the secret its PSP signs callbacks with (the API checks them).
std::vector<std::pair<std::string, std::string>> psp_callback_secrets(const Config& cfg);

}  // namespace inplay
