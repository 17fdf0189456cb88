// Scenario files (src/gameday/scenario.h): every key of the format parses to
// what it says; a mistake fails at load with file, line and reason.
#include "gameday/scenario.h"

#include <gtest/gtest.h>

#include "core/yaml_reader.h"

namespace inplay {
namespace {

const char* kHead =
    "name: t\n"
    "duration: 120s\n"
    "matches:\n"
    "  - {league: EPL, home: A, away: B, kickoff_in: 1m}\n"
    "  - {league: Championship, home: C, away: D, minute: 30}\n";

std::string load_error(const std::string& body) {
  try {
    parse_scenario(std::string(kHead) + body, "s.yaml");
  } catch (const YamlError& e) {
    return e.what();
  }
  return "";
}

TEST(Scenario, LoadEngineFaultsAndExpectationsParse) {
  Scenario s = parse_scenario(std::string(kHead) +
                                  "engine: {bet_cost: 4ms}\n"
                                  "load:\n"
                                  "  bets_per_second: 40\n"
                                  "  wave_factor: 10\n"
                                  "  steps: [{at: 90s, bets_per_second: 10}, {at: 30s, bets_per_second: 20}]\n"
                                  "faults:\n"
                                  "  - {at: 60s, surge: {match: 1, market: btts, bets_per_second: 150, for: 30s}}\n"
                                  "  - {at: 20s, engine: {bet_cost: 9ms}}\n"
                                  "  - {at: 40s, feed: football-primary, jitter_ms: 300, drop: 0.1}\n"
                                  "expect:\n"
                                  "  - {alert: market_bet_surge, within: 10s, labels: {league: EPL}}\n"
                                  "  - {sli: accept_latency, within_target: false, from: 60s, to: 90s}\n"
                                  "  - {no_stale_accept: true}\n"
                                  "  - {no_duplicate_tx: true}\n",
                              "s.yaml");
  EXPECT_EQ(s.file, "s.yaml");
  EXPECT_EQ(s.bet_cost_ms, 4);
  EXPECT_EQ(s.bets_per_second, 40);
  EXPECT_EQ(s.wave_factor, 10);
  ASSERT_EQ(s.load_steps.size(), 2u);
  EXPECT_EQ(s.load_steps[0].at_s, 30);  // sorted
  EXPECT_EQ(s.load_steps[1].bets_per_second, 10);
  ASSERT_EQ(s.faults.size(), 3u);  // sorted by time
  EXPECT_EQ(s.faults[0].kind, ScenarioFault::Kind::kEngine);
  EXPECT_EQ(s.faults[0].bet_cost_ms, 9);
  EXPECT_EQ(s.faults[0].describe(), "20s engine: 9 ms per bet");
  EXPECT_EQ(s.faults[1].kind, ScenarioFault::Kind::kFeed);
  EXPECT_EQ(s.faults[1].change.jitter_ms.value_or(0), 300);
  const ScenarioFault& surge = s.faults[2];
  EXPECT_EQ(surge.kind, ScenarioFault::Kind::kSurge);
  EXPECT_EQ(surge.match, 1u);
  EXPECT_EQ(surge_market_index(surge.market), 2u);
  EXPECT_EQ(surge.bets_per_s, 150);
  EXPECT_EQ(surge.for_s, 30);
  EXPECT_EQ(surge.describe(), "60s surge: match 1 btts +150 bets/s for 30 s");
  ASSERT_EQ(s.expect.size(), 4u);
  EXPECT_EQ(s.expect[0].labels.at("league"), "EPL");
  EXPECT_EQ(s.expect[0].describe(), "alert market_bet_surge with league=EPL fires within 10 s of the first fault");
  EXPECT_EQ(s.expect[1].kind, Expectation::Kind::kSli);
  EXPECT_FALSE(s.expect[1].within_target);
  EXPECT_EQ(s.expect[1].from_s, 60);
  EXPECT_EQ(s.expect[1].to_s, 90);
  EXPECT_EQ(s.expect[1].line, 17);
  EXPECT_EQ(s.expect[2].kind, Expectation::Kind::kNoStaleAccept);
  EXPECT_EQ(s.expect[3].kind, Expectation::Kind::kNoDuplicateTx);
}

TEST(Scenario, ASupportTagSpikeAndNoActionAtAll) {
  Scenario s = parse_scenario(std::string(kHead) +
                                  "load: {support_contacts_per_minute: 6}\n"
                                  "faults:\n  - {at: 60s, support_tag_spike: {tag: delay, contacts_per_minute: 30, for: 30s}}\n"
                                  "expect:\n  - {no_action: any}\n",
                              "s.yaml");
  EXPECT_EQ(s.support_contacts_per_minute, 6);
  ASSERT_EQ(s.faults.size(), 1u);
  EXPECT_EQ(s.faults[0].kind, ScenarioFault::Kind::kSupportSpike);
  EXPECT_EQ(s.faults[0].describe(), "60s support_tag_spike: +30 contacts/min tagged delay for 30 s");
  EXPECT_EQ(s.expect[0].kind, Expectation::Kind::kNoAction);
  EXPECT_EQ(s.expect[0].describe(), "no action runs (automatic or manual)");
  EXPECT_EQ(load_error("faults:\n  - {at: 60s, support_tag_spike: {tag: dealy, contacts_per_minute: 30, for: 30s}}\n"),
            "s.yaml:7: faults[0].support_tag_spike.tag: 'dealy' is not a support tag (did you mean 'delay'?) "
            "(delay, cashout, settlement, payment, account, odds)");
  EXPECT_EQ(load_error("faults:\n  - {at: 60s, support_tag_spike: {tag: delay, for: 30s}}\n"),
            "s.yaml:7: faults[0].support_tag_spike: missing required key 'contacts_per_minute'");
}

TEST(Scenario, APspFaultAndThePaymentExpectations) {
  Scenario s = parse_scenario(std::string(kHead) +
                                  "load: {payments_per_minute: 30}\n"
                                  "faults:\n  - {at: 60s, psp: {route: psp-a, latency_ms: 1500, error_rate: 0.3, "
                                  "down: false, for: 30s}}\n"
                                  "expect:\n"
                                  "  - {payment_route: psp-b, at: 90s}\n"
                                  "  - {payments_authorised: psp-b, at_least: 5}\n"
                                  "  - {psp_reconciled: true}\n"
                                  "  - {action: switch_psp_route, within: 20s}\n"
                                  "  - {no_action: switch_psp_route}\n",
                              "s.yaml");
  EXPECT_TRUE(s.payments());
  EXPECT_EQ(s.payments_per_minute, 30);
  ASSERT_EQ(s.faults.size(), 1u);
  const ScenarioFault& f = s.faults[0];
  EXPECT_EQ(f.kind, ScenarioFault::Kind::kPsp);
  EXPECT_EQ(f.route, "psp-a");
  EXPECT_EQ(f.psp.latency_ms, 1500);
  EXPECT_EQ(f.psp.error_rate, 0.3);
  EXPECT_EQ(f.psp.down, false);
  EXPECT_FALSE(f.psp.timeout_rate) << "a field not named stays as it is";
  EXPECT_EQ(f.for_s, 30);
  EXPECT_EQ(f.describe(), "60s psp psp-a: latency_ms 1500 error_rate 0.3 up for 30 s");
  ASSERT_EQ(s.expect.size(), 5u);
  EXPECT_EQ(s.expect[0].kind, Expectation::Kind::kPaymentRoute);
  EXPECT_EQ(s.expect[0].from_s, 90);
  EXPECT_EQ(s.expect[1].count, 5);
  EXPECT_EQ(s.expect[2].kind, Expectation::Kind::kPspReconciled);
  EXPECT_EQ(s.expect[3].name, "switch_psp_route");
  EXPECT_FALSE(parse_scenario(std::string(kHead), "s.yaml").payments()) << "no payments unless asked for";
  EXPECT_EQ(load_error("faults:\n  - {at: 60s, psp: {route: psp-a, for: 30s}}\n").rfind(
                "s.yaml:7: faults[0].psp: missing required key 'latency_ms'", 0),
            0u);
  EXPECT_EQ(load_error("faults:\n  - {at: 60s, psp: {route: psp-a, error_rate: 1.5, for: 30s}}\n"),
            "s.yaml:7: faults[0].psp.error_rate: must be between 0 and 1");
  EXPECT_EQ(load_error("expect:\n  - {payment_route: psp-c, at: 10s}\n"),
            "s.yaml:7: expect[0].payment_route: must be one of psp-a, psp-b");
}

TEST(Scenario, DefaultsAreTheDemoCrowd) {
  Scenario s = parse_scenario(kHead, "s.yaml");
  EXPECT_EQ(s.bets_per_second, 3);
  EXPECT_EQ(s.wave_factor, 5);
  EXPECT_EQ(s.bet_cost_ms, 0);
  EXPECT_TRUE(s.load_steps.empty());
}

TEST(Scenario, StakeAndMarketMix) {
  Scenario s = parse_scenario(std::string(kHead) +
                                  "load: {stake_median_minor: 2500, market_mix: {match_result: 1, btts: 3}}\n",
                              "s.yaml");
  EXPECT_EQ(s.stake_median_minor, 2500);
  EXPECT_EQ(s.market_mix, (std::array<double, 3>{1, 0, 3}));
  EXPECT_EQ(load_error("load: {market_mix: {total_goals: 0}}\n"),
            "s.yaml:6: load.market_mix: at least one market needs a weight above 0");
  EXPECT_EQ(load_error("load: {market_mix: {corners: 1}}\n").substr(0, 40), "s.yaml:6: load.market_mix.corners: unkno");
}

TEST(Scenario, MistakesFailAtLoadWithTheirLine) {
  EXPECT_EQ(load_error("faults:\n  - {at: 10s, surge: {match: 3, bets_per_second: 5, for: 10s}}\n"),
            "s.yaml:7: faults[0].surge.match: must be between 1 and 2");
  EXPECT_EQ(load_error("faults:\n  - {at: 10s, surge: {match: 1, for: 10s}}\n"),
            "s.yaml:7: faults[0].surge: missing required key 'bets_per_second'");
  EXPECT_EQ(load_error("faults:\n  - {at: 10s, feed: football-primary, engine: {bet_cost: 1ms}}\n"),
            "s.yaml:7: faults[0]: a fault names exactly one of feed, surge, engine, support_tag_spike, psp, kyc");
  EXPECT_EQ(load_error("faults:\n  - {at: 10s}\n"), "s.yaml:7: faults[0]: a fault names exactly one of feed, surge, engine, support_tag_spike, psp, kyc");
  EXPECT_EQ(load_error("faults:\n  - {at: 10s, surge: {match: 1, market: corners, bets_per_second: 5, for: 10s}}\n")
                .substr(0, 36),
            "s.yaml:7: faults[0].surge.market: mu");
  EXPECT_EQ(load_error("load: {steps: [{at: 200s, bets_per_second: 1}]}\n"),
            "s.yaml:6: load.steps[0].at: is not inside the scenario's duration");
  EXPECT_EQ(load_error("engine: {bet_cost: 2}\n").substr(0, 26), "s.yaml:6: engine.bet_cost:");
  EXPECT_EQ(load_error("expect:\n  - {sli: accept_latency, from: 60s, to: 30s}\n"),
            "s.yaml:7: expect[0].to: must be after 'from'");
  EXPECT_EQ(load_error("expect:\n  - {no_stale_accept: false}\n"), "s.yaml:7: expect[0].no_stale_accept: must be true");
  EXPECT_EQ(load_error("expect:\n  - {no_alert: x, labels: {league: [EPL]}}\n").substr(0, 30),
            "s.yaml:7: expect[0].labels.lea");
}

}  // namespace
}  // namespace inplay
