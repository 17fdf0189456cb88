#include "core/odds.h"

#include <gtest/gtest.h>

#include "core/money.h"

namespace inplay {

TEST(Odds, ParsesExactDecimals) {
  Odds o;
  ASSERT_TRUE(Odds::parse("2.5", o));
  EXPECT_EQ(o.scaled, 25000);
  ASSERT_TRUE(Odds::parse("2.50", o));
  EXPECT_EQ(o.scaled, 25000);
  ASSERT_TRUE(Odds::parse("1.01", o));
  EXPECT_EQ(o.scaled, 10100);
  ASSERT_TRUE(Odds::parse("1000", o));
  EXPECT_EQ(o.scaled, 10000000);
  ASSERT_TRUE(Odds::parse("3.3333", o));
  EXPECT_EQ(o.scaled, 33333);
}

TEST(Odds, RejectsMalformedAndOutOfRange) {
  Odds o;
  for (const char* bad : {"", ".", "2.", ".5", "-2.5", "+2.5", "2.55555", "1e2", "1.00", "0.5",
                          "1000.01", "abc", "2.5x", " 2.5", "99999999999999999999"})
    EXPECT_FALSE(Odds::parse(bad, o)) << bad;
}

TEST(Odds, FormatsShortest) {
  EXPECT_EQ(Odds{25000}.str(), "2.5");
  EXPECT_EQ(Odds{10100}.str(), "1.01");
  EXPECT_EQ(Odds{30000}.str(), "3");
  EXPECT_EQ(Odds{33333}.str(), "3.3333");
}

// The payout rule: gross return rounded down to the minor unit.
TEST(Payout, RoundsDownToMinorUnit) {
  EXPECT_EQ(payout_minor(1000, Odds{25000}), 2500);  // 10.00 @ 2.5 -> 25.00
  EXPECT_EQ(payout_minor(333, Odds{15000}), 499);    // 4.995 -> 4.99
  EXPECT_EQ(payout_minor(1, Odds{19999}), 1);        // 0.019999 -> 0.01
  EXPECT_EQ(payout_minor(7, Odds{33333}), 23);       // 23.3331 -> 23
  EXPECT_EQ(profit_minor(1000, Odds{25000}), 1500);
  EXPECT_EQ(profit_minor(333, Odds{15000}), 166);
}

TEST(Payout, LargeStakesDoNotOverflow) {
  EXPECT_EQ(payout_minor(1'000'000'000'000, Odds{kMaxOdds}), 1'000'000'000'000'000);
}

// A settled bet's return: the same floor, once, on the whole return.
TEST(Payout, SettledReturnsFollowTheOneRule) {
  Odds o;
  ASSERT_TRUE(Odds::parse("1.95", o));
  const int32_t one = kOddsScale;
  EXPECT_EQ(settled_return_minor(1001, o, true, 0, one), payout_minor(1001, o));  // win: 1951.95 -> 1951
  EXPECT_EQ(settled_return_minor(1001, o, false, 0, one), 0);                     // lose
  EXPECT_EQ(settled_return_minor(1001, o, false, 2, one), 1001);                  // push / void: the stake
  EXPECT_EQ(settled_return_minor(1001, o, true, 1, one), 1476);   // half win: 500.5 + 975.975 = 1476.475
  EXPECT_EQ(settled_return_minor(1001, o, false, 1, one), 500);   // half lose: 500.5 -> 500
  EXPECT_EQ(settled_return_minor(1000, o, true, 0, 5000), 975);   // a two-way dead heat halves the winnings
  Odds big;
  ASSERT_TRUE(Odds::parse("1000", big));
  EXPECT_EQ(settled_return_minor(1'000'000'000'000, big, true, 1, one), 500'500'000'000'000);  // no overflow
}

TEST(Money, ChecksCurrencyAndOverflow) {
  Money a{100, Currency::of("GBP")}, b{50, Currency::of("GBP")}, e{1, Currency::of("EUR")};
  EXPECT_EQ((a + b).minor, 150);
  EXPECT_EQ((a - b).minor, 50);
  EXPECT_THROW(a + e, std::logic_error);
  EXPECT_THROW((Money{INT64_MAX, a.currency} + b), std::logic_error);
  Currency c;
  EXPECT_FALSE(Currency::parse("gbp", c));
  EXPECT_FALSE(Currency::parse("GB", c));
  EXPECT_TRUE(Currency::parse("USD", c));
  EXPECT_EQ(c.code(), "USD");
}

TEST(Money, FormatsForPeopleWithItsCurrency) {
  EXPECT_EQ(format_money(102465600, Currency::of("GBP")), "\u00a31,024,656.00");
  EXPECT_EQ(format_money(1024656, Currency::of("GBP")), "\u00a310,246.56");
  EXPECT_EQ(format_money(-500, Currency::of("GBP")), "-\u00a35.00");
  EXPECT_EQ(format_money(7, Currency::of("EUR")), "\u20ac0.07");
  EXPECT_EQ(format_money(0, Currency::of("USD")), "$0.00");
  EXPECT_EQ(format_money(123456, Currency::of("CHF")), "CHF 1,234.56");
  EXPECT_EQ(format_money(INT64_MIN, Currency::of("GBP")), "-\u00a392,233,720,368,547,758.08");
}

}  // namespace inplay
