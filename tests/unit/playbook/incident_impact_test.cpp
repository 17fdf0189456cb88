// IncidentImpact (src/playbook/incident_impact.h) and SloCoverage
// (src/playbook/slo_coverage.h): the incident's markets and liability come
// from one computation — the markets its alerts named, its actions touched,
// or its league's — and a budget is judged only on enough data.
#include "playbook/incident_impact.h"

#include <gtest/gtest.h>

#include "app/runtime.h"
#include "app/config.h"
#include "playbook/slo_coverage.h"

namespace inplay {
namespace {

// EPL: events 1 (markets 101, 102) and 2 (201); Championship: event 3 (301).
class ImpactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Config cfg;
    for (uint64_t e = 1; e <= 3; ++e) {
      EventConfig ev;
      ev.id = e;
      ev.sport = "football";
      ev.league = e <= 2 ? "EPL" : "Championship";
      ev.home = "H";
      ev.away = "A";
      ev.state = EventState::kInPlay;
      uint64_t m = e * 100 + 1;
      ev.markets.push_back(MarketConfig{m, MarketType::kMatchResult, 0,
                                        {{m * 10 + 1, "home", Odds{20000}}, {m * 10 + 2, "draw", Odds{35000}},
                                         {m * 10 + 3, "away", Odds{40000}}}});
      if (e == 1)
        ev.markets.push_back(
            MarketConfig{102, MarketType::kTotalGoals, 25, {{1021, "over", Odds{19000}}, {1022, "under", Odds{19000}}}});
      cfg.events.push_back(ev);
    }
    build_book(cfg, s.book);
    s.exposure.add(0, 1011, 10'000, Odds{30000});  // 101: liability 20,000
    s.exposure.add(0, 2011, 5'000, Odds{30000});   // 201: 10,000
    s.exposure.add(0, 3011, 50'000, Odds{30000});  // 301 (Championship): 100,000
  }
  BookState s{Currency::of("GBP"), 1'000'000'000};
};

TEST_F(ImpactTest, ALeagueAlertWithoutMarketsConcernsTheLeaguesMarkets) {
  Incident inc;
  inc.group_labels = {{"league", "EPL"}, {"service", "odds"}};
  IncidentImpact now = incident_impact(inc, s);
  EXPECT_EQ(now.markets, (std::vector<uint64_t>{101, 102, 201}));
  EXPECT_EQ(now.liability_minor, 30'000);
  apply_impact(inc, now, 25'000);
  EXPECT_EQ(inc.markets, now.markets);
  EXPECT_EQ(inc.exposure_minor, 30'000);
  EXPECT_TRUE(inc.high_exposure);
}

// Issue 17, item 6: what a fault of the active feed takes out of the book —
// the markets whose prices it stopped (stale on the provider's clock), not
// every market of the sport: a skew on the Championship leaves the EPL
// priced; an outage stops every price.
TEST_F(ImpactTest, AFeedFaultAffectsTheMarketsWhosePricesItStopped) {
  const int64_t now = 100'000'000'000;
  for (uint64_t m : {101, 102, 201, 301}) s.book.market(m)->price_ts_ns = now - 500'000'000;  // fresh
  EXPECT_TRUE(feed_fault_markets(s.book, "football", "", now).empty());
  s.book.market(301)->price_ts_ns = now - 4'000'000'000;  // the Championship's lines stopped (limit 3 s)
  s.book.market(301)->status = MarketStatus::kSuspended;
  EXPECT_EQ(feed_fault_markets(s.book, "football", "", now), (std::vector<uint64_t>{301}));
  EXPECT_TRUE(feed_fault_markets(s.book, "football", "EPL", now).empty());
  EXPECT_TRUE(feed_fault_markets(s.book, "basketball", "", now).empty());
  // Every price stops (a feed-wide outage): all of them, in or out of suspension.
  const int64_t later = now + 2'000'000'000;  // EPL limit 1.5 s
  EXPECT_EQ(feed_fault_markets(s.book, "football", "", later), (std::vector<uint64_t>{101, 102, 201, 301}));
  s.book.market(102)->status = MarketStatus::kClosed;  // settled or closed: not live
  EXPECT_EQ(feed_fault_markets(s.book, "football", "", later), (std::vector<uint64_t>{101, 201, 301}));
}

TEST_F(ImpactTest, NamedMarketsAndTheMarketsItsActionsTouched) {
  Incident inc;
  inc.group_labels = {{"league", "EPL"}, {"service", "odds"}};
  inc.markets = {101};  // the alerts named it: the league is not added
  IncidentAction freeze;
  freeze.status = "done";
  freeze.target.markets = {101, 201};
  IncidentAction failed;
  failed.status = "failed";
  failed.target.markets = {301};  // changed nothing: not its market
  inc.actions = {freeze, failed};
  IncidentImpact now = incident_impact(inc, s);
  EXPECT_EQ(now.markets, (std::vector<uint64_t>{101, 201}));
  EXPECT_EQ(now.liability_minor, 30'000);
  apply_impact(inc, now, 100'000);
  EXPECT_FALSE(inc.high_exposure);
}

TEST_F(ImpactTest, TheLiabilityIsThePeakAndMarketsStay) {
  Incident inc;
  inc.markets = {101};
  apply_impact(inc, incident_impact(inc, s), 1'000'000);
  EXPECT_EQ(inc.exposure_minor, 20'000);
  s.exposure.add(1, 1012, 10'000, Odds{40000});  // liability moves with the bets
  IncidentImpact later = incident_impact(inc, s);
  apply_impact(inc, later, 1'000'000);
  EXPECT_EQ(inc.exposure_minor, std::max<int64_t>(20'000, later.liability_minor));
  apply_impact(inc, IncidentImpact{{}, 0}, 1'000'000);  // never falls, no market leaves
  EXPECT_EQ(inc.markets, (std::vector<uint64_t>{101}));
  EXPECT_GE(inc.exposure_minor, 20'000);
}

TEST(SloCoverage, ABudgetIsJudgedOnlyOnTheWindowItsAlertsTrust) {
  SloSpec spec;
  spec.name = "odds_freshness";
  spec.period_s = 28 * 86400;
  spec.burn_alerts = {BurnAlert{"fast", Severity::kPage, 300, 30, 14.4},
                      BurnAlert{"slow", Severity::kTicket, 6 * 3600, 1800, 3}};
  EXPECT_EQ(SloCoverage::needs_s(spec), 6 * 3600);
  SloStatus st;
  st.spec = &spec;
  SloCoverage c;
  const int64_t s0 = 1'000'000'000'000;
  c.observe(s0, {st});  // no data yet
  EXPECT_EQ(c.data_s(st, s0), 0);
  st.has_data = true;
  c.observe(s0 + 10'000'000'000, {st});
  EXPECT_EQ(c.data_s(st, s0 + 10'000'000'000), 1);
  EXPECT_EQ(c.data_s(st, s0 + 10'000'000'000 + 600'000'000'000), 601);
  EXPECT_FALSE(c.judged(st, s0 + 600'000'000'000));
  EXPECT_TRUE(c.judged(st, s0 + 10'000'000'000 + 6 * 3600'000'000'000LL));
  spec.burn_alerts.clear();  // no alert trusts less than the period
  EXPECT_EQ(SloCoverage::needs_s(spec), 28 * 86400);
}

}  // namespace
}  // namespace inplay
