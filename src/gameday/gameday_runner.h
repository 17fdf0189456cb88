// GamedayRunner: plays a Scenario against a real book in this process — the
// same Runtime `inplay serve` runs (engine, journal, feeds from the simulated
// world, bettors, the incident loop) — on the simulated clock, one second of
// book time per step (a 90-minute match day runs in seconds; same seed, same
// report), or in real time (--real-time, for a drill with traders watching).
// Faults are applied through the simulated providers' fault hooks at their
// second; every second it records accept p50/p99 (10 s window), the worst
// price-age ratio, firing alerts and incidents. At the end it checks the
// expectations and writes the report folder:
//   report.md   timeline of faults, alerts, incidents and actions; the
//               expectation results (value seen vs bound); the incidents
//   series.csv  the per-second series
//   chart.svg   accept p99 and price-age ratio, with marks where faults
//               began (red), alerts fired (orange) and actions ran (green)
// run_gameday() returns 0 when every expectation holds, 1 otherwise.
#pragma once
#include <string>

#include "gameday/scenario.h"

namespace inplay {

struct GamedayOptions {
  std::string out_dir = "gameday-report";
  bool real_time = false;
  bool progress = true;  // a progress line every 10 s of book time (stderr)
};

int run_gameday(const Scenario& s, const GamedayOptions& o);

}  // namespace inplay
