// The game-day report folder, written from a GamedayRecord and the
// expectation results:
//   report.md            result, expectations (value seen vs bound), the
//                        timeline of faults, alerts, incidents and actions,
//                        the incidents (impact: markets and peak live
//                        liability; their timelines carry the budget
//                        guards' actions on what they concern), the actions
//                        tied to no incident (budget guards' caps and delays,
//                        when they acted and relaxed), links to the charts and
//                        post-mortems;
//                        a book that takes payments: each PSP route's calls
//                        and its end-of-day reconciliation
//   series.csv           the per-second series (accept p50/p99, price age,
//                        drift, alerts, incidents, bets, each SLO's SLI
//                        events and fast burn rate)
//   latency.svg          accept p50/p99 (10 s window)
//   freshness.svg        worst price age / limit and worst drift
//   burn.svg             each SLO's fast-tier burn rate (those with events)
//   postmortem-<id>.md   the playbook's post-mortem of each incident
//   book.log             the book's structured log (written by the runner)
// Every chart (gameday/svg_chart.h) marks where faults began (red), alerts
// fired (orange), incidents opened (blue) and actions ran (green), each line
// numbered and named in a key under the plot, with a legend and axes in the
// chart's unit. Nothing in it depends on
// the wall clock except the "Wall time" line of report.md.
#pragma once
#include <string>
#include <vector>

#include "gameday/expectations.h"
#include "gameday/gameday_record.h"
#include "gameday/scenario.h"

namespace inplay {

struct ReportContext {
  const Scenario& scenario;
  const GamedayRecord& record;
  const std::vector<ExpectationResult>& results;
  bool real_time = false;
};

void write_gameday_report(const std::string& out_dir, const ReportContext& c);

}  // namespace inplay
