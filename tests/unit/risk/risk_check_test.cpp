// RiskCheck (src/risk/risk_check.h): every reject code, in the documented
// order, and the odds a bet is accepted at.
#include "risk/risk_check.h"

#include <gtest/gtest.h>

#include <string>

namespace inplay {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'800'000'000'000'000'000;  // book time of the first prices
constexpr int64_t kMs = 1'000'000;

Odds odds(const char* s) {
  Odds o;
  EXPECT_TRUE(Odds::parse(s, o)) << s;
  return o;
}

// Event 1 (EPL): market 101 (1011, 1012, 1013), staleness limit 1.5 s.
// Event 2 (lower league): market 201 (2011, 2012), staleness limit 3 s.
class RiskCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    book.add_event(Event{1, "football", "EPL", "Arsenal", "Chelsea", 0, EventState::kInPlay, {}});
    book.add_event(Event{2, "football", "L2", "Crewe", "Bury", 0, EventState::kPreMatch, {}});
    Market m;
    m.id = 101;
    m.event_id = 1;
    m.staleness_limit = 1500ms;
    book.add_market(m);
    m.id = 201;
    m.event_id = 2;
    m.staleness_limit = 3000ms;
    book.add_market(m);
    for (uint64_t s : {1011, 1012, 1013}) book.add_selection(Selection{s, 101, "x", {}});
    for (uint64_t s : {2011, 2012}) book.add_selection(Selection{s, 201, "x", {}});
    book.apply_price(1011, odds("2.5"), kT0 / kMs, kT0);
    book.apply_price(1012, odds("3.4"), kT0 / kMs, kT0);
    book.apply_price(1013, odds("2.9"), kT0 / kMs, kT0);
    book.apply_price(2011, odds("1.8"), kT0 / kMs, kT0);
    book.apply_price(2012, odds("2.0"), kT0 / kMs, kT0);
    limits.min_stake_minor = 10;
    limits.max_stake_minor = 10000;
    limits.max_account_market_minor = 20000;
    limits.max_market_liability_minor = 1000000;
  }

  BetIntent bet(uint64_t sel = 1011, int64_t stake = 1000, const char* requested = "2.5",
                PriceChangePolicy p = PriceChangePolicy::kNone, uint32_t account = 7) {
    return BetIntent{account, sel, stake, odds(requested), p};
  }
  Result<Odds> check(const BetIntent& b, Nanos after = 100ms) {
    return check_bet(book, exposure, limits, b, from_ns(kT0) + after);
  }
  static ErrorCode code(const Result<Odds>& r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? ErrorCode::kInternal : r.error().code;
  }

  Book book;
  Exposure exposure{book};
  RiskLimits limits;
};

TEST_F(RiskCheckTest, AcceptsAtTheCurrentPrice) {
  auto r = check(bet());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), odds("2.5"));
}

TEST_F(RiskCheckTest, UnknownSelection) {
  EXPECT_EQ(code(check(bet(4242))), ErrorCode::kSelectionNotFound);
}

TEST_F(RiskCheckTest, ClosedAndSettledMarketsAreClosed) {
  book.set_status(101, MarketStatus::kClosed, "");
  auto r = check(bet());
  EXPECT_EQ(code(r), ErrorCode::kMarketClosed);
  EXPECT_NE(r.error().message.find("closed"), std::string::npos) << r.error().message;
  book.set_status(101, MarketStatus::kSettled, "");
  r = check(bet());
  EXPECT_EQ(code(r), ErrorCode::kMarketClosed);
  EXPECT_NE(r.error().message.find("settled"), std::string::npos) << r.error().message;
  // Other markets are untouched.
  EXPECT_TRUE(check(bet(2011, 1000, "1.8")).ok());
}

TEST_F(RiskCheckTest, SuspendedMarketNamesTheReason) {
  book.set_status(101, MarketStatus::kSuspended, "feed switch");
  auto r = check(bet());
  EXPECT_EQ(code(r), ErrorCode::kMarketSuspended);
  EXPECT_NE(r.error().message.find("feed switch"), std::string::npos) << r.error().message;
  book.set_status(101, MarketStatus::kSuspended, "");
  r = check(bet());
  EXPECT_EQ(code(r), ErrorCode::kMarketSuspended);
  EXPECT_EQ(r.error().message, "market is suspended");
  book.set_status(101, MarketStatus::kOpen, "");
  EXPECT_TRUE(check(bet()).ok());
}

TEST_F(RiskCheckTest, NeverPricedSelectionIsStale) {
  // Selection 2013 joins market 201 but never gets a price, while its market
  // is fresh (its siblings were priced a moment ago).
  book.add_selection(Selection{2013, 201, "x", {}});
  EXPECT_EQ(code(check(bet(2013, 1000, "2.0", PriceChangePolicy::kAny))), ErrorCode::kPriceStale);
}

TEST_F(RiskCheckTest, PriceOlderThanTheMarketsLimitIsStale) {
  // Exactly at the limit is still fresh; one nanosecond past is stale.
  EXPECT_TRUE(check(bet(), 1500ms).ok());
  EXPECT_EQ(code(check(bet(), 1500ms + 1ns)), ErrorCode::kPriceStale);
  // Market 201 has a 3 s limit: fresh at 2 s, stale past 3 s.
  EXPECT_TRUE(check(bet(2011, 1000, "1.8"), 2000ms).ok());
  EXPECT_EQ(code(check(bet(2011, 1000, "1.8"), 3001ms)), ErrorCode::kPriceStale);
  // A new price on any selection of the market makes it fresh again.
  book.apply_price(1012, odds("3.4"), (kT0 + 5'000'000'000) / kMs, kT0 + 5'000'000'000);
  EXPECT_TRUE(check(bet(), 5100ms).ok());
}

TEST_F(RiskCheckTest, PriceAgeIsOnTheProvidersClock) {
  // ODDS-2/ODDS-3: a price that arrives now but was stamped 2 s ago by the
  // provider is 2 s old — a late but steady feed is stale, however recently
  // its lines landed.
  book.apply_price(1011, odds("2.5"), (kT0 + 8'000'000'000) / kMs, kT0 + 10'000'000'000);
  EXPECT_EQ(code(check(bet(), 10'100ms)), ErrorCode::kPriceStale);
  // Stamped 1.4 s before it arrived: fresh for another 100 ms.
  book.apply_price(1011, odds("2.5"), (kT0 + 8'700'000'000) / kMs, kT0 + 10'100'000'000);
  EXPECT_TRUE(check(bet(), 10'150ms).ok());
  EXPECT_EQ(code(check(bet(), 10'201ms)), ErrorCode::kPriceStale);
}

TEST_F(RiskCheckTest, AProviderTimestampFromTheFutureIsClampedToItsArrival) {
  // The provider's clock runs 30 s ahead: its price counts as stamped when it
  // arrived, so it ages from then (never fresher than that), and a steady
  // delay is never absorbed by an estimate of the offset.
  book.apply_price(1011, odds("2.5"), (kT0 + 40'000'000'000) / kMs, kT0 + 10'000'000'000);
  EXPECT_EQ(book.market(101)->price_ts_ns, kT0 + 10'000'000'000);
  EXPECT_TRUE(check(bet(), 11'500ms).ok());
  EXPECT_EQ(code(check(bet(), 11'501ms)), ErrorCode::kPriceStale);
}

TEST_F(RiskCheckTest, PriceChangedUnderPolicyNone) {
  auto r = check(bet(1011, 1000, "2.4"));  // even a better price is refused
  EXPECT_EQ(code(r), ErrorCode::kPriceChanged);
  EXPECT_NE(r.error().message.find("2.5"), std::string::npos) << r.error().message;
  EXPECT_EQ(code(check(bet(1011, 1000, "2.6"))), ErrorCode::kPriceChanged);
  EXPECT_EQ(check(bet(1011, 1000, "2.50")).value(), odds("2.5"));
}

TEST_F(RiskCheckTest, PriceChangedUnderPolicyBetter) {
  // Current 2.5: asked 2.4 -> accepted at 2.5 (the current price).
  auto r = check(bet(1011, 1000, "2.4", PriceChangePolicy::kBetter));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), odds("2.5"));
  EXPECT_EQ(check(bet(1011, 1000, "2.5", PriceChangePolicy::kBetter)).value(), odds("2.5"));
  r = check(bet(1011, 1000, "2.52", PriceChangePolicy::kBetter));
  EXPECT_EQ(code(r), ErrorCode::kPriceChanged);
  EXPECT_NE(r.error().message.find("2.5"), std::string::npos);
}

TEST_F(RiskCheckTest, PolicyAnyTakesTheCurrentPrice) {
  auto r = check(bet(1011, 1000, "100", PriceChangePolicy::kAny));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), odds("2.5"));
  r = check(bet(1011, 1000, "1.01", PriceChangePolicy::kAny));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), odds("2.5"));
}

TEST_F(RiskCheckTest, StakeAboveMax) {
  EXPECT_TRUE(check(bet(1011, 10000)).ok());
  auto r = check(bet(1011, 10001));
  EXPECT_EQ(code(r), ErrorCode::kStakeAboveMax);
  EXPECT_NE(r.error().message.find("10000"), std::string::npos);
}

TEST_F(RiskCheckTest, StakeBelowTheConfiguredMinimumIsRefused) {
  EXPECT_TRUE(check(bet(1011, 10)).ok());
  auto r = check(bet(1011, 9));
  EXPECT_EQ(code(r), ErrorCode::kStakeBelowMin);
  EXPECT_NE(r.error().message.find("stake"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("10"), std::string::npos) << r.error().message;
}

TEST_F(RiskCheckTest, StakeCapExceeded) {
  book.set_stake_cap(101, 500);
  EXPECT_TRUE(check(bet(1011, 500)).ok());
  auto r = check(bet(1011, 501));
  EXPECT_EQ(code(r), ErrorCode::kStakeCapExceeded);
  EXPECT_NE(r.error().message.find("500"), std::string::npos);
  // The cap is per market.
  EXPECT_TRUE(check(bet(2011, 501, "1.8")).ok());
  // 0 means no cap.
  book.set_stake_cap(101, 0);
  EXPECT_TRUE(check(bet(1011, 5000)).ok());
}

TEST_F(RiskCheckTest, UserMarketLimit) {
  exposure.add(7, 1012, 9000, odds("3.4"));
  exposure.add(7, 1013, 9000, odds("2.9"));  // account 7 has 18000 on market 101
  EXPECT_TRUE(check(bet(1011, 2000)).ok());
  EXPECT_EQ(code(check(bet(1011, 2001))), ErrorCode::kUserMarketLimit);
  // Another account, or another market, is not affected.
  EXPECT_TRUE(check(bet(1011, 5000, "2.5", PriceChangePolicy::kNone, 8)).ok());
  EXPECT_TRUE(check(bet(2011, 5000, "1.8")).ok());
}

TEST_F(RiskCheckTest, LiabilityLimitUsesTheCurrentPrice) {
  limits.max_market_liability_minor = 15000;
  // 10000 at 2.5: liability 15000 = the limit, allowed.
  EXPECT_TRUE(check(bet(1011, 10000)).ok());
  exposure.add(8, 1011, 10000, odds("2.5"));  // now the market is at the limit
  EXPECT_EQ(code(check(bet(1011, 10))), ErrorCode::kLiabilityLimit);
  // Under "any" the liability is computed at the current price (2.5), not the
  // requested one: asking 1.01 does not slip a liability through.
  EXPECT_EQ(code(check(bet(1011, 10, "1.01", PriceChangePolicy::kAny))), ErrorCode::kLiabilityLimit);
  // A bet on another selection lowers the worst case (home: 25000 - 11000)
  // and is allowed.
  EXPECT_TRUE(check(bet(1012, 1000, "3.4")).ok());
}

// Order: each earlier failure wins over every later one.
TEST_F(RiskCheckTest, RejectOrder) {
  // Everything wrong at once: stale, price moved, stake above max and cap,
  // user limit and liability.
  limits.max_market_liability_minor = 1;
  limits.max_account_market_minor = 1;
  book.set_stake_cap(101, 5);
  const BetIntent worst = bet(1011, 20000, "9.0");
  const Nanos stale = 10s;

  book.set_status(101, MarketStatus::kClosed, "");
  EXPECT_EQ(code(check(worst, stale)), ErrorCode::kMarketClosed);
  book.set_status(101, MarketStatus::kSuspended, "x");
  EXPECT_EQ(code(check(worst, stale)), ErrorCode::kMarketSuspended);
  book.set_status(101, MarketStatus::kOpen, "");
  EXPECT_EQ(code(check(worst, stale)), ErrorCode::kPriceStale);
  EXPECT_EQ(code(check(worst)), ErrorCode::kPriceChanged);
  BetIntent b = worst;
  b.odds_requested = odds("2.5");
  EXPECT_EQ(code(check(b)), ErrorCode::kStakeAboveMax);
  b.stake_minor = 9000;
  EXPECT_EQ(code(check(b)), ErrorCode::kStakeCapExceeded);
  book.set_stake_cap(101, 0);
  EXPECT_EQ(code(check(b)), ErrorCode::kUserMarketLimit);
  limits.max_account_market_minor = 20000;
  EXPECT_EQ(code(check(b)), ErrorCode::kLiabilityLimit);
  limits.max_market_liability_minor = 1000000;
  EXPECT_TRUE(check(b).ok());
}

TEST_F(RiskCheckTest, CheckIsPure) {
  auto before = exposure.market_liability(101);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(check(bet()).ok());
  EXPECT_EQ(exposure.market_liability(101), before);
  EXPECT_EQ(exposure.account_market_stake(7, 101), 0);
  EXPECT_EQ(book.selection(1011)->price.version, 1u);
}

TEST(PriceChangePolicy, ParseAndName) {
  for (auto p : {PriceChangePolicy::kNone, PriceChangePolicy::kBetter, PriceChangePolicy::kAny}) {
    PriceChangePolicy out = PriceChangePolicy::kAny;
    if (p == PriceChangePolicy::kAny) out = PriceChangePolicy::kNone;
    ASSERT_TRUE(parse_price_change_policy(price_change_policy_name(p), out));
    EXPECT_EQ(out, p);
  }
  PriceChangePolicy out = PriceChangePolicy::kBetter;
  EXPECT_FALSE(parse_price_change_policy("", out));
  EXPECT_FALSE(parse_price_change_policy("None", out));
  EXPECT_FALSE(parse_price_change_policy("sometimes", out));
  EXPECT_EQ(out, PriceChangePolicy::kBetter);  // untouched on failure
}

}  // namespace
}  // namespace inplay
