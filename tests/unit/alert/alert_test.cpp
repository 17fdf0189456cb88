#include <gtest/gtest.h>

#include "alert/alert_pipeline.h"
#include "alert/alert_rules.h"
#include "alert/alert_wire.h"
#include "alert/slice_finder.h"
#include "slo/slo_spec.h"

using namespace inplay;

namespace {

constexpr int64_t kS = 1'000'000'000;

Alert stale(uint64_t market, const std::string& league, const std::string& sport = "football") {
  Alert a;
  a.name = "odds_stale";
  a.labels = {{"service", "odds"}, {"severity", "page"}, {"market_id", std::to_string(market)},
              {"league", league}, {"sport", sport}};
  a.annotations["summary"] = "stale";
  return a;
}

LabelSet one(const char* k, const char* v) {
  LabelSet l;
  l[k] = v;
  return l;
}

int64_t liability(uint64_t m) { return m == 7 ? 20'000'000 : 1000; }

}  // namespace

TEST(AlertRules, ThresholdNeedsItsForDurationAndResetsWhenItStops) {
  SloCatalogue c = parse_slo_catalogue(
      "version: 1\nslos:\n  - {name: a, path: p, service: bets, runbook: r, target: 0.99, sli: {kind: "
      "availability, source: bet_requests}}\n"
      "alerts:\n  - {name: odds_stale, signal: market_staleness_ratio, above: 1.0, for: 2s, service: odds, "
      "summary: s, runbook: r, top_markets_only: true}\n",
      "x.yaml");
  AlertRules rules(c);
  std::vector<SignalSample> s{{"market_staleness_ratio", one("market_id", "1"), 1.5, true},
                              {"market_staleness_ratio", one("market_id", "2"), 9.0, false},  // not top
                              {"market_staleness_ratio", one("market_id", "3"), 0.5, true}};
  EXPECT_TRUE(rules.evaluate(10 * kS, s, {}).empty());
  EXPECT_TRUE(rules.evaluate(11 * kS, s, {}).empty());
  auto fired = rules.evaluate(12 * kS, s, {});
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].label("market_id"), "1");
  EXPECT_EQ(fired[0].label("service"), "odds");
  EXPECT_EQ(fired[0].starts_ns, 10 * kS);
  s[0].value = 0.9;  // below: forgets
  EXPECT_TRUE(rules.evaluate(13 * kS, s, {}).empty());
  s[0].value = 2;
  EXPECT_TRUE(rules.evaluate(14 * kS, s, {}).empty());
}

TEST(AlertPipeline, GroupsManyMarketsIntoOneHighExposureNotificationSentFirst) {
  AlertPipeline p;
  // The High Exposure group (SerieA) comes after the other (Bundesliga) by
  // name, by arrival and by group id: only its exposure can put it first.
  std::vector<Alert> firing{stale(20, "Bundesliga")};
  for (uint64_t m = 1; m <= 8; ++m) firing.push_back(stale(m, "SerieA"));
  // group_wait 1 s: nothing at once.
  EXPECT_TRUE(p.update(100 * kS, firing, liability, true).empty());
  auto notes = p.update(101 * kS, firing, liability, true);
  ASSERT_EQ(notes.size(), 2u);  // SerieA and Bundesliga, not nine pages
  EXPECT_EQ(notes[0].group.key, "service=odds,league=SerieA");
  EXPECT_TRUE(notes[0].group.high_exposure);  // market 7 carries 200,000.00
  EXPECT_EQ(notes[0].group.markets.size(), 8u);
  EXPECT_EQ(notes[0].group.liability_minor, 20'000'000 + 7 * 1000);
  EXPECT_EQ(notes[1].group.key, "service=odds,league=Bundesliga");
  EXPECT_FALSE(notes[1].group.high_exposure);
  EXPECT_LT(notes[1].group.id, notes[0].group.id);  // created first, notified second
  // Unchanged: nothing until the repeat interval.
  EXPECT_TRUE(p.update(102 * kS, firing, liability, true).empty());
  // A new market joins: after group_interval (30 s) one update.
  firing.push_back(stale(9, "SerieA"));
  EXPECT_TRUE(p.update(110 * kS, firing, liability, true).empty());
  notes = p.update(131 * kS, firing, liability, true);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].group.markets.size(), 9u);
  // Everything resolves: one resolved notification per announced group, then closed.
  notes = p.update(140 * kS, {}, liability, true);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].status, "resolved");
  EXPECT_TRUE(p.groups().empty());
}

TEST(AlertPipeline, FeedDownInhibitsTheStalenessItCauses) {
  AlertPipeline p;
  Alert down;
  down.name = "feed_down";
  down.labels = {{"service", "odds"}, {"severity", "page"}, {"sport", "football"}};
  std::vector<Alert> firing{down, stale(1, "EPL"), stale(2, "EPL"), stale(30, "NBA", "basketball")};
  p.update(0, firing, liability, true);
  auto notes = p.update(1 * kS, firing, liability, true);
  EXPECT_EQ(p.inhibited_now().size(), 2u);  // football staleness only
  std::set<std::string> keys;
  for (auto& n : notes) keys.insert(n.group.key);
  EXPECT_EQ(keys, (std::set<std::string>{"service=odds,league=", "service=odds,league=NBA"}));
}

// Issue 17, item 6: an alert that names no market (the active feed is
// down) affects the markets the app resolves for it: the group's impact and
// High Exposure count them, while the markets actions act on stay those its
// alerts name.
TEST(AlertPipeline, AnAlertWithoutMarketsCountsTheMarketsItAffects) {
  AlertPipeline p;
  Alert down;
  down.name = "feed_down";
  down.labels = {{"service", "odds"}, {"severity", "page"}, {"sport", "football"}, {"feed", "primary"}};
  p.update(0, {down}, liability, true);
  auto notes = p.update(1 * kS, {down}, liability, true);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(notes[0].group.affected.empty());  // nothing resolves it: "0 markets"
  EXPECT_FALSE(notes[0].group.high_exposure);
  AlertPipeline q;
  q.set_affected([](const Alert& a) {
    return a.label("feed") == "primary" ? std::vector<uint64_t>{5, 6, 7} : std::vector<uint64_t>{};
  });
  q.update(0, {down}, liability, true);
  notes = q.update(1 * kS, {down}, liability, true);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].group.affected, (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_TRUE(notes[0].group.markets.empty());
  EXPECT_EQ(notes[0].group.liability_minor, 2 * 1000 + 20'000'000);
  EXPECT_TRUE(notes[0].group.high_exposure);
}

TEST(AlertPipeline, RateLimitDelaysAndQuietHoursHoldTicketsExceptOnMatchDays) {
  RoutingConfig cfg;
  cfg.max_notifications_per_minute = 2;
  cfg.group_wait_ns = 0;
  cfg.quiet_from_minute = 0;  // 00:00-23:59 UTC quiet
  cfg.quiet_to_minute = 1439;
  AlertPipeline p(cfg);
  std::vector<Alert> firing;
  for (int i = 0; i < 3; ++i) firing.push_back(stale(i + 1, "L" + std::to_string(i)));
  auto notes = p.update(10 * kS, firing, liability, true);
  EXPECT_EQ(notes.size(), 2u);
  EXPECT_EQ(p.rate_limited_total(), 1u);
  EXPECT_EQ(p.update(71 * kS, firing, liability, true).size(), 1u);  // the held one, a minute on

  AlertPipeline q(cfg);
  Alert t = stale(1, "EPL");
  t.labels["severity"] = "ticket";
  EXPECT_TRUE(q.update(10 * kS, {t}, liability, false).empty());  // quiet hours, no match
  EXPECT_EQ(q.update(11 * kS, {t}, liability, true).size(), 1u);  // match day: quiet hours off
}

TEST(AlertWire, WebhookRoundTripsThroughTheReceiver) {
  AlertPipeline p(RoutingConfig{{"service"}, 0});
  auto notes = p.update(5 * kS, {stale(1, "EPL"), stale(2, "EPL")}, liability, true);
  ASSERT_EQ(notes.size(), 1u);
  std::string body = webhook_payload(notes[0], "inplay", "http://127.0.0.1:8080");
  EXPECT_NE(body.find("\"version\":\"4\""), std::string::npos);
  EXPECT_NE(body.find("\"commonLabels\":{\"alertname\":\"odds_stale\",\"league\":\"EPL\""), std::string::npos);
  auto r = parse_alertmanager_webhook(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().alerts.size(), 2u);
  EXPECT_EQ(r.value().alerts[0].name, "odds_stale");
  EXPECT_EQ(r.value().alerts[0].label("market_id") + r.value().alerts[1].label("market_id") == "12" ||
                r.value().alerts[0].label("market_id") + r.value().alerts[1].label("market_id") == "21",
            true);
  EXPECT_EQ(r.value().alerts[0].starts_ns, 5 * kS);
  EXPECT_EQ(r.value().alerts[0].source, "alertmanager");

  for (const char* bad : {"", "[]", "{\"alerts\":1}", "{\"alerts\":[{\"labels\":{\"x\":1}}]}",
                          "{\"alerts\":[{\"labels\":{\"alertname\":\"a\"},\"startsAt\":\"yesterday\"}]}"})
    EXPECT_FALSE(parse_alertmanager_webhook(bad).ok()) << bad;
  std::string v2 = alertmanager_v2_alerts({stale(3, "EPL")}, "http://x");
  EXPECT_EQ(v2.rfind("[{\"labels\":{\"alertname\":\"odds_stale\"", 0), 0u);
}

TEST(SliceFinder, NamesTheOverRepresentedValues) {
  std::vector<TraceAttrs> traces;
  for (int i = 0; i < 100; ++i) {
    bool epl = i < 30;
    TraceAttrs t;
    t.bad = epl ? (i % 10 != 0) : (i % 25 == 0);  // 27 bad EPL, 3 bad others
    t.attrs = {{"league", epl ? "EPL" : (i % 2 ? "LaLiga" : "SerieA")},
               {"parser_schema", epl ? "2.0" : "1.4"},
               {"bet_id", std::to_string(i)},
               {"producer", "football-primary"}};
    traces.push_back(t);
  }
  SliceQuery q;
  auto r = rank_slices(traces, q);
  EXPECT_EQ(r.bad_traces, 29u);
  ASSERT_GE(r.values.size(), 2u);
  std::set<std::string> top{r.values[0].key + "=" + r.values[0].value, r.values[1].key + "=" + r.values[1].value};
  EXPECT_EQ(top, (std::set<std::string>{"league=EPL", "parser_schema=2.0"}));
  for (auto& v : r.values) EXPECT_NE(v.key, "bet_id");
  for (auto& v : r.values) EXPECT_NE(v.value, "football-primary");  // everywhere: no lift
  EXPECT_NE(r.summary().find("league=EPL (93% of bad"), std::string::npos);
}

TEST(AlertWire, ReceiverIgnoresNullAnnotationsAndHugeNumbersElsewhere) {
  auto r = parse_alertmanager_webhook(
      R"({"x":100000000000000000000000000000,"alerts":[{"labels":{"alertname":"a"},"annotations":null,)"
      R"("startsAt":"2026-11-28T15:00:00Z"}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().alerts.size(), 1u);
  EXPECT_FALSE(parse_alertmanager_webhook(R"({"alerts":[{"labels":null,"startsAt":"2026-11-28T15:00:00Z"}]})").ok());
  EXPECT_FALSE(parse_alertmanager_webhook(R"({"alerts":[{"labels":{"alertname":"a"},"startsAt":"9999-01-01T00:00:00Z"}]})").ok());
}
