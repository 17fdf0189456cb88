// Prometheus rules from the SLO catalogue (BEY-4): the same file that drives
// the built-in evaluator generates
//  - recording rules slo:error_ratio:rate<window> per SLO and burn window,
//    over slo_events_total{slo,kind="good"|"valid"} (exported by Inplay);
//  - one "slo_burn" alert per SLO and severity: the page tiers OR'ed into
//    one rule, the ticket tiers into another (Alertmanager inhibits the
//    ticket while the page fires: one alert per SLO, never one per tier);
//  - the catalogue's threshold alerts whose signal has a metric today
//    (signals of hops not landed yet are listed as skipped);
//  - promtool unit tests for every generated alert (fires at 100% errors,
//    silent at 0%).
// Output is deterministic (same catalogue, same bytes).
#pragma once
#include <string>
#include <vector>

#include "slo/slo_spec.h"

namespace inplay {

// "5m", "30s", "6h", "3d": the largest unit that divides the duration.
std::string prometheus_duration(int64_t seconds);

std::string prometheus_rules_yaml(const SloCatalogue& c);
std::string promtool_tests_yaml(const SloCatalogue& c, const std::string& rules_file);
// Threshold alerts not generated (no metric yet), for the CLI to report.
std::vector<std::string> skipped_threshold_alerts(const SloCatalogue& c);

}  // namespace inplay
