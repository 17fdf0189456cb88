// PriceReadiness (issue 18, finding 6): after a restart every replayed price
// is old, each bet is refused PRICE_STALE, and /readyz must say not ready
// until the open markets are priced again — or, a feed that never prices
// some market, until the bound has passed. Before, /readyz said ready at once.
#include "market/price_readiness.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'800'000'000'000'000'000;  // book time of the start

class PriceReadinessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    book.add_event(Event{1, "football", "EPL", "Arsenal", "Chelsea", 0, EventState::kInPlay, {}});
    book.add_event(Event{2, "football", "EPL", "Liverpool", "Everton", 0, EventState::kEnded, {}});
    add_market(1, 101, 1011);
    add_market(1, 102, 1021);
    add_market(2, 201, 2011);  // its event ended: never waited for
  }
  void add_market(uint64_t event, uint64_t id, uint64_t sel) {
    Market m;
    m.id = id;
    m.event_id = event;
    m.staleness_limit = Nanos(kSecond);
    book.add_market(m);
    book.add_selection(Selection{sel, id, "home", {}});
    book.apply_price(sel, odds(), (kT0 - 60 * kSecond) / 1'000'000, kT0 - 60 * kSecond);  // replayed: a minute old
  }
  TimePoint at(int64_t ns) { return from_ns(ns); }
  static Odds odds() {
    Odds o;
    EXPECT_TRUE(Odds::parse("2.10", o));
    return o;
  }

  Book book;
};

TEST_F(PriceReadinessTest, NotReadyWhileAnOpenMarketIsStaleThenReadyOnceAllAreFresh) {
  PriceReadiness r(/*started_mono_ns=*/0, Nanos(5 * kSecond), /*enforce=*/true);
  size_t stale = 0;
  EXPECT_FALSE(r.ready(book, at(kT0), 0, &stale));
  EXPECT_EQ(stale, 2u) << "the ended event's market does not count";
  book.apply_price(1011, odds(), (kT0 + kSecond / 10) / 1'000'000, kT0 + kSecond / 10);  // provider time: fresh
  EXPECT_FALSE(r.ready(book, at(kT0 + kSecond / 5), kSecond / 5, &stale));
  EXPECT_EQ(stale, 1u);
  book.set_status(102, MarketStatus::kSuspended, "feed down");  // a suspended market takes no bets
  EXPECT_TRUE(r.ready(book, at(kT0 + kSecond / 4), kSecond / 4, &stale));
  EXPECT_EQ(stale, 0u);
  // Latched: a price that goes stale later is an incident, not a start-up.
  EXPECT_TRUE(r.ready(book, at(kT0 + 60 * kSecond), 60 * kSecond));
}

TEST_F(PriceReadinessTest, AFeedThatNeverPricesAMarketDoesNotKeepTheBookUnreadyForEver) {
  PriceReadiness r(/*started_mono_ns=*/100, Nanos(5 * kSecond), /*enforce=*/true);
  EXPECT_FALSE(r.ready(book, at(kT0 + 4 * kSecond), 100 + 4 * kSecond));
  EXPECT_TRUE(r.ready(book, at(kT0 + 5 * kSecond), 100 + 5 * kSecond));
}

TEST_F(PriceReadinessTest, OffOnTheSimulatedClock) {
  PriceReadiness r(0, Nanos(5 * kSecond), /*enforce=*/false);
  EXPECT_TRUE(r.ready(book, at(kT0), 0));
}

}  // namespace
}  // namespace inplay
