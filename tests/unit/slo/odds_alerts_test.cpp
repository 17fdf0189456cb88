// The shipped catalogue's ODDS alerts (issue 17 item 7): ODDS-3's 1.2 s
// bound on high-exposure markets, its p95 shift, the ODDS-7 canary, and the
// ODDS-2 update-latency SLO with an error budget and burn alerts.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "slo/slo_spec.h"

using namespace inplay;

namespace {

SloCatalogue shipped() {
  std::ifstream f(INPLAY_SOURCE_DIR "/config/slos.yaml");
  return parse_slo_catalogue(std::string(std::istreambuf_iterator<char>(f), {}), "config/slos.yaml");
}

}  // namespace

TEST(OddsAlerts, TheShippedCatalogueCarriesOdds3And7AndBurnsOnUpdateLatency) {
  const SloCatalogue c = shipped();
  auto alert = [&](const std::string& name) -> const ThresholdAlertSpec* {
    for (const auto& a : c.alerts)
      if (a.name == name) return &a;
    return nullptr;
  };
  const ThresholdAlertSpec* he = alert("odds_stale_high_exposure");
  ASSERT_NE(he, nullptr);
  EXPECT_EQ(he->signal, "high_exposure_price_age_seconds");
  EXPECT_DOUBLE_EQ(he->above, 1.2);  // ODDS-3: alert at 1.2 s on high-exposure markets
  EXPECT_EQ(he->severity, Severity::kPage);
  const ThresholdAlertSpec* canary = alert("canary_market_stale");
  ASSERT_NE(canary, nullptr);
  EXPECT_EQ(canary->signal, "canary_staleness_ratio");
  EXPECT_FALSE(canary->top_markets_only);  // watched at all times (ODDS-7)
  const ThresholdAlertSpec* shift = alert("odds_latency_p95_shift");
  ASSERT_NE(shift, nullptr);
  EXPECT_EQ(shift->signal, "odds_update_p95_shift");
  // ODDS-2: the update-latency SLO has an error budget and burn alerts.
  const SloSpec* s = c.find("odds_update_latency");
  ASSERT_NE(s, nullptr);
  EXPECT_NEAR(s->error_budget(), 0.05, 1e-12);
  ASSERT_EQ(s->burn_alerts.size(), 2u);
  EXPECT_EQ(s->burn_alerts[0].severity, Severity::kPage);
  EXPECT_EQ(s->burn_alerts[0].long_s, 300);
  EXPECT_EQ(s->burn_alerts[1].severity, Severity::kTicket);
}
