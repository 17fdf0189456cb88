// GamedayRunner: plays a Scenario against a real book in this process — the
// same Runtime `inplay serve` runs (engine, journal, feeds from the simulated
// world, bettors, the incident loop) — on the simulated clock, one second of
// book time per step (a 90-minute match day runs in seconds; same seed, same
// report), or in real time (--real-time, for a drill with traders watching).
// Faults are applied at their second: feed faults through the simulated
// providers' hooks, bettor surges through the simulated crowd, engine CPU
// burn through the simulated engine's cost per bet (sim/sim_engine_cost.h),
// support-tag spikes through the simulated customers (sim/support_crowd.h),
// PSP faults through the simulated PSPs of the book's two payment routes
// (gameday/psp_drill.h: each second waits until the PSP calls sent in the
// one before have answered, real time, before the clock moves on). Every
// second it records a GamedayPoint (accept p50/p99 over 10 s, worst price
// age and drift, alerts, incidents, bets, each SLO's events and burn rate);
// an observer on the engine checks every accepted bet's price age at its
// decision. At the end it checks the expectations (gameday/expectations.h)
// and writes the report folder (gameday/report.h).
// run_gameday() returns 0 when every expectation holds, 1 otherwise; it
// throws YamlError for an expectation naming an SLO the SLO file lacks.
#pragma once
#include <string>

#include "gameday/scenario.h"

namespace inplay {

struct GamedayOptions {
  std::string out_dir = "gameday-report";
  bool real_time = false;
  bool progress = true;  // a progress line every 10 s of book time (stderr)
  // The book's own log lines go to <out_dir>/book.log, never to the terminal.
};

int run_gameday(const Scenario& s, const GamedayOptions& o);

}  // namespace inplay
