// Expectations (src/gameday/expectations.h) against hand-made records: each
// kind passes and fails on the values it names, and says what it saw.
#include "gameday/expectations.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

Scenario scenario(const std::string& expect) {
  return parse_scenario(
      "name: t\nduration: 100s\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\n"
      "  - {league: Serie_A, home: C, away: D, minute: 1}\n"
      "faults:\n  - {at: 20s, feed: football-primary, stall: true}\nexpect:\n" + expect,
      "t.yaml");
}

// 100 seconds; SLO "accept_latency" (target 99%): 100 events a second, all
// good except 10 bad a second from 30 s to 39 s.
GamedayRecord record() {
  GamedayRecord r;
  r.start_ns = 1'000'000'000'000;
  r.slos = {{"odds_freshness", 0.995}, {"accept_latency", 0.99}};
  double good = 0, valid = 0;
  for (int64_t t = 1; t <= 100; ++t) {
    GamedayPoint p;
    p.t = t;
    valid += 100;
    good += t >= 30 && t < 40 ? 90 : 100;
    p.good = {0, good};
    p.valid = {0, valid};
    p.burn = {0, 0};
    p.p99_ms = t >= 30 && t < 45 ? 900 : 120;
    r.points.push_back(p);
  }
  r.fired.push_back(FiredAlert{"odds_stale", {{"league", "Championship"}}, 21000, ""});
  r.fired.push_back(FiredAlert{"odds_stale", {{"league", "EPL"}, {"market_id", "101"}}, 26000, ""});
  return r;
}

ExpectationResult check_one(const std::string& expect, const GamedayRecord& r) {
  static Scenario s;  // results point into it
  s = scenario(expect);
  auto results = check_expectations(s, r);
  EXPECT_EQ(results.size(), 1u);
  return results.at(0);
}

TEST(Expectations, AlertWithLabelsMatchesOnlyThatInstance) {
  GamedayRecord r = record();
  auto any = check_one("  - {alert: odds_stale, within: 3s}\n", r);
  EXPECT_TRUE(any.pass) << any.seen;
  EXPECT_EQ(any.seen, "fired 1 s after the first fault");
  auto epl = check_one("  - {alert: odds_stale, within: 3s, labels: {league: EPL}}\n", r);
  EXPECT_FALSE(epl.pass);
  EXPECT_EQ(epl.seen, "fired 6 s after the first fault");
  EXPECT_TRUE(check_one("  - {alert: odds_stale, within: 6s, labels: {league: EPL, market_id: \"101\"}}\n", r).pass);
  auto none = check_one("  - {no_alert: odds_stale, labels: {league: Serie_A}}\n", r);
  EXPECT_TRUE(none.pass);
  EXPECT_FALSE(check_one("  - {no_alert: odds_stale, labels: {league: EPL}}\n", r).pass);
}

TEST(Expectations, SliOverAWindowInScenarioTime) {
  GamedayRecord r = record();
  auto clean = check_one("  - {sli: accept_latency, from: 40s}\n", r);
  EXPECT_TRUE(clean.pass) << clean.seen;
  EXPECT_EQ(clean.seen, "SLI 100.000% over 6000 events (target 99.000%)");
  auto bad = check_one("  - {sli: accept_latency, from: 29s, to: 39s}\n", r);
  EXPECT_FALSE(bad.pass);
  EXPECT_EQ(bad.seen, "SLI 90.000% over 1000 events (target 99.000%)");
  EXPECT_TRUE(check_one("  - {sli: accept_latency, within_target: false, from: 29s, to: 39s}\n", r).pass);
  auto whole = check_one("  - {sli: accept_latency}\n", r);  // 100 bad of 10,000
  EXPECT_TRUE(whole.pass) << whole.seen;
  auto empty = check_one("  - {sli: odds_freshness}\n", r);
  EXPECT_FALSE(empty.pass);
  EXPECT_EQ(empty.seen, "no events in the window");
  EXPECT_EQ(check_one("  - {sli: settlement_lag}\n", r).seen, "no such SLO in the catalogue");
}

TEST(Expectations, P99FromAfterTheFirstFault) {
  GamedayRecord r = record();
  EXPECT_FALSE(check_one("  - {p99_below: 250ms, from: 20s}\n", r).pass);  // 40 s..: 900 until 44 s
  auto later = check_one("  - {p99_below: 250ms, from: 25s}\n", r);
  EXPECT_TRUE(later.pass) << later.seen;
  EXPECT_EQ(later.seen, "worst 120 ms");
}

TEST(Expectations, MoneyInvariants) {
  GamedayRecord r = record();
  r.accepted_stakes_minor = 5000;
  r.reserved_minor = 5000;
  r.bets_accepted = 3;
  EXPECT_TRUE(check_one("  - {no_duplicate_tx: true}\n", r).pass);
  EXPECT_TRUE(check_one("  - {no_stale_accept: true}\n", r).pass);
  EXPECT_TRUE(check_one("  - {ledger_sums_to_zero: true}\n", r).pass);
  r.reserved_minor = 6000;  // a stake reserved twice
  auto dup = check_one("  - {no_duplicate_tx: true}\n", r);
  EXPECT_FALSE(dup.pass);
  EXPECT_EQ(dup.seen, "reserved 6000 minor units; the open bets of 3 accepted ride 5000");
  r.stale_accepts = 1;
  r.stale_examples = {"market 101 at 25.0 s, price age 3000 ms (limit 1500 ms)"};
  auto stale = check_one("  - {no_stale_accept: true}\n", r);
  EXPECT_FALSE(stale.pass);
  EXPECT_EQ(stale.seen, "1 bet(s) accepted on a stale price: market 101 at 25.0 s, price age 3000 ms (limit 1500 ms)");
  r.ledger_sum = -1;
  EXPECT_FALSE(check_one("  - {ledger_sums_to_zero: true}\n", r).pass);
}

TEST(Expectations, MarketsFailClosedThenReopen) {
  GamedayRecord r = record();
  for (auto& p : r.points) {
    p.in_play_markets = 6;
    p.suspended_markets = p.t >= 72 && p.t <= 101 ? 6 : p.t == 60 ? 2 : 0;
  }
  EXPECT_TRUE(check_one("  - {markets_suspended_at: 85s}\n", r).pass);
  auto partly = check_one("  - {markets_suspended_at: 60s}\n", r);
  EXPECT_FALSE(partly.pass);
  EXPECT_EQ(partly.seen, "2 of 6 in-play markets suspended");
  auto open = check_one("  - {markets_open_from: 95s}\n", r);
  EXPECT_FALSE(open.pass);
  EXPECT_EQ(open.seen, "6 suspended, last at 100 s");
  for (auto& p : r.points)
    if (p.t > 90) p.suspended_markets = 0;
  auto healed = check_one("  - {markets_open_from: 91s}\n", r);
  EXPECT_TRUE(healed.pass) << healed.seen;
  EXPECT_EQ(healed.seen, "all open");
}

// Issue 17, item 8: sharper tools.
TEST(Expectations, NoAlertTellsAnInhibitedAlertFromOneThatFired) {
  GamedayRecord r = record();
  r.fired.push_back(FiredAlert{"odds_stale", {{"league", "Championship"}, {"market_id", "201"}}, 31000, "feed_down"});
  auto silenced = check_one("  - {no_alert: odds_stale, labels: {market_id: \"201\"}}\n", r);
  EXPECT_TRUE(silenced.pass) << silenced.seen;
  EXPECT_EQ(silenced.seen, "never fired; inhibited by feed_down from 31 s");
  EXPECT_FALSE(check_one("  - {alert: odds_stale, within: 60s, labels: {market_id: \"201\"}}\n", r).pass)
      << "an inhibited alert did not fire";
}

TEST(Expectations, NoActionOnALeagueAndActionsOfBudgetGuards) {
  GamedayRecord r = record();
  r.market_league = {{101, "EPL"}, {201, "Championship"}};
  IncidentAction freeze;
  freeze.spec.type = ActionType::kFreezeCashout;
  freeze.target.markets = {201};
  freeze.status = "done";
  freeze.at_ns = r.start_ns + 30'000'000'000;
  Incident inc;
  inc.actions.push_back(freeze);
  r.incidents[1] = inc;
  EXPECT_TRUE(check_one("  - {no_action: freeze_cashout, labels: {league: EPL}}\n", r).pass);
  auto on = check_one("  - {no_action: freeze_cashout, labels: {league: Championship}}\n", r);
  EXPECT_FALSE(on.pass);
  EXPECT_EQ(on.seen, "ran at 30 s on markets:201 by ");
  EXPECT_FALSE(check_one("  - {no_action: freeze_cashout}\n", r).pass);
  r.incidents[1].actions[0].status = "not_needed";  // nothing changed: it did not run
  EXPECT_TRUE(check_one("  - {no_action: freeze_cashout}\n", r).pass);
  IncidentAction cap;
  cap.spec.type = ActionType::kLowerStakeCap;
  cap.status = "done";
  cap.at_ns = r.start_ns + 25'000'000'000;
  r.other_actions.push_back(cap);  // a budget guard's
  auto guard = check_one("  - {action: lower_stake_cap, within: 10s}\n", r);
  EXPECT_TRUE(guard.pass) << guard.seen;
}

TEST(Expectations, P99AndSliBySlice) {
  GamedayRecord r = record();
  for (auto& p : r.points) {
    p.p99_by["league=EPL"] = p.t >= 30 && p.t < 45 ? 900 : 100;
    p.events_by["accept_latency|league=EPL"] = {p.t * 10.0 - (p.t > 50 ? 50 : 0), p.t * 10.0};
  }
  EXPECT_FALSE(check_one("  - {p99_below: 250ms, from: 20s, labels: {league: EPL}}\n", r).pass);
  EXPECT_EQ(check_one("  - {p99_below: 250ms, from: 25s, labels: {league: EPL}}\n", r).seen, "worst 100 ms");
  EXPECT_EQ(check_one("  - {p99_below: 250ms, from: 0s, labels: {league: L2}}\n", r).seen, "worst 0 ms");
  auto sli = check_one("  - {sli: accept_latency, to: 50s, labels: {league: EPL}}\n", r);
  EXPECT_TRUE(sli.pass) << sli.seen;
  EXPECT_EQ(sli.seen, "SLI 100.000% over 500 events (target 99.000%)");
  EXPECT_FALSE(check_one("  - {sli: accept_latency, from: 50s, labels: {league: EPL}}\n", r).pass);
}

TEST(Expectations, ActiveFeedAndIncidentImpact) {
  GamedayRecord r = record();
  for (auto& p : r.points) p.active_feed = p.t < 50 ? "football-primary" : "football-backup";
  EXPECT_TRUE(check_one("  - {active_feed: football-backup, at: 60s}\n", r).pass);
  EXPECT_EQ(check_one("  - {active_feed: football-backup, at: 40s}\n", r).seen, "football-primary");
  Incident inc;
  inc.id = 1;
  inc.alerts = {"feed_down"};
  inc.markets = {101, 102, 103};
  inc.exposure_minor = 123;
  r.incidents[1] = inc;
  EXPECT_TRUE(check_one("  - {incident_impact: feed_down, markets: 3}\n", r).pass);
  auto he = check_one("  - {incident_impact: feed_down, markets: 3, high_exposure: true}\n", r);
  EXPECT_FALSE(he.pass);
  EXPECT_EQ(he.seen, "incident 1: 3 market(s), live liability 123");
  EXPECT_EQ(check_one("  - {incident_impact: odds_stale}\n", r).seen, "no incident with that alert");
}

TEST(Expectations, PaymentRouteAuthorisationsAndReconciliation) {
  GamedayRecord r = record();
  EXPECT_EQ(check_one("  - {psp_reconciled: true}\n", r).seen, "the book takes no payments");
  EXPECT_FALSE(check_one("  - {psp_reconciled: true}\n", r).pass);
  for (auto& p : r.points) p.payment_route = p.t < 30 ? "psp-a" : "psp-b";
  EXPECT_TRUE(check_one("  - {payment_route: psp-b, at: 40s}\n", r).pass);
  EXPECT_EQ(check_one("  - {payment_route: psp-b, at: 20s}\n", r).seen, "psp-a");
  r.payments.on = true;
  PaymentRouteRecord a;
  a.route = "psp-a";
  a.sent = 12, a.authorised = 9, a.failed = 3;
  a.reconciled = true, a.rows = 9, a.held = 9;
  PaymentRouteRecord b = a;
  b.route = "psp-b";
  r.payments.routes = {a, b};
  EXPECT_TRUE(check_one("  - {payments_authorised: psp-b, at_least: 9}\n", r).pass);
  auto few = check_one("  - {payments_authorised: psp-b, at_least: 10}\n", r);
  EXPECT_FALSE(few.pass);
  EXPECT_EQ(few.seen, "12 sent, 9 authorised, 0 declined, 3 failed");
  EXPECT_TRUE(check_one("  - {psp_reconciled: true}\n", r).pass);
  // One payment the PSP holds twice fails it, naming the route.
  r.payments.routes[1].duplicates = 1;
  r.payments.routes[1].rows = 10;
  auto dup = check_one("  - {psp_reconciled: true}\n", r);
  EXPECT_FALSE(dup.pass);
  EXPECT_NE(dup.seen.find("psp-b: 10 rows, 9 held, 1 duplicate(s)"), std::string::npos) << dup.seen;
  // A route whose run failed is no clean reconciliation.
  r.payments.routes[1] = b;
  r.payments.routes[0].reconciled = false;
  r.payments.routes[0].error = "connection refused";
  auto failed = check_one("  - {psp_reconciled: true}\n", r);
  EXPECT_FALSE(failed.pass);
  EXPECT_NE(failed.seen.find("psp-a: not reconciled (connection refused)"), std::string::npos) << failed.seen;
}

TEST(Expectations, SliceValuesDropSharesAndCounts) {
  EXPECT_EQ(slice_values("league=EPL (95% of bad, 2% of good), parser_schema=2.0 (67% of bad, 0% of good) [12 traces]"),
            "league=EPL, parser_schema=2.0");
}

}  // namespace
}  // namespace inplay
