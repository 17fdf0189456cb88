// IncidentLoop: the loop that turns signals into action (SLO-1, INC-1..4):
// every second of book time, on the engine thread, it
//   1. samples the book and the feed desk (price age per open in-play
//      market, feeds down, parser error ratio, schema skew, drift flags,
//      accept p99) and feeds the SLO evaluator;
//   2. evaluates the catalogue's threshold and burn-rate alerts;
//   3. runs the alert pipeline (dedupe, inhibit, group, High Exposure) over
//      those and the alerts received from Alertmanager;
//   4. hands the group notifications to the notifiers (off the engine
//      thread) and to the playbook runner, which opens incidents and acts;
//      then works out each unresolved incident's impact (its markets and
//      the liability on them: playbook/incident_impact.h);
//   5. publishes slo_* / alerts_* / incidents_* metrics and the status-page
//      notes of the unresolved incidents (support/status_board.h).
// Bet decisions reach it through Engine's decision observer (on_bet).
// The API reads its state through the *_json() methods, on the engine
// thread like everything here.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "alert/alert_pipeline.h"
#include "alert/alert_rules.h"
#include "bet/placement_desk.h"
#include "engine/engine.h"
#include "feed/feed_desk.h"
#include "playbook/book_action_port.h"
#include "playbook/market_load.h"
#include "playbook/playbook_runner.h"
#include "playbook/slo_coverage.h"
#include "slo/latency_shift.h"
#include "slo/rolling_counts.h"
#include "slo/slo_evaluator.h"
#include "support/status_board.h"
#include "telemetry/metrics.h"
#include "telemetry/tracer.h"

namespace inplay {

struct IncidentLoopOptions {
  std::set<std::string> top_leagues{"EPL"};
  std::string external_url = "http://127.0.0.1:8080";  // links in notifications
  int64_t slow_trace_ns = 250'000'000;                 // bad traces for the slice finder
  bool builtin_alerts = true;  // false: only alerts received from Alertmanager drive the pipeline
  int64_t received_alert_ttl_ns = 5LL * 60 * 1'000'000'000;  // Alertmanager's resolve_timeout
  int64_t deploy_guard_match_ns = 2LL * 3600 * 1'000'000'000;  // a match lasts at most this
};

class IncidentLoop {
 public:
  // post(url, body): queue a notification for delivery (must not block).
  using Post = std::function<void(const std::string& url, const std::string& body)>;
  IncidentLoop(MarketDesk& markets, PlacementDesk& bets, FeedDesk* desk, Tracer& tracer, MetricsRegistry& metrics,
               SloCatalogue slos, PlaybookFile playbooks, IncidentLoopOptions opts, Post post);

  // Registers the once-a-second timer and the engine's bet observer. Before
  // the engine thread runs (or on it).
  void schedule();
  // Cumulative (good, valid) bet requests: good = not 5xx (any thread).
  void set_bet_request_totals(std::function<std::pair<uint64_t, uint64_t>()> fn) { bet_totals_ = std::move(fn); }
  // The synthetic checks' consecutive failed rounds (signal
  // synthetic_failed_rounds). Before start().
  void set_synthetic_failed_rounds(std::function<int64_t()> fn) { synthetic_failed_ = std::move(fn); }
  // Settlement as the loop samples it once a second (engine thread): the
  // shadow check's cumulative totals (SLI settlement_correct), the
  // dead-letter depth (signal dlq_growth: its rise over a minute) and the
  // provider time of the oldest result whose bets are not all paid yet
  // (-1: none; with the last settled markets' lags, signal
  // settlement_lag_seconds).
  struct SettlementProbe {
    uint64_t shadow_matched = 0, shadow_checked = 0;
    int64_t dlq_depth = 0;
    int64_t oldest_unpaid_result_ms = -1;
  };
  void set_settlement_probe(std::function<SettlementProbe()> fn) { settlement_probe_ = std::move(fn); }
  // Engine thread: a market's bets are all paid, lag_ns after its result's
  // provider timestamp (SLI settlement_lag).
  void on_market_settled(uint64_t market_id, uint64_t event_id, int64_t lag_ns);
  // Engine thread: one cash-out quote asked (CO-2): an offer from a price
  // freshness_ns old (SLI cashout_quotes), or refused — stale: for its price
  // (signal cashout_stale_ratio: quotes refused PRICE_STALE over quotes
  // asked in the last minute, once at least 10 were asked). A synthetic
  // check's quote counts in neither (REL-1).
  void on_cashout_quote(uint64_t event_id, bool offered, bool stale, int64_t freshness_ns, bool synthetic);
  // Engine thread: a market re-priced by the active feed, latency_ns after
  // its provider timestamp (SLI odds_updates, ODDS-2).
  void on_odds_update(uint64_t market_id, const std::string& feed, int64_t latency_ns);
  // Engine thread: a customer contact's first agent reply, first_reply_ns
  // after it opened, on a channel the support terms judge (SLI
  // support_replies, SUP-1).
  void on_support_reply(int64_t first_reply_ns);
  // Engine thread: a KYC screening answered by a vendor took_ns after it was
  // first sent (SLI kyc_screening, KYC-1).
  void on_kyc_screening(int64_t took_ns);
  // Before start(): where the public status page's notes go.
  void set_status_board(StatusBoard* board) { status_board_ = board; }
  // Engine thread: the unresolved incidents' published notes to the status
  // board (each tick, and after an operator changes a note).
  void publish_status_page();
  // More signals from outside the book, sampled every tick (the journal's
  // and the disk's: journal_unwritable, disk_used_ratio). Before start().
  using SignalSource = std::function<void(std::vector<SignalSample>& out)>;
  void add_signal_source(SignalSource fn) { signal_sources_.push_back(std::move(fn)); }
  // The payment desk the playbooks' switch_psp_route acts on. Before start().
  void set_payments(PaymentDesk* payments) { port_.set_payments(payments); }
  // The KYC desk the playbooks' switch_kyc_vendor and pause_kyc_rule act on. Before start().
  void set_kyc(KycDesk* kyc) { port_.set_kyc(kyc); }
  // Cumulative (good, valid) totals of an SLI source fed from outside the
  // loop, per PSP route when it has one (e.g. wallet_auth from the payment
  // desk), sampled every tick on the engine thread. Before start().
  struct TotalsSample {
    std::string source;
    std::string psp_route;
    uint64_t good = 0, valid = 0;
  };
  using TotalsSource = std::function<void(std::vector<TotalsSample>& out)>;
  void add_totals_source(TotalsSource fn) { totals_sources_.push_back(std::move(fn)); }

  // Engine thread.
  void tick();
  // Journals every incident that changed since it was last journaled
  // (IncidentSaved): at the end of each tick and after an operator's
  // action (include_settled: resolved ones too), so a restart finds the
  // incidents as they were.
  void save_incidents(bool include_settled = false);
  void receive(std::vector<Alert> alerts);  // from an Alertmanager webhook
  PlaybookRunner& runner() { return *runner_; }
  const SloEvaluator& evaluator() const { return evaluator_; }
  const AlertPipeline& pipeline() const { return pipeline_; }
  const std::vector<Alert>& firing() const { return firing_; }
  int64_t now_ns() const;

  // Engine thread: JSON for the API.
  std::string slos_json() const;
  std::string alerts_json() const;
  std::string incidents_json() const;
  std::string incident_json(uint64_t id) const;  // "" when unknown
  std::string actions_json() const;              // manual and budget-guard actions
  // INC-4: blocked while a top-league match is in play or kicks off within
  // `within_ns`; `why` lists the matches.
  bool deploy_blocked(int64_t within_ns, std::string& json) const;

 private:
  TimerPtr timer_;  // the once-a-second tick
  void sample(int64_t now_ns, std::vector<SignalSample>& out);
  void publish_metrics();
  std::pair<std::string, std::vector<std::string>> slice_for(int64_t since_ns);
  static constexpr uint64_t kMinBadTracesForSlice = 5;

  Engine& engine_;
  PlacementDesk& bets_;
  FeedDesk* desk_;
  Tracer& tracer_;
  IncidentLoopOptions opts_;
  Post post_;
  SloCatalogue catalogue_;
  SloEvaluator evaluator_;
  SloCoverage coverage_;  // how much of each SLO's period has data
  AlertRules rules_;
  AlertPipeline pipeline_;
  BookActionPort port_;
  std::unique_ptr<PlaybookRunner> runner_;
  std::function<std::pair<uint64_t, uint64_t>()> bet_totals_;
  std::function<int64_t()> synthetic_failed_;
  std::function<SettlementProbe()> settlement_probe_;
  template <typename Wants>
  void sample_settlement(int64_t now, std::vector<SignalSample>& out, const Wants& wants);
  struct SettlementWindow {
    std::deque<std::pair<int64_t, int64_t>> dlq_depth;     // (second, depth), the last minute
    std::deque<std::pair<int64_t, uint64_t>> mismatches;   // (second, shadow mismatches so far), 15 min
    std::deque<std::pair<int64_t, int64_t>> lags_ns;       // (second, lag) of markets settled, 1 min
  } settlement_;
  std::vector<SignalSource> signal_sources_;
  std::vector<TotalsSource> totals_sources_;
  StatusBoard* status_board_ = nullptr;
  std::map<std::string, double> min_above_;  // signal -> lowest bound of any rule
  struct FeedWindow {
    uint64_t last_ok = 0, last_err = 0;
    RollingCounts window{{60}};
    // The feed_parse_success SLI's totals: lines read while the feed was its
    // sport's active one (a standby's errors are the parser-error alert's).
    uint64_t active_ok = 0, active_valid = 0;
  };
  std::map<std::string, FeedWindow> feed_windows_;
  // ODDS-3: each active feed's update-latency p95 against its baseline
  // (signal odds_update_p95_shift), by feed name.
  struct FeedShift {
    std::string sport;
    LatencyShift shift;
  };
  std::map<std::string, FeedShift> latency_shift_;
  struct MarketOffers {
    uint64_t event_id;
    RollingCounts counts;  // one window: bets offered (valid) per second
  };
  std::unordered_map<uint64_t, MarketOffers> market_offers_;  // markets offered bets lately
  RollingCounts cashout_quotes_{{60}};  // per second: good = refused stale, valid = asked
  MarketLoad market_load_;  // markets' share of the engine's decisions (market_engine_share)
  std::map<uint64_t, Alert> received_;  // fingerprint -> alert (from Alertmanager)
  std::map<uint64_t, int64_t> received_at_;
  std::vector<Alert> firing_;
  std::map<uint64_t, std::string> saved_;  // incident -> snapshot last journaled
  std::set<uint64_t> settled_;             // journaled as resolved
  // metrics
  std::vector<uint64_t> queue_lag_seen_;  // engine_queue_lag_seconds at the last tick
  Family<Gauge>* sli_;
  Family<Gauge>* has_data_;
  Family<Gauge>* budget_;
  Family<Gauge>* burn_;
  Family<Gauge>* alerts_firing_;
  Counter* notifications_;
  Counter* inhibited_;
  Counter* rate_limited_;
  Gauge* incidents_open_;
  Family<Counter>* actions_;
  Gauge* tick_ns_;
  Family<Counter>* slo_events_;
  Family<Gauge>* staleness_ratio_;
  std::map<std::string, std::pair<uint64_t, uint64_t>> slo_events_published_;  // slo -> (good, valid)
  std::set<uint64_t> staleness_published_;  // markets with a ratio gauge
  uint64_t inhibited_seen_ = 0, rate_limited_seen_ = 0;
  std::map<uint64_t, size_t> actions_seen_;  // incident -> actions already counted
};

}  // namespace inplay
