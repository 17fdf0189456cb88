// Api: the HTTP API of the book, /v1 (docs/api.md, docs/openapi.yaml).
//
// Runs on the HTTP I/O threads: authenticates (bearer token), checks the
// book is ready, then dispatches through the route table (http/route_table.h:
// route, method, role — in that order, for every route), validates, opens
// the gateway span (joining the caller's traceparent), masks the account id
// for telemetry, and hands a command to a desk (bet/, wallet/, market/,
// settle/, cashout/) or a
// read to the engine. It never touches book state itself: reads run as
// engine tasks too, and desks answer with an Outcome that http/views renders.
// A full engine queue answers 503 OVERLOADED with Retry-After at once
// (BET-5). While the journal cannot write, every request that needs the
// engine is refused 503 JOURNAL_UNAVAILABLE (Retry-After: 5) before it gets
// there, so nothing changes and nothing waits; /readyz says so, and says
// not ready until prices are fresh after a start. The public status page
// (GET /v1/status) is served before authentication, like the probes, from
// the status board (support/status_board.h), never through the engine.
// /metrics is served from a
// body rendered at most metrics_max_age ago (a flood of scrapes costs one
// render per max age); renders and trace queries run on an offload worker,
// never on the I/O thread that serves bets. Every answer carries `traceparent` with the
// gateway span's context.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bet/placement_desk.h"
#include "engine/engine.h"
#include "market/market_desk.h"
#include "wallet/wallet_desk.h"
#include "http/auth.h"
#include "http/server.h"
#include "telemetry/metrics.h"
#include "telemetry/pseudonym.h"
#include "telemetry/tracer.h"

namespace inplay {

class FeedDesk;
class IncidentLoop;
class SettleDesk;
class CashoutDesk;
class HedgeDesk;
class PaymentDesk;
class Journal;
class PriceReadiness;
class StatusBoard;
class ReconciliationBoard;
class SupportDesk;
class KycDesk;
struct Route;

struct ApiDeps {
  Engine& engine;
  MarketDesk& markets;   // operator controls and prices
  WalletDesk& wallet;    // deposits and withdrawals
  PlacementDesk& bets;   // bet placement
  SettleDesk& settle;    // results, dead letters, resettlement
  CashoutDesk& cashout;  // cash-out quotes and accepts
  const TokenStore& tokens;
  MetricsRegistry& metrics;
  Tracer& tracer;
  const Pseudonymizer& pseudonymizer;
  Clock& clock;
  const std::atomic<bool>& ready;  // set once replay is done and the engine runs
  FeedDesk* desk = nullptr;        // odds feeds (engine thread); nullptr: none
  IncidentLoop* incidents = nullptr;  // SLOs, alerts, incidents, actions (engine thread)
  SimClock* sim_clock = nullptr;      // `clock` when it is simulated (POST /v1/clock/advance)
  // The journal: while it cannot write, /readyz is 503 and every request
  // that needs the engine is refused 503 JOURNAL_UNAVAILABLE (nullptr: never).
  const Journal* journal = nullptr;
  // /metrics bodies are rendered again at most this often; 0: every scrape
  // (telemetry.metrics_max_age_ms).
  Nanos metrics_max_age{0};
  // /metrics scrapes served per second; past it 503 OVERLOADED; 0: no limit
  // (telemetry.metrics_scrapes_per_s).
  uint32_t metrics_per_second = 0;
  // Prices fresh after the start (engine thread; nullptr: not checked).
  PriceReadiness* price_readiness = nullptr;
  HedgeDesk* hedge = nullptr;  // hedge orders (engine thread); nullptr: none
  PaymentDesk* payments = nullptr;  // deposits and withdrawals through PSP routes; nullptr: none
  // route -> the secret its PSP signs callbacks with (POST /psp/callbacks/{route}).
  std::vector<std::pair<std::string, std::string>> psp_callback_secrets = {};
  SupportDesk* support = nullptr;  // customer contacts (engine thread); nullptr: none
  // The public status page (GET /v1/status, no token), any thread;
  // nullptr: always "operational".
  const StatusBoard* status_board = nullptr;
  // Each PSP route's last reconciliation (GET /v1/payments/reconciliation,
  // the war room's payments panel); nullptr: no payment routes.
  const ReconciliationBoard* reconciliation = nullptr;
  KycDesk* kyc = nullptr;  // KYC/AML screenings (engine thread); nullptr: none
  // The war room's journal panel, JSON (any thread): role, journal kind,
  // the standby as last heard (app/book_role.h). Empty: null.
  std::function<std::string()> journal_view = {};
};

class Api final : public HttpHandler {
 public:
  explicit Api(ApiDeps deps);
  ~Api() override;
  void handle(HttpRequest&& req, Responder respond) override;
  // Bet requests answered so far: (not 5xx, all) — the bet_errors SLI.
  std::pair<uint64_t, uint64_t> bet_request_totals() const;
  // Before the server starts: a route from outside the core (the simulated
  // world's fault hooks, sim/sim_routes.h).
  void add_route(Route r);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inplay
