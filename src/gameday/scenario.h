// Scenario: one game day in a YAML file (issue 7, REL-2, BEY-3) — the world
// (matches, seed, start time), the load, a timeline of faults and the
// expectations checked at the end. `inplay gameday FILE` runs it
// (gameday/gameday_runner.h). A file with an error fails at load with
// "<file>:<line>: <key>: <reason>" (YamlError).
//
//   name: halftime
//   seed: 11
//   start: "2026-11-28T15:00:00Z"
//   duration: 90s
//   matches:
//     - {league: EPL, home: Arsenal, away: Chelsea, minute: 44}   # in play, 44' played
//     - {league: EPL, home: Brighton, away: Fulham, kickoff_in: 20m}
//   load: {bets_per_second: 3}
//   faults:
//     - {at: 30s, feed: football-primary, skew_leagues: [EPL], skew_version: "2.0"}
//   expect:
//     - {alert: odds_stale, within: 10s}          # of the first fault
//     - {incidents: 1}
//     - {action: switch_feed, within: 10s}
//     - {slice_contains: "league=EPL"}
//     - {p99_below: 250ms, from: 30s}             # seconds after the first fault
//     - {no_alert: accept_p99_high}
//     - {ledger_sums_to_zero: true}
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/feed_provider.h"

namespace inplay {

struct ScenarioMatch {
  std::string league, home, away;
  int64_t minute = -1;      // minutes played at the start (in play); -1: not started
  int64_t kickoff_in_s = 0; // when not in play: seconds from the start to kick-off
  double lambda_home = 1.5, lambda_away = 1.2;
};

struct ScenarioFault {
  int64_t at_s = 0;
  std::string feed;  // a simulated provider: football-primary, -backup, -reference
  FeedFaultPatch change;  // a skew is a version skew (default version "2.0")
  std::string describe() const;  // "30s football-primary: skew EPL -> 2.0"
};

struct Expectation {
  enum class Kind { kAlert, kNoAlert, kIncidents, kAction, kSliceContains, kP99Below, kLedgerZero };
  Kind kind = Kind::kIncidents;
  std::string name;       // alert / action name, slice text
  int64_t within_s = 0;   // kAlert, kAction: after the first fault
  int64_t count = 0;      // kIncidents
  int64_t bound_ms = 0;   // kP99Below
  int64_t from_s = 0;     // kP99Below: from this long after the first fault to the end
  int line = 0;           // in the file, for messages
  std::string describe() const;
};

struct Scenario {
  std::string name, description;
  uint64_t seed = 42;
  int64_t start_ms = 0;
  int64_t duration_s = 60;
  std::vector<ScenarioMatch> matches;
  double bets_per_second = 3;
  std::vector<ScenarioFault> faults;  // sorted by at_s
  std::vector<Expectation> expect;
  std::string slo_file, playbook_file;  // "" = shipped
};

Scenario parse_scenario(const std::string& yaml_text, const std::string& file_name);
Scenario load_scenario(const std::string& path);

}  // namespace inplay
