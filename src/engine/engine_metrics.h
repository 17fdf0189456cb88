// EngineMetrics: the metric families of the engine, bet path and wallet,
// registered once and bound so that recording is a relaxed atomic add.
// Names and units per docs/observability.md.
#pragma once
#include <array>
#include <string_view>

#include "core/error.h"
#include "telemetry/metrics.h"

namespace inplay {

struct EngineMetrics {
  explicit EngineMetrics(MetricsRegistry& r);

  Histogram* accept_latency;        // bet_accept_latency_seconds
  Histogram* synthetic_accept_latency;  // synthetic_accept_latency_seconds
  Histogram* inplay_delay;          // bet_inplay_delay_seconds (the deliberate delay, for contrast)
  Counter* accepted;                // bets_total{outcome="accepted",code=""}
  Family<Counter>* bets;            // bets_total{outcome,code}
  Gauge* queue_depth;               // engine_queue_depth
  Histogram* queue_lag;             // engine_queue_lag_seconds
  Counter* shed;                    // engine_shed_total (queue full, and every admission refusal)
  Counter* refused_deadline;        // admission_refusals_total{reason="deadline"}
  Counter* refused_queue_delay;     // admission_refusals_total{reason="queue_delay"}
  Gauge* admission_dropping;        // admission_dropping (1 while the queue-delay gate refuses bets)
  Counter* busy_ns;                 // engine_busy_seconds_total (ns inside)
  Gauge* pending_bets;              // bets_pending (in delay or awaiting a price)
  Family<Counter>* wallet;          // wallet_movements_total{reason}
  Gauge* ledger_sum;                // ledger_sum_minor (must stay 0)
  Gauge* open_bets;                 // bets_open
  Counter* price_updates;           // odds_updates_applied_total
  Counter* idem_stored;             // idempotency_repeats_total{answer="stored"}
  Counter* idem_joined;             // idempotency_repeats_total{answer="joined"}

  Counter& rejected(ErrorCode c);
  // engine_failures_total{where}: task, timer, housekeeping, after_durable,
  // refusal, and a desk's own catch (commit, bet).
  Counter& failures(std::string_view where) { return failures_->with({std::string(where)}); }

 private:
  std::array<Counter*, 64> rejected_{};
  Family<Counter>* failures_;
};

}  // namespace inplay
