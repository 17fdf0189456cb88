// Scenario: one game day in a YAML file (issue 7, REL-2, BEY-3) — the world
// (matches, seed, start time), the load, a timeline of faults and the
// expectations checked at the end. `inplay gameday FILE` runs it
// (gameday/gameday_runner.h). A file with an error fails at load with
// "<file>:<line>: <key>: <reason>" (YamlError) — a misspelt key at the typo,
// a league no match plays (skew_leagues, an alert's labels) and, in
// load_scenario, an alert or SLO its SLO file does not define: a scenario
// that cannot pass is refused before it runs, not after.
//
//   name: halftime
//   seed: 11
//   start: "2026-11-28T15:00:00Z"
//   duration: 90s
//   matches:
//     - {league: EPL, home: Arsenal, away: Chelsea, minute: 44}   # in play, 44' played
//     - {league: EPL, home: Brighton, away: Fulham, kickoff_in: 20m}
//   engine: {bet_cost: 4ms}     # simulated engine thread: 250 bets/s at most
//   load:
//     bets_per_second: 3          # the crowd's base rate over the book
//     wave_factor: 5              # x at kick-off, goals, half-time (a minute)
//     cashouts_per_second: 0.5    # the crowd's cash-outs of its open bets (quote, then take it)
//     market_mix: {match_result: 60, total_goals: 25, btts: 15}   # weights
//     stake_median_minor: 1000    # log-normal stakes around it
//     accounts: 50                # the crowd's accounts, each funded with £100,000
//     steps: [{at: 10m, bets_per_second: 6}]
//     support_contacts_per_minute: 6  # customers writing in to support (sim/support_crowd.h); default 0
//     payments_per_minute: 30     # the crowd's deposits and withdrawals through the PSP routes; default 0
//   faults:                       # each names one of feed, surge, engine, support_tag_spike, psp, kyc
//     - {at: 30s, feed: football-primary, skew_leagues: [EPL], skew_version: "2.0"}
//     - {at: 40s, surge: {match: 1, market: match_result, bets_per_second: 150, for: 60s}}
//     - {at: 50s, engine: {bet_cost: 10ms}}      # CPU burn on the engine thread
//     - {at: 20m, support_tag_spike: {tag: delay, contacts_per_minute: 30, for: 5m}}  # customers write in
//     - {at: 5m, psp: {route: psp-a, latency_ms: 1500, error_rate: 0.3, for: 5m}}  # a slow, failing PSP
//     - {at: 3m, kyc: {vendor: kyc-a, error_rate: 1.0, for: 5m}}  # a KYC vendor down (gameday/kyc_drill.h)
//   expect:                       # gameday/expectation_spec.h
//     - {alert: odds_stale, within: 10s}          # of the first fault
//     - {incidents: 1}
//     - {action: switch_feed, within: 10s}
// Feed faults may also break results: {at: 10s, feed: football-primary,
//   results_late: 20s, results_wrong_first: true, results_withheld: true,
//   results_skew: true} (sim/feed_faults.h, ResultFaults).
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gameday/expectation_spec.h"
#include "sim/feed_provider.h"
#include "sim/kyc_vendor.h"
#include "sim/psp_server.h"

namespace inplay {

struct ScenarioMatch {
  std::string league, home, away;
  int64_t minute = -1;      // minutes played at the start (in play); -1: not started
  int64_t kickoff_in_s = 0; // when not in play: seconds from the start to kick-off
  double lambda_home = 1.5, lambda_away = 1.2;
};

struct ScenarioFault {
  enum class Kind { kFeed, kSurge, kEngine, kSupportSpike, kPsp, kKyc };
  Kind kind = Kind::kFeed;
  int64_t at_s = 0;
  // kFeed: a simulated provider (football-primary, -backup, -reference).
  std::string feed;
  FeedFaultPatch change;  // a skew is a version skew (default version "2.0")
  // kSurge: a crowd on one market of a match (1-based in `matches`).
  size_t match = 0;
  std::string market;  // match_result, total_goals, btts
  double bets_per_s = 0;
  int64_t for_s = 0;
  // kEngine: the simulated engine's cost per bet from now on.
  int64_t bet_cost_ms = 0;
  // kSupportSpike: customers write in about `tag` (a tag of the support
  // terms) at contacts_per_min more for for_s.
  std::string tag;
  double contacts_per_min = 0;
  // kPsp: the simulated PSP of a payment route (psp-a, psp-b) gets these
  // faults (sim/psp_server.h) for for_s; then each field goes back to what
  // it was.
  std::string route;
  PspFaultPatch psp;
  // kKyc: the simulated KYC vendor (kyc-a, kyc-b) gets these faults
  // (sim/kyc_vendor.h) for for_s; then each field goes back.
  std::string vendor;
  KycVendorFaultPatch kyc;
  std::string describe() const;  // "30s football-primary: skew EPL -> 2.0"
};

// The market index of a surge's market name in football_markets().
size_t surge_market_index(const std::string& market);

struct Scenario {
  std::string file;  // where it was read from, for messages
  std::string name, description;
  uint64_t seed = 42;
  int64_t start_ms = 0;
  int64_t duration_s = 60;
  std::vector<ScenarioMatch> matches;
  double bets_per_second = 3;
  double wave_factor = 5;
  double cashouts_per_second = 0.5;
  std::array<double, 3> market_mix{0.60, 0.25, 0.15};  // match_result, total_goals, btts
  int64_t stake_median_minor = 1000;
  int64_t accounts = 50;  // the crowd's accounts, £100,000 each
  struct LoadStep {
    int64_t at_s;
    double bets_per_second;
  };
  std::vector<LoadStep> load_steps;  // sorted by at_s
  double support_contacts_per_minute = 0;  // the simulated customers who write in to support
  double payments_per_minute = 0;  // the crowd's deposits and withdrawals (load.payments_per_minute)
  // The book pays through two simulated PSP routes, psp-a (active) and
  // psp-b, when the crowd pays or a fault names a PSP.
  bool payments() const;
  // The book screens big withdrawals with two simulated KYC vendors, kyc-a
  // (active) and kyc-b, when a fault names a vendor (and then pays too).
  bool kyc() const;
  int64_t bet_cost_ms = 0;           // engine.bet_cost; 0: free
  std::vector<ScenarioFault> faults;  // sorted by at_s
  std::vector<Expectation> expect;
  std::string slo_file, playbook_file;  // "" = shipped
};

struct SloCatalogue;

Scenario parse_scenario(const std::string& yaml_text, const std::string& file_name);
// parse_scenario, slo_file and playbook_file made relative to the file, and
// check_scenario_names against its SLO file.
Scenario load_scenario(const std::string& path);
// The SLO catalogue the scenario runs with: its slo_file, else the shipped one.
SloCatalogue scenario_slos(const Scenario& s);
// Every alert (alert, no_alert) and SLO (sli) an expectation names exists in
// the catalogue; else YamlError at the expectation, with the nearest name.
void check_scenario_names(const Scenario& s, const SloCatalogue& slos);

}  // namespace inplay
