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
};

struct GamedayMark {
  int64_t t_ms;      // since the start
  std::string kind;  // fault, alert, incident, action
  std::string what;
};

// The first firing of one alert instance (name + labels).
struct FiredAlert {
  std::string name;
  LabelSet labels;
  int64_t t_ms = 0;  // since the start
};

struct GamedaySlo {
  std::string name;
  double target = 0;
};

struct GamedayRecord {
  int64_t start_ns = 0;
  Currency currency = Currency::of("GBP");  // the book's
  std::vector<GamedaySlo> slos;  // the catalogue's, in order
  std::vector<GamedayPoint> points;
  std::vector<GamedayMark> marks;  // sorted by time at the end
  std::vector<FiredAlert> fired;   // in firing order
  std::map<uint64_t, Incident> incidents;
  // The end state.
  int64_t ledger_sum = 0;
  size_t bets_accepted = 0;
  int64_t accepted_stakes_minor = 0;  // stakes of the accepted bets
  int64_t reserved_minor = 0;         // balances of the users' reserved accounts
  // Bets accepted while their market's price was older than its limit, seen
  // at the moment of the decision, with up to 5 examples.
  uint64_t stale_accepts = 0;
  std::map<std::string, uint64_t> refused;  // bets refused, by error code
  std::vector<std::string> stale_examples;
  double wall_s = 0;
};

}  // namespace inplay
