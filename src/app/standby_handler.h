// StandbyHandler: what a standby book (`inplay serve --standby`) answers on
// its HTTP port while it follows the leader's journal. It serves nothing
// that needs the engine (the standby's engine is replaying):
//   GET /healthz   200 {"status":"ok","role":"standby"}
//   GET /readyz    503 NOT_LEADER with the follower's progress
//                  (applied_seq, state_hash, lag, silent_ms, caught_up):
//                  a load balancer sends no traffic here
//   GET /metrics   the book's registry (role, lag, commit latency ...)
//   anything else  503 NOT_LEADER, Retry-After: 1 — send it to the leader
//                  (nothing was changed; a retry with the same
//                  Idempotency-Key there gets the one answer)
// On takeover the runtime stops this server and starts the book's API on
// the same port. Thread-safe.
#pragma once
#include "app/book_role.h"
#include "http/server.h"
#include "telemetry/metrics.h"

namespace inplay {

class StandbyHandler : public HttpHandler {
 public:
  StandbyHandler(const BookRole& role, const MetricsRegistry& metrics) : role_(role), metrics_(metrics) {}
  void handle(HttpRequest&& req, Responder respond) override;

 private:
  const BookRole& role_;
  const MetricsRegistry& metrics_;
};

}  // namespace inplay
