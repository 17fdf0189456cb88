#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <memory>

#include "core/yaml_reader.h"
#include "slo/latency_window.h"
#include "slo/rolling_counts.h"
#include "slo/slo_evaluator.h"
#include "slo/slo_spec.h"

using namespace inplay;

namespace {

SloCatalogue one_slo(const std::string& extra_sli = "", const std::string& extra = "") {
  return parse_slo_catalogue(
      "version: 1\n"
      "slos:\n"
      "  - name: accept\n"
      "    path: place a bet\n"
      "    service: bets\n"
      "    runbook: docs/runbooks.md#accept\n"
      "    target: 0.999\n"
      "    period: 30d\n"
      "    slice_by: [league]\n"
      "    sli:\n"
      "      kind: latency\n"
      "      source: bet_accept\n"
      "      threshold: 250ms\n" +
          extra_sli + extra,
      "slos.yaml");
}

std::string parse_error(const std::string& text) {
  try {
    parse_slo_catalogue(text, "slos.yaml");
  } catch (const YamlError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(RollingCounts, WindowsSlideSecondBySecond) {
  RollingCounts rc({3, 10});
  for (int t = 0; t < 20; ++t) rc.add(t, t % 2 ? 1 : 0, 1);  // odd seconds good
  // Window 3 covers 17,18,19: good at 17 and 19.
  EXPECT_DOUBLE_EQ(rc.window(0).valid, 3);
  EXPECT_DOUBLE_EQ(rc.window(0).good, 2);
  EXPECT_DOUBLE_EQ(rc.window(1).valid, 10);
  EXPECT_DOUBLE_EQ(rc.window(1).good, 5);
  rc.advance(21);  // 20 and 21 empty: window 3 = {19,20,21}
  EXPECT_DOUBLE_EQ(rc.window(0).valid, 1);
  rc.advance(1000);  // a jump past the ring clears everything
  EXPECT_DOUBLE_EQ(rc.window(1).valid, 0);
  EXPECT_FALSE(rc.add(10, 1, 1));  // older than the ring
  EXPECT_TRUE(rc.add(995, 1, 1));
  EXPECT_DOUBLE_EQ(rc.window(1).valid, 1);
  EXPECT_DOUBLE_EQ(rc.window(0).valid, 0);
}

TEST(RollingCounts, MatchesBruteForceOnRandomTraffic) {
  RollingCounts rc({1, 7, 60});
  std::vector<std::pair<double, double>> per(400);
  uint64_t x = 12345;
  for (int t = 0; t < 400; ++t) {
    int n = static_cast<int>((x = x * 6364136223846793005ULL + 1) >> 61);
    for (int i = 0; i < n; ++i) {
      bool g = ((x = x * 6364136223846793005ULL + 1) >> 63) != 0;
      rc.add(t, g, 1);
      per[t].first += g;
      per[t].second += 1;
    }
    rc.advance(t);
    for (size_t w = 0; w < 3; ++w) {
      double good = 0, valid = 0;
      for (int s = std::max(0, t - static_cast<int>(rc.window_seconds(w)) + 1); s <= t; ++s) {
        good += per[s].first;
        valid += per[s].second;
      }
      ASSERT_DOUBLE_EQ(rc.window(w).good, good) << "t=" << t << " w=" << w;
      ASSERT_DOUBLE_EQ(rc.window(w).valid, valid);
    }
  }
}

// Windows past RollingCounts::kExactS are kept in buckets of
// ceil(w / kExactS) seconds: against brute force over the same buckets, on
// traffic that runs four days with gaps, while the short windows stay exact
// per second. No ring holds more than kExactS + 1 buckets.
TEST(RollingCounts, LongWindowsCountInBucketsAndMatchBruteForce) {
  const std::vector<int64_t> windows{30, 3600, 6 * 3600, 3 * 86400};
  RollingCounts rc(windows);
  struct Ev {
    int64_t t;
    double good, valid;
  };
  std::vector<Ev> evs;
  uint64_t x = 99;
  auto next = [&] { return (x = x * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  int64_t t = 1'700'000'000;
  const int64_t end = t + 4 * 86400;
  while (t < end) {
    t += static_cast<int64_t>(next() % 240);  // 0-4 minutes on, sometimes the same second
    const int n = static_cast<int>(next() % 4);
    for (int i = 0; i < n; ++i) {
      const double g = static_cast<double>(next() % 2);
      ASSERT_TRUE(rc.add(t, g, 1));
      evs.push_back(Ev{t, g, 1});
    }
    rc.advance(t);
    for (size_t w = 0; w < windows.size(); ++w) {
      const int64_t width = (windows[w] + RollingCounts::kExactS - 1) / RollingCounts::kExactS;
      const int64_t k = (windows[w] + width - 1) / width;
      double good = 0, valid = 0;
      for (const Ev& e : evs) {
        if (e.t / width > t / width - k) {
          good += e.good;
          valid += e.valid;
        }
      }
      ASSERT_DOUBLE_EQ(rc.window(w).valid, valid) << "t=" << t << " w=" << windows[w];
      ASSERT_DOUBLE_EQ(rc.window(w).good, good) << "t=" << t << " w=" << windows[w];
    }
  }
  // The 30 s and 1 h windows are per second: exactly (t - w, t].
  double last_hour = 0;
  for (const Ev& e : evs) last_hour += e.t > t - 3600 ? e.valid : 0;
  EXPECT_DOUBLE_EQ(rc.window(1).valid, last_hour);
}

TEST(SloSpec, ShippedCatalogueLoads) {
  SloCatalogue c = load_slo_file(std::string(INPLAY_SOURCE_DIR) + "/config/slos.yaml");
  for (const char* name : {"odds_freshness", "accept_latency", "accept_latency_exposure_weighted", "bet_errors",
                           "wallet_auth_success", "wallet_duplicate_tx", "settlement_lag",
                           "settlement_correctness", "cashout_freshness", "kyc_screening"})
    EXPECT_NE(c.find(name), nullptr) << name;
  const SloSpec* a = c.find("accept_latency");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->sli.threshold_ms, 250);
  EXPECT_GT(a->sli.per_market_cap, 0);
  EXPECT_GE(a->sli.cap_window_s, 300);
  EXPECT_LE(a->sli.cap_window_s, 600);
  EXPECT_TRUE(c.find("accept_latency_exposure_weighted")->sli.stake_weighted);
  EXPECT_FALSE(c.alerts.empty());
}

TEST(SloSpec, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(parse_error("version: 1\nslos:\n  - name: Bad Name\n"),
            "slos.yaml:3: slos[0].name: must be lower-case letters, digits and _");
  std::string base = "version: 1\nslos:\n  - name: a\n    path: p\n    service: bets\n    runbook: r\n";
  EXPECT_EQ(parse_error(base + "    target: 1.0\n    sli: {kind: availability, source: bet_requests}\n"),
            "slos.yaml:7: slos[0].target: must be between 0.5 and 0.999999");
  EXPECT_EQ(parse_error(base + "    target: 0.99\n    sli: {kind: availability, source: bets_typo}\n"),
            "slos.yaml:8: slos[0].sli.source: unknown source 'bets_typo'");
  EXPECT_EQ(parse_error(base + "    target: 0.99\n    sli: {kind: latency, source: bet_accept, threshold: 2 s}\n"),
            "slos.yaml:8: slos[0].sli.threshold: must be a duration like 250ms, 30s, 5m, 6h or 28d");
  EXPECT_EQ(parse_error(base + "    target: 0.99\n    sli: {kind: availability, source: bet_requests}\n    colour: red\n"),
            "slos.yaml:9: slos[0].colour: unknown key");
  EXPECT_EQ(parse_error(base + "    target: 0.99\n    sli: {kind: availability, source: bet_requests}\n"
                               "    burn_alerts:\n      - {tier: fast, long: 5m, short: 1h, burn_rate: 14.4}\n"),
            "slos.yaml:10: slos[0].burn_alerts[0].short: must be shorter than long");
  EXPECT_EQ(parse_error("version: 1\nslos: [\n"), "slos.yaml:3: end of sequence flow not found");
  EXPECT_NE(parse_error(base + "    target: 0.99\n    sli: {kind: availability, source: bet_requests}\n" +
                        "  - name: a\n    path: p\n    service: bets\n    runbook: r\n    target: 0.99\n"
                        "    sli: {kind: availability, source: bet_requests}\n")
                .find("slos.yaml:9: slos[1].name: SLO 'a' is defined twice"),
            std::string::npos);
}

// The workbook's detection time for a 100% error rate: with an error ratio
// e, a window w and burn-rate threshold b, the alert fires after
// (1 - SLO) / e * w * b ("Alerting on SLOs", approach 4, detection time).
// For a 99.9% SLO and 100% errors: 14.4 over 1h -> 51.84 s (2% of a 30-day
// budget), 6 over 6h -> 129.6 s (5%), 1 over 3d -> 259.2 s (10%). The short
// windows (5m, 30m, 6h) cross first, so the long window decides. The
// evaluator ticks whole seconds: it must fire at the first whole second at or
// after the workbook's figure.
TEST(SloEvaluator, DetectionTimesMatchTheWorkbookTable) {
  SloCatalogue c = one_slo();
  SloEvaluator ev(c);
  const int64_t t0 = 10 * 86400;
  // Four days of good traffic first (longer than the longest window), 10/s.
  for (int64_t t = t0 - 4 * 86400; t < t0; ++t) {
    for (int i = 0; i < 10; ++i) ev.on_bet_decision(t, {1, "EPL", ""}, 1000000, 100);
    if (t % 3600 == 0) ev.tick(t);
  }
  struct Row {
    const char* tier;
    double workbook_s;
    int64_t fired_at = -1;
  } rows[] = {{"fast", 51.84}, {"medium", 129.6}, {"slow", 259.2}};
  for (int64_t t = t0; t < t0 + 400; ++t) {
    for (int i = 0; i < 10; ++i) ev.on_bet_decision(t, {1, "EPL", ""}, 900000000, 100);  // all slow
    ev.tick(t);
    const SloStatus& st = ev.status()[0];
    for (auto& r : rows)
      for (auto& b : st.burns)
        if (b.tier == r.tier && b.firing && r.fired_at < 0) r.fired_at = t - t0 + 1;  // seconds of errors
  }
  for (auto& r : rows) {
    SCOPED_TRACE(r.tier);
    EXPECT_EQ(r.fired_at, static_cast<int64_t>(std::ceil(r.workbook_s)));
  }
  const SloStatus& st = ev.status()[0];
  EXPECT_TRUE(st.firing);
  EXPECT_EQ(st.severity, Severity::kPage);
  ASSERT_FALSE(st.slices.empty());
  EXPECT_EQ(st.slices[0].value, "EPL");
  EXPECT_TRUE(st.slices[0].firing);
}

TEST(SloEvaluator, FastAndSlowTogetherAreOneAlertAtTheHigherSeverity) {
  SloCatalogue c = one_slo();
  SloEvaluator ev(c);
  for (int64_t t = 0; t < 4 * 86400; t += 1) ev.on_bet_decision(t, {1, "", ""}, 900000000, 1);
  ev.tick(4 * 86400 - 1);
  const SloStatus& st = ev.status()[0];
  int firing = 0;
  for (auto& b : st.burns) firing += b.firing;
  EXPECT_EQ(firing, 3);
  EXPECT_TRUE(st.firing);
  EXPECT_EQ(st.severity, Severity::kPage);
  EXPECT_LT(st.budget_remaining, 0);
}

TEST(SloEvaluator, PerMarketCapKeepsOneHotMarketFromHidingOthers) {
  SloCatalogue c = one_slo("      per_market_cap: 100\n      cap_window: 5m\n");
  SloEvaluator ev(c);
  // Market 1: 10,000 fast bets. Market 2: 100 slow bets.
  for (int i = 0; i < 10000; ++i) ev.on_bet_decision(100, {1, "", ""}, 1000000, 1);
  for (int i = 0; i < 100; ++i) ev.on_bet_decision(100, {2, "", ""}, 900000000, 1);
  ev.tick(100);
  // Without the cap the bad ratio would be 100/10100 (1%, burn 10, under the
  // page's 14.4). The cap is a rate (100 per 300 s); a market's k-th bet of
  // its first bucket (5 s) runs at k/5 per second, so it counts (1/3) / (k/5).
  auto weighs = [](int n) {
    double w = 0;
    for (int k = 1; k <= n; ++k) w += std::min(1.0, (100.0 / 300.0) / (k / 5.0));
    return w;
  };
  const SloStatus& st = ev.status()[0];
  EXPECT_NEAR(st.burns[0].burn_short, weighs(100) / (weighs(10000) + weighs(100)) / 0.001, 1e-6);
  EXPECT_GT(st.burns[0].burn_short, 14.4 * 10);
  // Steady state: a market at 10 fast bets a second for 10 minutes (6,000
  // bets, 60 times the cap rate) weighs the cap per 5-minute window.
  SloEvaluator steady(c);
  for (int64_t t = 1000; t < 1600; ++t)
    for (int i = 0; i < 10; ++i) steady.on_bet_decision(t, {1, "", ""}, 1000000, 1);
  steady.tick(1599);
  // (Its first bucket counts a little more: its rate is read over the bucket.)
  EXPECT_NEAR(steady.totals("accept", "market_id", "1")->valid, 200, 10);
  // A market under the cap rate counts every bet in full.
  SloEvaluator quiet(c);
  for (int64_t t = 1000; t < 1600; t += 5) quiet.on_bet_decision(t, {2, "", ""}, 1000000, 1);
  quiet.tick(1599);
  EXPECT_DOUBLE_EQ(quiet.totals("accept", "market_id", "2")->valid, 120);
}

// Issue 17, item 3: when every market is busy the cap must not stop the
// count. Each market passes its cap with fast bets, then the whole book
// turns slow: the slow decisions still count (a hard cap counted nothing
// from then on: burn 0 while every bet took 90 s).
TEST(SloEvaluator, PerMarketCapNeverStopsCountingWhenEveryMarketIsBusy) {
  SloCatalogue c = one_slo("      per_market_cap: 200\n      cap_window: 10m\n");
  SloEvaluator ev(c);
  for (uint64_t m = 1; m <= 9; ++m)
    for (int i = 0; i < 400; ++i) ev.on_bet_decision(10, {m, "EPL", ""}, 50000000, 1);
  for (int64_t t = 11; t <= 60; ++t) {
    for (uint64_t m = 1; m <= 9; ++m)
      for (int i = 0; i < 5; ++i) ev.on_bet_decision(t, {m, "EPL", ""}, 90000000000, 1);
    ev.tick(t);
  }
  // The first tier's windows (1h / 5m) hold the fast start too: the slow
  // 50 s still burn far over the page's 14.4.
  const SloStatus& st = ev.status()[0];
  EXPECT_GT(st.burns[0].burn_short, 14.4 * 10);
  EXPECT_GT(st.burns[0].burn_long, 14.4 * 10);
  EXPECT_TRUE(st.firing);
}

TEST(SloEvaluator, StakeWeightingCountsBigSlowBetsMore) {
  SloCatalogue c = one_slo("      weight: stake\n");
  SloEvaluator ev(c);
  ev.on_bet_decision(5, {1, "", ""}, 1000000, 100);       // fast, small
  ev.on_bet_decision(5, {1, "", ""}, 900000000, 9900);    // slow, large
  ev.tick(5);
  EXPECT_NEAR(ev.status()[0].sli, 0.01, 1e-9);
}

TEST(SloEvaluator, TotalsSourcesCountDeltasAndUnfedSourcesHaveNoData) {
  SloCatalogue c = parse_slo_catalogue(
      "version: 1\nslos:\n"
      "  - {name: errors, path: p, service: bets, runbook: r, target: 0.998, sli: {kind: availability, source: bet_requests}}\n"
      "  - {name: psp, path: p, service: wallet, runbook: r, target: 0.995, sli: {kind: availability, source: wallet_tx_unique}}\n",
      "x.yaml");
  SloEvaluator ev(c);
  ev.on_totals("bet_requests", 1, 1000, 1000);  // baseline, not counted
  ev.tick(1);
  EXPECT_FALSE(ev.status()[0].has_data) << "fed, but no event in the period yet: no SLI to speak of";
  EXPECT_TRUE(ev.status()[0].wired);
  ev.on_totals("bet_requests", 2, 1990, 2000);
  ev.tick(2);
  EXPECT_TRUE(ev.status()[0].has_data);
  EXPECT_DOUBLE_EQ(ev.status()[0].valid_events, 1000);
  EXPECT_NEAR(ev.status()[0].sli, 0.99, 1e-12);
  // Every declared source is fed by a hop now; one that has not reported
  // yet (no PSP reconciled) has no data to speak of, however wired.
  EXPECT_FALSE(ev.status()[1].has_data);
  EXPECT_TRUE(ev.status()[1].wired);
}

TEST(SloEvaluator, TotalsOfEachRouteHaveTheirOwnBaseline) {
  SloCatalogue c = parse_slo_catalogue(
      "version: 1\nslos:\n"
      "  - {name: psp, path: p, service: wallet, runbook: r, target: 0.995, slice_by: [psp_route],"
      " sli: {kind: availability, source: wallet_auth}}\n",
      "x.yaml");
  SloEvaluator ev(c);
  for (int64_t t = 1; t <= 5; ++t) {
    // psp-a has answered 5 (all authorised) since the start, psp-b none: every tick reports both.
    ev.on_totals("wallet_auth", t, 5, 5, SloEvaluator::Labels{0, {}, {}, "psp-a"});
    ev.on_totals("wallet_auth", t, 0, 0, SloEvaluator::Labels{0, {}, {}, "psp-b"});
    ev.tick(t);
  }
  ev.on_totals("wallet_auth", 6, 7, 8, SloEvaluator::Labels{0, {}, {}, "psp-a"});
  ev.on_totals("wallet_auth", 6, 0, 0, SloEvaluator::Labels{0, {}, {}, "psp-b"});
  ev.tick(6);
  EXPECT_DOUBLE_EQ(ev.status()[0].valid_events, 3) << "only what psp-a answered after its baseline";
  EXPECT_NEAR(ev.status()[0].sli, 2.0 / 3.0, 1e-12);
}

TEST(SloEvaluator, TotalsOfTwoPspRoutesCountApart) {
  // Found by the psp-slow game day: the two routes' cumulative totals shared
  // one baseline, so each tick counted the gap between them as events.
  SloCatalogue c = parse_slo_catalogue(
      "version: 1\nslos:\n"
      "  - {name: auth, path: p, service: wallet, runbook: r, target: 0.995, sli: {kind: availability, source: wallet_auth}}\n",
      "x.yaml");
  SloEvaluator ev(c);
  for (int t = 1; t <= 3; ++t) {
    ev.on_totals("wallet_auth", t, 100 + t * 10, 100 + t * 10, {0, {}, {}, "psp-a"});
    ev.on_totals("wallet_auth", t, 5 * t, 6 * t, {0, {}, {}, "psp-b"});
    ev.tick(t);
  }
  // Ticks 2 and 3: psp-a 20 good of 20, psp-b 10 good of 12.
  EXPECT_DOUBLE_EQ(ev.status()[0].valid_events, 32);
  EXPECT_NEAR(ev.status()[0].sli, 30.0 / 32.0, 1e-12);
}

TEST(LatencyWindow, QuantileWithinBoundOverTheWindow) {
  LatencyWindow w(300, 10);
  for (int i = 1; i <= 1000; ++i) w.add(50, i * 1000000LL);  // 1..1000 ms
  int64_t p99 = w.quantile(0.99);
  EXPECT_NEAR(static_cast<double>(p99), 990e6, 990e6 * 0.0625);
  EXPECT_EQ(w.count(), 1000u);
  w.advance(50 + 300);  // the slice of second 50 has left the window
  EXPECT_EQ(w.count(), 0u);
  EXPECT_EQ(w.quantile(0.99), 0);
}

TEST(SloEvaluator, OddsUpdatesCountTheLatencyFromTheProvidersTimestamp) {
  // ODDS-2: 300 ms from provider timestamp to live; the shipped catalogue
  // carries it (p95) and its median twin.
  SloCatalogue c = parse_slo_catalogue(
      "version: 1\nslos:\n"
      "  - {name: odds_latency, path: p, service: odds, runbook: r, target: 0.95, slice_by: [league, feed],\n"
      "     sli: {kind: latency, source: odds_updates, threshold: 300ms}, burn_alerts: []}\n",
      "x.yaml");
  SloEvaluator ev(c);
  for (int i = 0; i < 18; ++i) ev.on_odds_update(3, {101, "EPL", "football-primary"}, 120'000'000);
  ev.on_odds_update(3, {101, "EPL", "football-primary"}, 300'000'000);  // at the threshold: good
  ev.on_odds_update(3, {102, "EPL", "football-primary"}, 2'500'000'000);  // a late line: bad
  ev.tick(3);
  ASSERT_TRUE(ev.status()[0].has_data);
  EXPECT_TRUE(ev.status()[0].wired);
  EXPECT_DOUBLE_EQ(ev.status()[0].valid_events, 20);
  EXPECT_NEAR(ev.status()[0].sli, 0.95, 1e-12);
  // The source needs its threshold.
  EXPECT_NE(parse_error("version: 1\nslos:\n  - {name: x, path: p, service: odds, runbook: r, target: 0.9,"
                        " sli: {kind: freshness, source: odds_updates}}\n"),
            "");
  const SloCatalogue shipped = parse_slo_catalogue(
      [] {
        std::ifstream f(INPLAY_SOURCE_DIR "/config/slos.yaml");
        return std::string(std::istreambuf_iterator<char>(f), {});
      }(),
      "config/slos.yaml");
  int odds_latency = 0;
  for (const auto& s : shipped.slos) odds_latency += s.sli.source == "odds_updates";
  EXPECT_EQ(odds_latency, 2);
}

TEST(SloEvaluator, SupportRepliesCountTheFirstReplyAgainstItsThreshold) {
  // SUP-1: first reply within 60 s; the shipped catalogue carries it and the
  // support_tag_spike alert on a wired signal.
  SloCatalogue c = parse_slo_catalogue(
      "version: 1\nslos:\n"
      "  - {name: first_reply, path: p, service: support, runbook: r, target: 0.95,\n"
      "     sli: {kind: latency, source: support_replies, threshold: 60s}, burn_alerts: []}\n",
      "x.yaml");
  SloEvaluator ev(c);
  for (int i = 0; i < 18; ++i) ev.on_support_reply(3, {}, 20'000'000'000);
  ev.on_support_reply(3, {}, 60'000'000'000);   // at the threshold: good
  ev.on_support_reply(3, {}, 600'000'000'000);  // ten minutes: bad
  ev.tick(3);
  ASSERT_TRUE(ev.status()[0].has_data);
  EXPECT_TRUE(ev.status()[0].wired);
  EXPECT_NEAR(ev.status()[0].sli, 0.95, 1e-12);
  const SloCatalogue shipped = parse_slo_catalogue(
      [] {
        std::ifstream f(INPLAY_SOURCE_DIR "/config/slos.yaml");
        return std::string(std::istreambuf_iterator<char>(f), {});
      }(),
      "config/slos.yaml");
  const SloSpec* s = shipped.find("support_first_reply");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sli.source, "support_replies");
  EXPECT_EQ(s->sli.threshold_ms, 60000);
  bool spike = false;
  for (const auto& a : shipped.alerts)
    if (a.name == "support_tag_spike") {
      spike = true;
      EXPECT_EQ(a.signal, "support_tag_rate_ratio");
      EXPECT_EQ(a.above, 3);
      EXPECT_TRUE(alert_signal_wired(a.signal));
    }
  EXPECT_TRUE(spike);
}
