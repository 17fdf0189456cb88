// Api: the HTTP API of the book, /v1 (docs/api.md, docs/openapi.yaml).
//
// Runs on the HTTP I/O threads: authenticates (bearer token and role),
// validates, opens the gateway span (joining the caller's traceparent),
// masks the account id for telemetry, and hands a command to the Engine. It
// never touches book state itself: reads run as engine tasks too. A full
// engine queue answers 503 OVERLOADED with Retry-After at once (BET-5).
// Every answer carries `traceparent` with the gateway span's context.
#pragma once
#include <atomic>
#include <memory>

#include "engine/engine.h"
#include "http/auth.h"
#include "http/server.h"
#include "telemetry/metrics.h"
#include "telemetry/pseudonym.h"
#include "telemetry/tracer.h"

namespace inplay {

class FeedDesk;
class SimWorld;
class IncidentLoop;

struct ApiDeps {
  Engine& engine;
  const TokenStore& tokens;
  MetricsRegistry& metrics;
  Tracer& tracer;
  const Pseudonymizer& pseudonymizer;
  Clock& clock;
  const std::atomic<bool>& ready;  // set once replay is done and the engine runs
  FeedDesk* desk = nullptr;        // odds feeds (engine thread); nullptr: none
  SimWorld* sim = nullptr;         // simulated providers' fault hooks; nullptr: none
  IncidentLoop* incidents = nullptr;  // SLOs, alerts, incidents, actions (engine thread)
};

class Api final : public HttpHandler {
 public:
  explicit Api(ApiDeps deps);
  ~Api() override;
  void handle(HttpRequest&& req, Responder respond) override;
  // Bet requests answered so far: (not 5xx, all) — the bet_errors SLI.
  std::pair<uint64_t, uint64_t> bet_request_totals() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inplay
