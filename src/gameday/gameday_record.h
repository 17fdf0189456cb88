// GamedayRecord: what a game day saw, second by second, and its end state —
// the input of the expectations (gameday/expectations.h) and of the report
// (gameday/report.h). Filled by the runner on the engine thread; plain data.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "core/money.h"
#include "playbook/incident.h"

namespace inplay {

// One second of book time.
struct GamedayPoint {
  int64_t t = 0;  // seconds since the start
  double p50_ms = 0, p99_ms = 0;  // accept latency, 10 s window
  double max_stale_ratio = 0;     // worst price age / limit, open in-play markets
  double max_drift = 0;           // worst drift against the reference feed
  size_t alerts = 0, incidents_open = 0;
  size_t in_play_markets = 0, suspended_markets = 0;  // markets of in-play matches; of them suspended
  uint64_t bets = 0;     // accepted so far
  uint64_t offered = 0;  // bets offered so far (accepted, refused and shed)
  // Per SLO, in GamedayRecord::slos order: events since the start and the
  // fast tier's short-window burn rate.
  std::vector<double> good, valid, burn;
  std::string active_feed;  // the feed pricing the scenario's sport
  std::string payment_route;  // the active PSP route ("" : the book takes no payments)
  // Only the slices the expectations name: accept p99 over 10 s by
  // "league=EPL" / "market_id=101", and an SLO's events since the start by
  // "<slo>|league=EPL" (good, valid).
  std::map<std::string, double> p99_by;
  std::map<std::string, std::pair<double, double>> events_by;
};

struct GamedayMark {
  int64_t t_ms;      // since the start
  std::string kind;  // fault, alert, incident, action
  std::string what;
};

// The first firing of one alert instance (name + labels), and apart from
// it the first time it was inhibited (silenced by another alert before it
// could reach a group: never paged, never acted on).
struct FiredAlert {
  std::string name;
  LabelSet labels;
  int64_t t_ms = 0;  // since the start
  std::string inhibited_by;  // "": it fired; else the alert that silenced it
};

struct GamedaySlo {
  std::string name;
  double target = 0;
};

// Settlement recomputed at the end (expectation settlement_exact), from the
// simulated world's true scores and the journal, never from the results the
// book was sent.
struct SettlementAudit {
  uint64_t matches_ended = 0;
  uint64_t bets_due = 0;        // bets on markets of ended matches
  uint64_t bets_exact = 0;      // settled, paid exactly the rules' return
  uint64_t bets_wrong = 0;      // settled with another return, or void
  uint64_t bets_unsettled = 0;  // still open
  uint64_t accounts = 0, accounts_off = 0;  // balances recomputed / not equal
  uint64_t paid_twice = 0;      // bets with more pay postings than reversals + 1, or a cashed-out bet paid
  uint64_t bets_cashed_out = 0; // closed by a cash-out: no result may pay them
  std::vector<std::string> examples;  // up to 5
};

// Cash-outs of a game day (CO-1..CO-4), checked at the moment of each
// accept decision, independently of the desk's own checks: a cash-out
// accepted while its market was not open, had cash-out frozen, or its
// selection's price was past the market's staleness limit is unsafe.
struct CashoutRecord {
  uint64_t accepted = 0;
  std::map<std::string, uint64_t> refused;  // accepts refused, by code
  std::map<std::string, uint64_t> quotes_refused;  // quotes refused, by code
  uint64_t unsafe = 0;
  std::vector<std::string> unsafe_examples;  // up to 5
};

// Payments of a day whose book pays through PSP routes (gameday/psp_drill.h):
// each route as the payment desk saw it at the end, and the T+0
// reconciliation of every route run at the end, after every payment still
// without its word had been asked about.
struct PaymentRouteRecord {
  std::string route;
  uint64_t sent = 0, authorised = 0, declined = 0, failed = 0;  // PSP calls' answers
  bool reconciled = false;  // the end-of-day run worked
  std::string error;        // why it did not
  uint64_t rows = 0, held = 0, duplicates = 0, mismatches = 0, unsettled = 0;
};

struct PaymentRecord {
  bool on = false;
  std::vector<PaymentRouteRecord> routes;  // in config order
  uint64_t settle_cut = 0;  // steps whose wait for the PSP calls hit its bound
  uint64_t unresolved = 0;  // payments still without their PSP's word at the end
};

struct GamedayRecord {
  int64_t start_ns = 0;
  Currency currency = Currency::of("GBP");  // the book's
  std::vector<GamedaySlo> slos;  // the catalogue's, in order
  std::vector<GamedayPoint> points;
  std::vector<GamedayMark> marks;  // sorted by time at the end
  std::vector<FiredAlert> fired;   // in firing order
  std::map<uint64_t, Incident> incidents;
  std::vector<IncidentAction> other_actions;  // not tied to an incident: budget guards, operators
  std::map<uint64_t, std::string> market_league;  // every market's league
  // The end state.
  int64_t ledger_sum = 0;
  size_t bets_accepted = 0;
  int64_t accepted_stakes_minor = 0;  // riding stakes of the open bets (settled, cancelled, cashed out: none)
  int64_t reserved_minor = 0;         // balances of the users' reserved accounts
  // Bets accepted while their market's price was older than its limit, seen
  // at the moment of the decision, with up to 5 examples.
  uint64_t stale_accepts = 0;
  std::map<std::string, uint64_t> refused;  // bets refused, by error code
  std::vector<std::string> stale_examples;
  SettlementAudit settlement;
  CashoutRecord cashout;
  PaymentRecord payments;
  double wall_s = 0;
};

}  // namespace inplay
