// SLO catalogue: the one versioned YAML file of service level objectives
// (SLO-1, BEY-4). It drives the built-in evaluator (slo/slo_evaluator.h) and
// the generated Prometheus rules (`inplay rules`).
//
// Each SLO names the user path it protects, an SLI (good events / valid
// events) of one kind, a target, a rolling budget period, the labels it may
// be sliced by, its runbook, and its burn-rate alerts (default: the Google
// SRE workbook's multiwindow, multi-burn-rate pairs). The SLI's `source` is
// a signal the process feeds (see docs/slo.md); a source whose hop has not
// landed yet is accepted and reports "no data".
//
// load_slo_file()/parse_slo_catalogue() validate everything at start and
// throw YamlError "<file>:<line>: <key>: <reason>".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace inplay {

enum class SliKind { kLatency, kAvailability, kFreshness, kCorrectness };
const char* sli_kind_name(SliKind k);

enum class Severity { kTicket, kPage };
const char* severity_name(Severity s);  // "ticket", "page"

// One multiwindow burn-rate alert: fires while the burn rate over BOTH the
// long and the short window is at least `burn_rate`.
struct BurnAlert {
  std::string tier;  // "fast", "slow", ... (the alert's tier label)
  Severity severity = Severity::kPage;
  int64_t long_s = 3600;
  int64_t short_s = 300;
  double burn_rate = 14.4;
};

// The recommended set of the Site Reliability Workbook (ch. 5 "Alerting on
// SLOs", "6: Multiwindow, multi-burn-rate alerts"), for a 30-day period:
// page at 14.4x over 1h/5m (2% of the budget) and 6x over 6h/30m (5%),
// ticket at 1x over 3d/6h (10%).
std::vector<BurnAlert> workbook_burn_alerts();

struct SliSpec {
  SliKind kind = SliKind::kAvailability;
  std::string source;         // bet_accept, bet_requests, market_prices, ...
  int64_t threshold_ms = 0;   // latency: good when at or under; 0: n/a
  int64_t per_market_cap = 0; // events per market per cap window; 0: no cap
  int64_t cap_window_s = 600; // BET-3: rolling 5-10 minutes
  bool stake_weighted = false;  // BEY-6: weight each event by its stake
};

struct SloSpec {
  std::string name;       // [a-z0-9_]+, unique
  std::string path;       // the user path it protects
  std::string description;
  SliSpec sli;
  double target = 0.999;  // (0, 1)
  int64_t period_s = 28 * 86400;
  std::vector<std::string> slice_by;  // labels the SLI may be sliced by
  std::string runbook;
  std::string service;    // the service label of its alerts (odds, bets, wallet, ...)
  std::vector<BurnAlert> burn_alerts;
  double error_budget() const { return 1.0 - target; }
};

// Threshold alerts of the catalogue that are not burn rates (staleness over
// its limit, parser error rate, drift, p99 over a bound, duplicate_tx, ...).
struct ThresholdAlertSpec {
  std::string name;     // alert name, unique among alerts
  std::string signal;   // what the process measures (see docs/slo.md)
  double above = 0;     // fires while signal > above ...
  int64_t for_s = 0;    // ... for at least this long
  Severity severity = Severity::kPage;
  std::string service;
  std::string summary;
  std::string runbook;
  bool top_markets_only = false;  // per-market signals: top leagues only
};

struct SloCatalogue {
  int version = 1;
  std::vector<SloSpec> slos;
  std::vector<ThresholdAlertSpec> alerts;
  const SloSpec* find(const std::string& name) const;
};

SloCatalogue parse_slo_catalogue(const std::string& yaml_text, const std::string& file_name);
SloCatalogue load_slo_file(const std::string& path);

// Sources and signals a catalogue may name.
bool slo_source_known(const std::string& source);
bool alert_signal_known(const std::string& signal);
// Known but not fed by any hop yet (wallet, settlement, cash-out, KYC): an
// SLO on such a source reads "not wired yet", an alert on such a signal can
// never fire — said in GET /v1/slos and `inplay rules`, never silently.
bool slo_source_wired(const std::string& source);
bool alert_signal_wired(const std::string& signal);

}  // namespace inplay
