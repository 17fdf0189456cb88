// GamedaySampler: what a game day records each second of book time (a
// GamedayPoint) — accept p50/p99 over 10 s, the worst price age and drift,
// alerts (each instance's first firing, and apart from it the first time
// it was inhibited), incidents, markets, bets, each SLO's events and burn,
// the active feed and PSP route — plus the slices the scenario's expectations name:
// accept p99 and SLO events by league or market_id. Runs on the engine
// thread (the runner calls it from an engine task; the decision observer
// is called by the placement desk).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "bet/placement_desk.h"
#include "feed/feed_desk.h"
#include "gameday/gameday_record.h"
#include "gameday/scenario.h"
#include "payment/payment_desk.h"
#include "playbook/incident_loop.h"
#include "slo/latency_window.h"

namespace inplay {

class GamedaySampler {
 public:
  GamedaySampler(const Scenario& s, Engine& engine, IncidentLoop* loop, FeedDesk* desk, GamedayRecord& rec);
  // A book that takes payments: each point records its active PSP route.
  void set_payments(const PaymentDesk* payments) { payments_ = payments; }
  // Every bet decision: the accept p99 of the slices the expectations name.
  void on_decision(const BetDecision& d);
  // Second t of the scenario (book time start + t s), after the clock moved.
  void sample(int64_t t, uint64_t offered);

 private:
  void sample_alerts(int64_t since_ms);
  void sample_markets(int64_t now_ns, GamedayPoint& p);
  Engine& engine_;
  IncidentLoop* loop_;
  FeedDesk* desk_;
  const PaymentDesk* payments_ = nullptr;
  GamedayRecord& rec_;
  std::string sport_ = "football";
  std::map<std::string, std::unique_ptr<LatencyWindow>> p99_by_;  // "league=EPL" -> last 10 s
  std::set<std::pair<std::string, std::string>> events_by_;       // (slo, "league=EPL")
  std::set<std::pair<uint64_t, bool>> seen_;                       // (fingerprint, inhibited)
};

}  // namespace inplay
