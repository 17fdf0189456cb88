#include <gtest/gtest.h>

#include <algorithm>

#include "core/yaml_reader.h"
#include "playbook/incident_codec.h"
#include "playbook/playbook_runner.h"
#include "playbook/playbook_spec.h"

using namespace inplay;

namespace {

constexpr int64_t kS = 1'000'000'000;

// Records what the runner asks of the book (the real port is the app's,
// tested end to end in tests/integration/test_incidents.py).
class RecordingPort : public ActionPort {
 public:
  std::vector<std::string> calls;
  std::vector<std::string> audits;
  bool fail_switch = false;
  bool switch_back_waits = false;  // revert of switch_feed answers NOT_READY
  bool nothing_to_do = false;      // apply changes nothing
  std::vector<uint64_t> markets_of(const ActionTarget& t) override {
    if (t.league == "EPL") return {1, 2, 3};
    return t.markets;
  }
  Result<ActionOutcome> apply(const ActionSpec& a, const ActionTarget& t, const std::string& actor,
                              const std::string&) override {
    if (a.type == ActionType::kSwitchFeed && fail_switch) return Error{ErrorCode::kFeedUnavailable, "backup down"};
    calls.push_back(std::string(action_type_name(a.type)) + " " + t.describe() + " by " + actor);
    ActionOutcome o;
    o.detail = calls.back();
    o.markets = t.markets;
    o.changed = !nothing_to_do;
    return o;
  }
  Result<std::string> revert(const ActionSpec& a, const ActionOutcome& o, const std::string& actor) override {
    if (a.type == ActionType::kSwitchFeed && switch_back_waits)
      return Error{ErrorCode::kNotReady, "waits until football-primary has been up and fresh for 60 s"};
    calls.push_back(std::string("revert ") + action_type_name(a.type) + " by " + actor);
    return o.detail;
  }
  void audit(const std::string& action, const std::string& target, const std::string&,
             const std::string&) override {
    audits.push_back(action + " " + target);
  }
};

const char* kFile = R"(version: 1
routing:
  group_by: [service, league]
  group_wait: 0s
guards:
  max_actions: 3
  window: 10m
  cooldown: 1m
  revert_after: 30s
playbooks:
  - name: stale_top_markets
    when: {alertname: odds_stale}
    actions:
      - {do: freeze_cashout}
      - {do: switch_feed}
  - name: approve_suspend
    when: {alertname: odds_stale, league: EPL}
    approval: true
    actions:
      - {do: suspend_market}
budget_guards:
  - {slo: accept_latency, tighten_above: 2, relax_below: 1, relax_after: 1m, stake_cap_minor: 5000, extra_delay: 2s}
)";

Notification note(const std::string& status, std::vector<uint64_t> markets, int64_t start) {
  Notification n;
  n.status = status;
  n.group.key = "service=odds,league=EPL";
  n.group.group_labels = {{"service", "odds"}, {"league", "EPL"}};
  n.group.markets = markets;
  n.group.high_exposure = true;
  n.group.severity = "page";
  for (uint64_t m : markets) {
    Alert a;
    a.name = "odds_stale";
    a.labels = {{"service", "odds"}, {"league", "EPL"}, {"sport", "football"}, {"market_id", std::to_string(m)}};
    a.starts_ns = start;
    if (status == "resolved") a.ends_ns = start + 1;
    n.group.alerts.emplace(a.fingerprint(), a);
  }
  return n;
}

}  // namespace

TEST(PlaybookSpec, ParsesAndRejectsWithLines) {
  PlaybookFile f = parse_playbook_file(kFile, "pb.yaml");
  EXPECT_EQ(f.playbooks.size(), 2u);
  EXPECT_EQ(f.guards.revert_after_s, 30);
  EXPECT_EQ(f.budget_guards[0].extra_delay_ms, 2000);
  auto err = [](const std::string& text) {
    try {
      parse_playbook_file(text, "pb.yaml");
    } catch (const YamlError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err("version: 1\nplaybooks:\n  - name: x\n    when: {alertname: a}\n    actions:\n      - {do: reboot}\n"),
            "pb.yaml:6: playbooks[0].actions[0].do: must be one of switch_feed, suspend_market, freeze_cashout, "
            "lower_stake_cap, extend_delay, shed_load, switch_psp_route, switch_kyc_vendor, pause_kyc_rule");
  EXPECT_EQ(err("version: 1\nrouting:\n  quiet_hours: {from: '25:00', to: '07:00'}\n"),
            "pb.yaml:3: routing.quiet_hours.from: must be a time of day like 23:00 (UTC)");
  EXPECT_EQ(err("version: 1\nplaybooks:\n  - name: x\n    when: {alertname: a}\n    actions:\n      - {do: lower_stake_cap}\n"),
            "pb.yaml:6: playbooks[0].actions[0]: missing required key 'stake_cap_minor'");
  PlaybookFile shipped = load_playbook_file(std::string(INPLAY_SOURCE_DIR) + "/config/playbooks.yaml");
  EXPECT_FALSE(shipped.playbooks.empty());
}

TEST(PlaybookRunner, OneIncidentActsOnceAndRevertsAfterHysteresis) {
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(kFile, "pb.yaml"), port);
  r.on_notifications(100 * kS, {note("firing", {1, 2}, 98 * kS)});
  ASSERT_EQ(r.incidents().size(), 1u);
  const Incident& inc = r.incidents().begin()->second;
  EXPECT_EQ(inc.fault_ns, 98 * kS);
  EXPECT_EQ(inc.contained_ns, 100 * kS);
  EXPECT_TRUE(inc.high_exposure);
  EXPECT_EQ(port.calls, (std::vector<std::string>{"freeze_cashout markets:1,2 by playbook:stale_top_markets",
                                                  "switch_feed sport:football by playbook:stale_top_markets"}));
  // The approval playbook waits.
  ASSERT_EQ(inc.actions.size(), 3u);
  EXPECT_EQ(inc.actions[2].status, "pending_approval");
  // A market joins: cash-out freezes on it only; the feed is not switched twice.
  r.on_notifications(105 * kS, {note("firing", {1, 2, 3}, 98 * kS)});
  EXPECT_EQ(port.calls.size(), 3u);
  EXPECT_EQ(port.calls[2], "freeze_cashout markets:3 by playbook:stale_top_markets");
  // Approve the suspension.
  ASSERT_TRUE(r.approve(inc.id, inc.actions[2].id, "operator:ops", 106 * kS).ok());
  EXPECT_EQ(port.calls.back(), "suspend_market markets:1,2 by operator:ops");
  EXPECT_FALSE(r.approve(inc.id, inc.actions[2].id, "operator:ops", 106 * kS).ok());  // not pending any more
  // Resolved, then fires again within the hysteresis: same incident, no revert.
  r.on_notifications(110 * kS, {note("resolved", {1, 2, 3}, 98 * kS)});
  EXPECT_EQ(inc.status, "recovering");
  r.tick(120 * kS, {});
  r.on_notifications(125 * kS, {note("firing", {1}, 124 * kS)});
  EXPECT_EQ(inc.status, "open");
  EXPECT_EQ(r.incidents().size(), 1u);
  // Resolved for good: after 30 s the automatic actions are reverted.
  r.on_notifications(130 * kS, {note("resolved", {1}, 124 * kS)});
  r.tick(159 * kS, {});
  EXPECT_EQ(inc.status, "recovering");
  r.tick(160 * kS, {});
  EXPECT_EQ(inc.status, "resolved");
  int reverted = 0;
  for (auto& a : inc.actions) reverted += a.status == "reverted";
  EXPECT_EQ(reverted, 4);  // two freezes, the switch, the approved suspension
  std::string md = postmortem_markdown(inc, Currency::of("GBP"));
  for (const char* s : {"| detect |", "| contain |", "| recover |", "| learn |", "High Exposure", "Fault to detection: 2.0 s"})
    EXPECT_NE(md.find(s), std::string::npos) << s;
  EXPECT_NE(std::find(port.audits.begin(), port.audits.end(), "incident_opened incident:1"), port.audits.end());
}

TEST(PlaybookRunner, GuardRailsRateLimitCooldownDryRun) {
  RecordingPort port;
  PlaybookFile f = parse_playbook_file(kFile, "pb.yaml");
  f.playbooks.pop_back();
  f.guards.max_actions = 1;
  PlaybookRunner r(f, port);
  r.on_notifications(0, {note("firing", {1}, 0)});
  const Incident& inc = r.incidents().begin()->second;
  EXPECT_EQ(inc.actions[0].status, "done");
  EXPECT_EQ(inc.actions[1].status, "skipped_rate_limit");

  f.guards.max_actions = 10;
  f.guards.dry_run = true;
  RecordingPort port2;
  PlaybookRunner dry(f, port2);
  dry.on_notifications(0, {note("firing", {1}, 0)});
  EXPECT_TRUE(port2.calls.empty());
  EXPECT_EQ(dry.incidents().begin()->second.actions[0].status, "dry_run");

  RecordingPort port3;
  port3.fail_switch = true;
  f.guards.dry_run = false;
  PlaybookRunner failing(f, port3);
  failing.on_notifications(0, {note("firing", {1}, 0)});
  EXPECT_EQ(failing.incidents().begin()->second.actions[1].status, "failed");
  EXPECT_EQ(failing.incidents().begin()->second.actions[1].detail, "backup down");
}

TEST(PlaybookRunner, BudgetGuardTightensWhileTheSliceBurnsAndRelaxesAfterCalm) {
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(kFile, "pb.yaml"), port);
  SloSpec spec;
  spec.name = "accept_latency";
  SloStatus st;
  st.spec = &spec;
  st.slices.push_back(SliceStatus{"league", "EPL", 0.1, 0.1, 5, 5, true});
  r.tick(0, {st});
  EXPECT_EQ(port.calls, (std::vector<std::string>{"lower_stake_cap markets:1,2,3 by budget_guard:accept_latency",
                                                  "extend_delay markets:1,2,3 by budget_guard:accept_latency"}));
  r.tick(1 * kS, {st});  // still burning: no second tightening
  EXPECT_EQ(port.calls.size(), 2u);
  st.slices[0].burn_short = 0.5;
  r.tick(2 * kS, {st});
  r.tick(61 * kS, {st});
  EXPECT_EQ(port.calls.size(), 2u);
  r.tick(62 * kS, {st});
  EXPECT_EQ(port.calls.size(), 4u);
  EXPECT_EQ(port.calls[2], "revert lower_stake_cap by budget_guard:accept_latency");
}

// Issue 17, item 6: a budget guard's caps and delays are written in the
// timeline of the open incidents they concern — the guard's SLO burning on
// that league, or markets the incident concerns — journaled with it, and so
// is its relaxing; an incident about something else gets no line. They
// were only in the log.
TEST(PlaybookRunner, BudgetGuardActionsGoInTheTimelineOfTheIncidentsTheyConcern) {
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(kFile, "pb.yaml"), port);
  auto group = [](const std::string& key, const Alert& a) {
    Notification n;
    n.status = "firing";
    n.group.key = key;
    n.group.severity = "page";
    n.group.alerts.emplace(a.fingerprint(), a);
    return n;
  };
  Alert burn;
  burn.name = "slo_burn";
  burn.labels = {{"service", "bet"}, {"severity", "page"}, {"slo", "accept_latency"}, {"league", "EPL"}};
  Alert nba;
  nba.name = "odds_stale";
  nba.labels = {{"service", "odds"}, {"league", "NBA"}, {"market_id", "9"}};
  Notification other = group("service=odds,league=NBA", nba);
  other.group.markets = other.group.affected = {9};
  r.on_notifications(1 * kS, {group("service=bet,league=EPL", burn), other});
  ASSERT_EQ(r.incidents().size(), 2u);
  const Incident& burning = r.incidents().at(1);
  const Incident& elsewhere = r.incidents().at(2);
  const size_t before = burning.timeline.size();

  SloSpec spec;
  spec.name = "accept_latency";
  SloStatus st;
  st.spec = &spec;
  st.slices.push_back(SliceStatus{"league", "EPL", 0.1, 0.1, 5, 5, true});
  r.tick(2 * kS, {st});
  ASSERT_EQ(burning.timeline.size(), before + 2);
  EXPECT_EQ(burning.timeline[before].step, "contain");
  EXPECT_EQ(burning.timeline[before].at_ns, 2 * kS);
  EXPECT_EQ(burning.timeline[before].what,
            "done: lower_stake_cap markets:1,2,3 by budget_guard:accept_latency by budget_guard:accept_latency "
            "(accept_latency burns 5.0x on league=EPL)");
  EXPECT_EQ(burning.timeline[before + 1].what,
            "done: extend_delay markets:1,2,3 by budget_guard:accept_latency by budget_guard:accept_latency "
            "(accept_latency burns 5.0x on league=EPL)");
  for (auto& e : elsewhere.timeline) EXPECT_EQ(e.what.find("budget_guard"), std::string::npos) << e.what;
  r.tick(3 * kS, {st});  // said once
  EXPECT_EQ(burning.timeline.size(), before + 2);
  // The journaled incident carries them like any other timeline entry.
  Incident replayed = decode_incident(encode_incident(burning));
  ASSERT_EQ(replayed.timeline.size(), before + 2);
  EXPECT_EQ(replayed.timeline[before].what, burning.timeline[before].what);

  // An incident that opens later about one of the capped markets is told
  // too, with how long the guard has been in force.
  Alert stale;
  stale.name = "odds_stale";
  stale.labels = {{"service", "odds"}, {"league", "EPL"}, {"market_id", "2"}};
  Notification later = group("service=odds,league=EPL", stale);
  later.group.markets = later.group.affected = {2};
  r.on_notifications(12 * kS, {later});
  r.tick(12 * kS, {st});
  const Incident& joined = r.incidents().at(3);
  ASSERT_GE(joined.timeline.size(), 2u);
  EXPECT_NE(joined.timeline[joined.timeline.size() - 2].what.find("; in force for 10 s)"), std::string::npos)
      << joined.timeline[joined.timeline.size() - 2].what;

  // The burn calms: the guard relaxes, and the open incidents say so.
  st.slices[0].burn_short = 0.5;
  r.tick(20 * kS, {st});
  r.tick(81 * kS, {st});
  EXPECT_EQ(std::count_if(port.calls.begin(), port.calls.end(),
                          [](const std::string& c) { return c.rfind("revert ", 0) == 0; }),
            2);
  ASSERT_EQ(burning.timeline.back().step, "recover");
  EXPECT_EQ(burning.timeline.back().what,
            "relaxed: extend_delay markets:1,2,3 by budget_guard:accept_latency by budget_guard:accept_latency "
            "(burn under 1x for 60 s)");
  EXPECT_EQ(joined.timeline.back().what, burning.timeline.back().what);
  for (auto& e : elsewhere.timeline) EXPECT_EQ(e.what.find("budget_guard"), std::string::npos) << e.what;
}

// feed-outage: the feed switched to fails as well. The incident switches
// again — a switch per failing feed — and while no feed is up the switch is
// retried every tick without new timeline lines or spending the guard's
// action budget, until one recovers.
TEST(PlaybookRunner, SwitchesAgainWhenTheBackupFailsTooOnceAFeedIsUp) {
  const char* file = R"(version: 1
routing: {group_by: [service], group_wait: 0s}
guards: {max_actions: 2, window: 10m, cooldown: 1m}
playbooks:
  - name: active_feed_down
    when: {alertname: feed_down}
    actions:
      - {do: switch_feed}
)";
  auto down = [](const std::string& feed, int64_t start) {
    Notification n;
    n.status = "firing";
    n.group.key = "service=odds";
    n.group.group_labels = {{"service", "odds"}};
    n.group.severity = "page";
    Alert a;
    a.name = "feed_down";
    a.labels = {{"service", "odds"}, {"sport", "football"}, {"feed", feed}};
    a.starts_ns = start;
    n.group.alerts.emplace(a.fingerprint(), a);
    return n;
  };
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(file, "pb.yaml"), port);
  r.on_notifications(34 * kS, {down("football-primary", 33 * kS)});
  const Incident& inc = r.incidents().begin()->second;
  ASSERT_EQ(port.calls.size(), 1u);
  EXPECT_EQ(inc.actions[0].status, "done");

  // The backup (now active) goes down 40 s later, inside the cool-down, with
  // the primary still down: the switch fails and waits.
  Notification both = down("football-backup", 72 * kS);
  Alert old = down("football-primary", 33 * kS).group.alerts.begin()->second;
  old.ends_ns = 34 * kS;  // resolved: it must not name the feed to leave
  both.group.alerts.emplace(old.fingerprint(), old);
  port.fail_switch = true;
  r.on_notifications(73 * kS, {both});
  ASSERT_EQ(inc.actions.size(), 2u);
  EXPECT_EQ(inc.actions[1].status, "failed");
  EXPECT_EQ(inc.actions[1].target.feed, "football-backup");
  const size_t lines = inc.timeline.size();
  for (int64_t t = 74; t < 100; ++t) r.on_groups(t * kS, {{both.group.key, both.group}});
  EXPECT_EQ(inc.actions.size(), 2u) << "a retry is not a new action";
  EXPECT_EQ(inc.timeline.size(), lines) << "a failing retry adds no line";
  // The primary is up again: the next tick switches (the budget of 2 was not
  // spent by the 26 failed retries).
  port.fail_switch = false;
  r.on_groups(101 * kS, {{both.group.key, both.group}});
  EXPECT_EQ(inc.actions[1].status, "done");
  EXPECT_EQ(inc.actions[1].at_ns, 101 * kS);
  EXPECT_EQ(port.calls.size(), 2u);
  EXPECT_NE(inc.timeline.back().what.find("retried for 28 s"), std::string::npos) << inc.timeline.back().what;
  r.on_groups(102 * kS, {{both.group.key, both.group}});
  EXPECT_EQ(port.calls.size(), 2u) << "switched once per failing feed";
}

// Issue 17, item 1: a switch back to a feed waits until the feed is on time
// for the hold period (the port says NOT_READY): the incident stays
// recovering, says so once, and resolves when the switch back runs. Later
// switches of the same sport go with the first one's revert.
TEST(PlaybookRunner, ASwitchBackWaitsForTheFeedAndTheIncidentStaysRecovering) {
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(kFile, "pb.yaml"), port);
  Notification n = note("firing", {1}, 0);
  for (auto& [fp, a] : n.group.alerts) a.labels["sport"] = "football";
  r.on_notifications(1 * kS, {n});
  const Incident& inc = r.incidents().begin()->second;
  ASSERT_EQ(inc.actions[1].spec.type, ActionType::kSwitchFeed);
  r.on_notifications(2 * kS, {note("resolved", {1}, 0)});
  port.switch_back_waits = true;
  for (int64_t t = 32; t < 60; ++t) r.tick(t * kS, {});
  EXPECT_EQ(inc.status, "recovering");
  EXPECT_EQ(inc.actions[1].status, "done");
  EXPECT_EQ(inc.actions[0].status, "reverted") << "the freeze is undone; only the switch back waits";
  size_t waits = 0;
  for (auto& e : inc.timeline) waits += e.what.find("waits until football-primary") != std::string::npos;
  EXPECT_EQ(waits, 1u) << "said once";
  port.switch_back_waits = false;
  r.tick(61 * kS, {});
  EXPECT_EQ(inc.status, "resolved");
  EXPECT_EQ(inc.actions[1].status, "reverted");
}

// Issue 17, item 2: an action that changes nothing is recorded not_needed,
// never done, and does not count as containment.
TEST(PlaybookRunner, AnActionThatChangesNothingIsNotNeededNotDone) {
  RecordingPort port;
  port.nothing_to_do = true;
  PlaybookRunner r(parse_playbook_file(kFile, "pb.yaml"), port);
  r.on_notifications(1 * kS, {note("firing", {1}, 0)});
  const Incident& inc = r.incidents().begin()->second;
  EXPECT_EQ(inc.actions[0].status, "not_needed");
  EXPECT_EQ(inc.actions[1].status, "not_needed");
  EXPECT_EQ(inc.contained_ns, 0);
  for (auto& e : inc.timeline) EXPECT_EQ(e.what.find("done:"), std::string::npos) << e.what;
}

// Issue 17, item 3: a burn that names no league, sport or market is about
// the whole book. Its shed_load acts on the book (an approval playbook's
// becomes pending — it used to be skipped, never even pending); the other
// market-scoped actions have no book-wide form. The shed is lifted once its
// own trigger has been quiet for revert_after, though a slow-burn ticket
// keeps the group open; it sheds again when the page comes back.
TEST(PlaybookRunner, ABookWideBurnShedsTheBookAndLiftsOnceItsTriggerIsQuiet) {
  const char* file = R"(version: 1
routing:
  group_by: [service, league]
guards:
  max_actions: 10
  cooldown: 10s
  revert_after: 30s
playbooks:
  - name: league_burn
    when: {alertname: slo_burn, slo: accept_latency, severity: page, league: "*"}
    approval: true
    actions:
      - {do: shed_load, bets_per_second: 50}
  - name: book_overload
    when: {alertname: slo_burn, slo: accept_latency, severity: page, league: ""}
    actions:
      - {do: shed_load, share_of_decided: 70}
      - {do: freeze_cashout}
)";
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(file, "pb.yaml"), port);
  auto burn = [](const std::string& severity) {
    AlertGroup g;
    g.key = "service=bets,league=";
    g.group_labels = {{"service", "bets"}, {"league", ""}};
    g.severity = severity;
    Alert a;
    a.name = "slo_burn";
    a.labels = {{"slo", "accept_latency"}, {"service", "bets"}, {"severity", severity}};
    a.starts_ns = 1;
    g.alerts.emplace(a.fingerprint(), a);
    return g;
  };
  r.on_notifications(1 * kS, {Notification{"firing", burn("page")}});
  ASSERT_EQ(r.incidents().size(), 1u);
  const Incident& inc = r.incidents().begin()->second;
  ASSERT_EQ(inc.actions.size(), 1u) << "freeze_cashout has no book-wide form; league_burn needs a league";
  EXPECT_EQ(inc.actions[0].playbook, "book_overload");
  EXPECT_EQ(inc.actions[0].target.describe(), "book");
  EXPECT_EQ(inc.actions[0].spec.share_pct, 70);
  EXPECT_EQ(inc.actions[0].status, "done");
  // The page stops, a slow-burn ticket keeps the group firing.
  for (int64_t t = 2; t <= 31; ++t) r.on_groups(t * kS, {{"service=bets,league=", burn("ticket")}});
  EXPECT_EQ(inc.actions[0].status, "done");
  r.on_groups(32 * kS, {{"service=bets,league=", burn("ticket")}});
  EXPECT_EQ(inc.actions[0].status, "reverted");
  EXPECT_EQ(inc.status, "open");
  // The page again: the book is shed again, in the same incident.
  r.on_groups(40 * kS, {{"service=bets,league=", burn("page")}});
  ASSERT_EQ(inc.actions.size(), 2u);
  EXPECT_EQ(inc.actions[1].status, "done");
  EXPECT_EQ(inc.actions[1].target.describe(), "book");
}

TEST(PlaybookRunner, ABurnOnOneLeagueWaitsForApprovalOnItsMarkets) {
  const char* file = R"(version: 1
routing:
  group_by: [service, league]
playbooks:
  - name: league_burn
    when: {alertname: slo_burn, slo: accept_latency, severity: page, league: "*"}
    approval: true
    actions:
      - {do: shed_load, bets_per_second: 50}
  - name: book_overload
    when: {alertname: slo_burn, slo: accept_latency, severity: page, league: ""}
    actions:
      - {do: shed_load, share_of_decided: 70}
)";
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(file, "pb.yaml"), port);
  AlertGroup g;
  g.key = "service=bets,league=EPL";
  g.group_labels = {{"service", "bets"}, {"league", "EPL"}};
  g.severity = "page";
  Alert a;
  a.name = "slo_burn";
  a.labels = {{"slo", "accept_latency"}, {"service", "bets"}, {"severity", "page"}, {"league", "EPL"}};
  g.alerts.emplace(a.fingerprint(), a);
  r.on_notifications(1 * kS, {Notification{"firing", g}});
  const Incident& inc = r.incidents().begin()->second;
  ASSERT_EQ(inc.actions.size(), 1u);
  EXPECT_EQ(inc.actions[0].playbook, "league_burn");
  EXPECT_EQ(inc.actions[0].status, "pending_approval");
  EXPECT_EQ(inc.actions[0].target.describe(), "markets:1,2,3");
  EXPECT_TRUE(port.calls.empty());
}

// Issue 17, item 4: the schema canary's playbook on a lower league. The
// switch goes per blamed feed; with no healthy feed to switch to, the
// fallback suspends the league, and it is undone when a retried switch
// succeeds.
TEST(PlaybookRunner, AFallbackRunsWhileTheSwitchFailsAndIsUndoneWhenItWorks) {
  const char* file = R"(version: 1
routing:
  group_by: [service, league]
guards:
  max_actions: 10
playbooks:
  - name: skew
    when: {alertname: feed_schema_skew, top_league: "false"}
    actions:
      - {do: switch_feed}
      - {do: suspend_market, scope: league, if_previous_failed: true}
)";
  RecordingPort port;
  port.fail_switch = true;
  PlaybookRunner r(parse_playbook_file(file, "pb.yaml"), port);
  AlertGroup g;
  g.key = "service=odds,league=EPL";
  g.group_labels = {{"service", "odds"}, {"league", "EPL"}};
  g.severity = "ticket";
  Alert a;
  a.name = "feed_schema_skew";
  a.labels = {{"service", "odds"}, {"league", "EPL"}, {"sport", "football"}, {"feed", "primary"},
              {"top_league", "false"}};
  g.alerts.emplace(a.fingerprint(), a);
  r.on_notifications(1 * kS, {Notification{"firing", g}});
  const Incident& inc = r.incidents().begin()->second;
  ASSERT_EQ(inc.actions.size(), 2u);
  EXPECT_EQ(inc.actions[0].status, "failed");
  EXPECT_EQ(inc.actions[1].spec.type, ActionType::kSuspendMarket);
  EXPECT_EQ(inc.actions[1].status, "done");
  EXPECT_EQ(inc.actions[1].target.describe(), "markets:1,2,3");
  r.on_groups(2 * kS, {{g.key, g}});
  EXPECT_EQ(inc.actions.size(), 2u) << "suspended once";
  port.fail_switch = false;  // a feed carries the league again
  r.on_groups(3 * kS, {{g.key, g}});
  EXPECT_EQ(inc.actions[0].status, "done");
  EXPECT_EQ(inc.actions[1].status, "reverted");
  // A top league's skew is left to the staleness playbooks.
  PlaybookRunner top(parse_playbook_file(file, "pb.yaml"), port);
  AlertGroup t = g;
  t.alerts.clear();
  a.labels["top_league"] = "true";
  t.alerts.emplace(a.fingerprint(), a);
  top.on_notifications(1 * kS, {Notification{"firing", t}});
  EXPECT_TRUE(top.incidents().begin()->second.actions.empty());
}

TEST(PlaybookSpec, AFallbackNeedsAPreviousAction) {
  try {
    parse_playbook_file("version: 1\nplaybooks:\n  - name: x\n    when: {alertname: a}\n    actions:\n"
                        "      - {do: suspend_market, if_previous_failed: true}\n",
                        "pb.yaml");
    FAIL() << "accepted";
  } catch (const YamlError& e) {
    EXPECT_NE(std::string(e.what()).find("pb.yaml:6: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("the first action has no previous one"), std::string::npos) << e.what();
  }
}

TEST(PlaybookRunner, AStatusNoteIsPublishedReplacedTakenDownAndGoesWithTheResolve) {
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(kFile, "pb.yaml"), port);
  r.on_notifications(100 * kS, {note("firing", {1}, 98 * kS)});
  const Incident& inc = r.incidents().begin()->second;
  EXPECT_EQ(r.publish_status_note(99, PublicStatus::kDegraded, "x", "operator:ops", 101 * kS).error().code,
            ErrorCode::kIncidentNotFound);
  ASSERT_TRUE(r.publish_status_note(inc.id, PublicStatus::kDegraded, "Bets are slow.", "operator:ops", 101 * kS).ok());
  ASSERT_TRUE(r.publish_status_note(inc.id, PublicStatus::kMajorOutage, "Bets are paused.", "operator:lead", 102 * kS).ok());
  EXPECT_EQ(inc.status_note.message, "Bets are paused.");
  EXPECT_EQ(inc.status_note.published_ns, 101 * kS);  // first published, then replaced
  EXPECT_EQ(inc.status_note.updated_ns, 102 * kS);
  EXPECT_EQ(inc.status_note.actor, "operator:lead");
  EXPECT_EQ(inc.timeline.back().what, "status-page note replaced by operator:lead (major_outage): Bets are paused.");
  EXPECT_NE(std::find(port.audits.begin(), port.audits.end(), "status_note_published incident:1"), port.audits.end());
  // Taken down by hand; a second time there is nothing to take down.
  ASSERT_TRUE(r.clear_status_note(inc.id, "operator:ops", 103 * kS).value());
  EXPECT_FALSE(inc.status_note.published());
  EXPECT_FALSE(r.clear_status_note(inc.id, "operator:ops", 103 * kS).value());
  // Published again, then the incident resolves: the note comes down with it.
  ASSERT_TRUE(r.publish_status_note(inc.id, PublicStatus::kDegraded, "Bets are slow.", "operator:ops", 104 * kS).ok());
  r.on_notifications(110 * kS, {note("resolved", {1}, 98 * kS)});
  r.tick(141 * kS, {});
  ASSERT_EQ(inc.status, "resolved");
  EXPECT_FALSE(inc.status_note.published());
  bool said = false;
  for (auto& e : inc.timeline) said = said || e.what == "status-page note taken down: the incident resolved";
  EXPECT_TRUE(said);
  // A resolved incident takes no note.
  EXPECT_EQ(r.publish_status_note(inc.id, PublicStatus::kDegraded, "x", "operator:ops", 150 * kS).error().code,
            ErrorCode::kIncidentResolved);
  // A note never acts on the book: only the freeze and the switch the playbook did (and their reverts).
  for (auto& c : port.calls) EXPECT_EQ(c.find("status"), std::string::npos) << c;
}

namespace {

Notification bets_group(const std::string& status, const std::string& league, const std::string& alert,
                        const LabelSet& extra, int64_t start) {
  Notification n;
  n.status = status;
  n.group.key = "service=bets,league=" + league;
  n.group.group_labels = {{"service", "bets"}, {"league", league}};
  n.group.severity = "page";
  Alert a;
  a.name = alert;
  a.labels = extra;
  a.labels["service"] = "bets";
  if (!league.empty()) a.labels["league"] = league;
  a.starts_ns = start;
  if (status == "resolved") a.ends_ns = start + 1;
  n.group.alerts.emplace(a.fingerprint(), a);
  return n;
}

const char* kCorrelated = R"(version: 1
guards: {revert_after: 30s}
correlate:
  - cause: {alertname: market_bet_surge}
    effect: {alertname: slo_burn, slo: accept_latency}
    equal: [service]
    within: 5m
)";

}  // namespace

// One cause, one page (issue 17 item 5): the effect's group joins the
// cause's incident whichever fires first; an unrelated alert pages on its
// own; the incident recovers only once none of its groups fires, and a
// restart keeps the joined group on it.
TEST(PlaybookRunner, ACausalRuleKeepsOnePagePerCause) {
  RecordingPort port;
  PlaybookRunner r(parse_playbook_file(kCorrelated, "pb.yaml"), port);
  const LabelSet burn{{"slo", "accept_latency"}};
  r.on_notifications(100 * kS, {bets_group("firing", "", "slo_burn", burn, 99 * kS)});
  r.on_notifications(105 * kS, {bets_group("firing", "EPL", "market_bet_surge", {{"market_id", "7"}}, 104 * kS)});
  ASSERT_EQ(r.incidents().size(), 1u);
  const Incident& inc = r.incidents().begin()->second;
  EXPECT_EQ(inc.joined_groups, std::vector<std::string>{"service=bets,league=EPL"});
  EXPECT_EQ(inc.alerts, (std::vector<std::string>{"slo_burn", "market_bet_surge"}));
  // Another SLO's burn is another cause: its own page.
  r.on_notifications(106 * kS, {bets_group("firing", "Championship", "slo_burn", {{"slo", "settlement_lag"}}, 106 * kS)});
  EXPECT_EQ(r.incidents().size(), 2u);
  // The surge ends, the burn goes on: the incident stays open.
  r.on_notifications(110 * kS, {bets_group("resolved", "EPL", "market_bet_surge", {{"market_id", "7"}}, 104 * kS)});
  EXPECT_EQ(inc.status, "open");
  r.on_notifications(112 * kS, {bets_group("resolved", "", "slo_burn", burn, 99 * kS)});
  EXPECT_EQ(inc.status, "recovering");
  // The snapshot carries the joined group; restored, the surge firing
  // again lands on the same incident.
  std::vector<Incident> saved;
  for (auto& [id, i] : r.incidents()) saved.push_back(decode_incident(encode_incident(i)));
  EXPECT_EQ(saved[0].joined_groups, inc.joined_groups);
  PlaybookRunner again(parse_playbook_file(kCorrelated, "pb.yaml"), port);
  again.restore(saved, 120 * kS);
  again.on_notifications(121 * kS, {bets_group("firing", "EPL", "market_bet_surge", {{"market_id", "7"}}, 121 * kS)});
  EXPECT_EQ(again.incidents().size(), 2u);
  EXPECT_EQ(again.incidents().at(1).status, "open");
  // Outside the rule's window a surge is a new page.
  PlaybookRunner late(parse_playbook_file(kCorrelated, "pb.yaml"), port);
  late.on_notifications(100 * kS, {bets_group("firing", "", "slo_burn", burn, 99 * kS)});
  late.on_notifications(500 * kS, {bets_group("firing", "EPL", "market_bet_surge", {{"market_id", "7"}}, 499 * kS)});
  EXPECT_EQ(late.incidents().size(), 2u);
}
