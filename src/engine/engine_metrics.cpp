#include "engine/engine_metrics.h"

namespace inplay {

EngineMetrics::EngineMetrics(MetricsRegistry& r) {
  auto lat = default_latency_bounds_ns();
  accept_latency = &MetricsRegistry::series(
      r.histogram("bet_accept_latency_seconds",
                  "Server-side bet accept latency: gateway span start to the final risk decision, "
                  "less the deliberate in-play delay (BET-3)",
                  {}, lat, Unit::kSeconds),
      {});
  synthetic_accept_latency = &MetricsRegistry::series(
      r.histogram("synthetic_accept_latency_seconds",
                  "Accept latency of synthetic checks' bets, measured as bet_accept_latency_seconds "
                  "(which leaves them out)",
                  {}, lat, Unit::kSeconds),
      {});
  inplay_delay = &MetricsRegistry::series(
      r.histogram("bet_inplay_delay_seconds",
                  "Deliberate in-play delay plus price confirmation wait of delayed bets", {},
                  {500000000, 1000000000, 2000000000, 3000000000, 5000000000, 6000000000,
                   8000000000, 10000000000},
                  Unit::kSeconds),
      {});
  bets = &r.counter("bets_total", "Bet decisions by outcome and reject code", {"outcome", "code"});
  accepted = &bets->with({"accepted", ""});
  queue_depth = &r.gauge("engine_queue_depth", "Commands waiting in the engine's inbound queue").with({});
  queue_lag = &MetricsRegistry::series(
      r.histogram("engine_queue_lag_seconds", "Time a command waited in the engine queue", {}, lat,
                  Unit::kSeconds),
      {});
  shed = &r.counter("engine_shed_total",
                    "Requests shed with 503: the engine queue was full, or admission control refused a bet "
                    "(admission_refusals_total says which)")
              .with({});
  auto& refusals = r.counter("admission_refusals_total",
                             "Bets refused 503 by admission control, by reason: deadline (DEADLINE_EXCEEDED, taken "
                             "after the request's deadline) or queue_delay (OVERLOADED at the edge while the "
                             "queue-delay gate drops)",
                             {"reason"});
  refused_deadline = &refusals.with({"deadline"});
  refused_queue_delay = &refusals.with({"queue_delay"});
  admission_dropping =
      &r.gauge("admission_dropping", "1 while the queue-delay gate refuses new bets (sojourn over target for an interval)")
           .with({});
  busy_ns = &r.counter("engine_busy_nanoseconds_total", "Time the engine thread spent working").with({});
  pending_bets = &r.gauge("bets_pending", "Bets inside their in-play delay or awaiting a price").with({});
  wallet = &r.counter("wallet_movements_total", "Ledger transfers by reason", {"reason"});
  ledger_sum = &r.gauge("ledger_sum_minor", "Sum of all ledger balances; anything but 0 is a bug").with({});
  open_bets = &r.gauge("bets_open", "Accepted bets not yet settled").with({});
  price_updates = &r.counter("odds_updates_applied_total", "Price updates applied to the book").with({});
  auto& repeats = r.counter("idempotency_repeats_total",
                            "Repeats of an Idempotency-Key with the same request: answered with the stored "
                            "response, or joined to the request still in flight (one decision for all)",
                            {"answer"});
  idem_stored = &repeats.with({"stored"});
  idem_joined = &repeats.with({"joined"});
  failures_ = &r.counter("engine_failures_total",
                         "Exceptions the engine thread caught in its own work, by where (task, timer, "
                         "housekeeping, after_durable, refusal): each is logged and its command refused",
                         {"where"});
}

Counter& EngineMetrics::rejected(ErrorCode c) {
  size_t i = static_cast<size_t>(c);
  if (!rejected_[i]) rejected_[i] = &bets->with({"rejected", std::string(error_code_name(c))});
  return *rejected_[i];
}

}  // namespace inplay
