// Expectation: one assertion of a scenario's `expect:` list, as written in
// the file (gameday/scenario.h) and checked against what the game day
// recorded (gameday/expectations.h). Timings are measured from the
// scenario's first fault; SLI windows and `at` in scenario time.
//
//   - {alert: odds_stale, within: 10s, labels: {league: EPL}}   # fired (not inhibited)
//   - {no_alert: odds_stale}            # never fired; an inhibited one is said, not counted
//   - {incidents: 1}
//   - {action: switch_feed, within: 10s}  # done (incidents, budget guards)
//   - {no_action: suspend_market, labels: {league: EPL}}  # never done (on that league)
//   - {no_action: any}                  # no action of any kind is done
//   - {slice_contains: "league=EPL"}
//   - {p99_below: 250ms, from: 30s, labels: {league: EPL}}  # or market_id
//   - {sli: accept_latency, within_target: true, from: 90s, to: 120s, labels: {league: EPL}}
//   - {active_feed: football-backup, at: 150s}
//   - {payment_route: psp-b, at: 6m}   # the active PSP route at that second
//   - {payments_authorised: psp-b, at_least: 5}  # PSP answers "authorised" on that route
//   - {psp_reconciled: true}    # the end-of-day T+0 reconciliation of every PSP route
//                               # ran: no payment held twice by its PSP, no mismatch
//   - {action: switch_psp_route, within: 30s}, {no_action: switch_psp_route}
//   - {incident_impact: feed_down, markets: 9, high_exposure: true}
//   - {ledger_sums_to_zero: true}, {no_stale_accept: true}, {no_duplicate_tx: true}
//   - {markets_suspended_at: 85s}, {markets_open_from: 105s}
//   - {settlement_exact: true}   # every bet of an ended match paid exactly what the rules
//                                # give on the world's true score, once; every account
//                                # recomputed from the journal (gameday/settlement_audit.h)
// A mistake fails at load with "<file>:<line>: <key>: <reason>".
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/yaml_reader.h"

namespace inplay {

struct Expectation {
  enum class Kind {
    kAlert, kNoAlert, kIncidents, kAction, kNoAction, kSliceContains, kP99Below, kSli, kLedgerZero,
    kNoStaleAccept, kNoDuplicateTx, kMarketsSuspendedAt, kMarketsOpenFrom, kActiveFeed, kIncidentImpact,
    kSettlementExact, kNoUnsafeCashout, kCashoutRefused, kPaymentRoute, kPaymentsAuthorised, kPspReconciled
  };
  Kind kind = Kind::kIncidents;
  std::string name;       // alert / action / SLO / feed name, slice text
  // kAlert, kNoAlert: the instance must carry these; kP99Below, kSli: the
  // slice (league or market_id); kNoAction: league.
  std::map<std::string, std::string> labels;
  int64_t within_s = 0;   // kAlert, kAction: after the first fault
  int64_t count = 0;      // kIncidents; kIncidentImpact, kPaymentsAuthorised: at least this many
  int64_t bound_ms = 0;   // kP99Below
  int64_t from_s = 0;     // kP99Below: after the first fault; kSli, kMarkets*, kActiveFeed, kPaymentRoute: scenario time
  int64_t to_s = -1;      // kSli: scenario time, -1: the end
  bool within_target = true;  // kSli: false expects a breach
  bool high_exposure = false;  // kIncidentImpact: the incident must be tagged High Exposure
  int line = 0;           // in the file, for messages
  std::string where;      // its key path ("expect[2]"), for messages
  std::string describe() const;
  // The key of a p99/SLI slice: "league=EPL", "market_id=101"; "" for none.
  std::string slice_key() const;
};

// Reads one entry of `expect:`. duration_s bounds the times it names;
// has_faults: timing expectations need a fault to measure from.
Expectation read_expectation(YamlReader& e, int64_t duration_s, bool has_faults);

}  // namespace inplay
