// Cash-out (src/cashout/): the offer's value in exact integers, every
// fail-closed refusal in its order, offers withdrawn in O(1) by a market's
// epoch, and BetCashedOut in BookState — the money, the exposure, the
// status, a later result that never pays it, a replay to the same hash, and
// a record that does not fit refused whole.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "cashout/cashout_price.h"
#include "cashout/offer_book.h"
#include "../book_state_util.h"
#include "engine/book_state.h"

namespace inplay {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000'000'000;  // ns
constexpr int64_t kDeposit = 100'000;

using test_util::odds;

std::unique_ptr<BookState> make_state() {
  auto s = test_util::arsenal_chelsea();
  s->apply(MoneyMoved{"alice", kDeposit, TransferReason::kDeposit, kT0, {}, {}});
  s->apply(MarketPriced{101, kT0 / 1'000'000, kT0, {{1011, odds("2.00").scaled}, {1012, 34000}, {1013, 36000}}});
  s->apply(BetAccepted{1, "alice", 1011, 1000, odds("2.00").scaled, odds("2.00").scaled, 0, kT0, kT0 + 5, {}, {}});
  return s;
}

void price_home(BookState& s, const char* o, int64_t at_ns) {
  s.apply(MarketPriced{101, at_ns / 1'000'000, at_ns, {{1011, odds(o).scaled}, {1012, 34000}, {1013, 36000}}});
}

TEST(CashoutValue, FairValueLessTheMarginRoundedDown) {
  // 1000 x 2.00 / 1.50 = 1333.33.. ; x 0.95 = 1266.66.. -> 1266
  EXPECT_EQ(cashout_value_minor(1000, odds("2.00"), odds("1.50"), 500), 1266);
  EXPECT_EQ(cashout_value_minor(1000, odds("2.00"), odds("2.00"), 0), 1000);
  EXPECT_EQ(cashout_value_minor(1000, odds("2.00"), odds("4.00"), 500), 475);
  EXPECT_EQ(cashout_value_minor(1, odds("1.01"), odds("1000"), 500), 0);  // a lost cause is worth nothing
  EXPECT_EQ(cashout_value_minor(0, odds("2.00"), odds("1.50"), 500), 0);
  // Never more than the stake would return if it won now.
  EXPECT_LE(cashout_value_minor(999'999'999, odds("1000"), odds("1.01"), 0), payout_minor(999'999'999, odds("1000")));
  // Large stakes do not overflow (128-bit intermediate).
  EXPECT_EQ(cashout_value_minor(1'000'000'000'000, odds("1000"), odds("1000"), 500), 950'000'000'000);
}

TEST(CashoutPrice, OffersFromTheLivePriceAndFailsClosedInOrder) {
  auto s = make_state();
  CashoutTerms terms;
  const int64_t now = kT0 + 100'000'000;
  price_home(*s, "1.50", kT0 + 50'000'000);
  const Bet& b = s->bets.at(1);
  auto o = price_cashout(s->book, b, 0, terms, now);
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->amount, 1266);
  EXPECT_EQ(o->stake, 1000);
  EXPECT_EQ(o->odds, odds("1.50"));
  EXPECT_EQ(o->price_version, 2u);
  EXPECT_EQ(o->freshness_ns, 50'000'000);
  // Part of the stake.
  EXPECT_EQ(price_cashout(s->book, b, 400, terms, now)->amount, cashout_value_minor(400, odds("2.00"), odds("1.50"), 500));
  auto code = [&](int64_t stake, int64_t at) {
    auto r = price_cashout(s->book, s->bets.at(1), stake, terms, at);
    return r.ok() ? std::string("ok") : std::string(error_code_name(r.error().code));
  };
  EXPECT_EQ(code(1001, now), "CASHOUT_UNAVAILABLE");
  EXPECT_EQ(code(-1, now), "VALIDATION_FAILED");
  // Stale on the provider's clock: the market's 1.5 s limit, or a stricter one of cash-out's.
  EXPECT_EQ(code(0, kT0 + 50'000'000 + 1'500'000'000), "ok");
  EXPECT_EQ(code(0, kT0 + 50'000'000 + 1'500'000'001), "PRICE_STALE");
  terms.max_price_age = std::chrono::milliseconds(300);
  EXPECT_EQ(code(0, kT0 + 50'000'000 + 300'000'001), "PRICE_STALE");
  terms.max_price_age = Nanos{0};
  s->apply(MarketControlSet{101, static_cast<uint8_t>(MarketControl::kCashoutFrozen), 1, "incident", "playbook:x", now});
  EXPECT_EQ(code(0, now), "CASHOUT_FROZEN");
  s->apply(MarketStatusSet{101, static_cast<uint8_t>(MarketStatus::kSuspended), "goal", "feed:x", now});
  EXPECT_EQ(code(0, now), "MARKET_SUSPENDED");  // suspended before frozen
  s->apply(MarketStatusSet{101, static_cast<uint8_t>(MarketStatus::kClosed), "end", "feed:x", now});
  EXPECT_EQ(code(0, now), "MARKET_CLOSED");
}

TEST(OfferBook, AFreezeOrSuspensionWithdrawsEveryOfferAtOnceAndOffersExpire) {
  auto s = make_state();
  const int64_t now = kT0 + 100'000'000;
  OfferBook offers(77);
  auto o = price_cashout(s->book, s->bets.at(1), 0, CashoutTerms{}, now);
  ASSERT_TRUE(o.ok());
  std::vector<uint64_t> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(offers.add(o.value(), now, now + 2'000'000'000).id);
  EXPECT_EQ(ids.front(), 77u);
  EXPECT_EQ(offers.live_on(s->book, 101, now), 1000u);
  const Quote* q = nullptr;
  EXPECT_EQ(offers.check(s->book, ids[5], now, &q), QuoteState::kLive);
  EXPECT_EQ(q->offer.amount, o->amount);
  EXPECT_EQ(offers.check(s->book, 5, now, nullptr), QuoteState::kUnknown);
  // One market event withdraws them all, even once it is lifted again.
  s->apply(MarketControlSet{101, static_cast<uint8_t>(MarketControl::kCashoutFrozen), 1, "r", "operator:t", now});
  s->apply(MarketControlSet{101, static_cast<uint8_t>(MarketControl::kCashoutFrozen), 0, "", "operator:t", now});
  EXPECT_EQ(offers.live_on(s->book, 101, now), 0u);
  for (uint64_t id : ids) EXPECT_EQ(offers.check(s->book, id, now, nullptr), QuoteState::kWithdrawn);
  // Expiry, and the memory back.
  uint64_t fresh = offers.add(price_cashout(s->book, s->bets.at(1), 0, CashoutTerms{}, now).value(), now,
                              now + 2'000'000'000).id;
  EXPECT_EQ(offers.check(s->book, fresh, now + 1'999'999'999, nullptr), QuoteState::kLive);
  EXPECT_EQ(offers.check(s->book, fresh, now + 2'000'000'000, nullptr), QuoteState::kExpired);
  offers.expire(now + 2'000'000'000);
  EXPECT_EQ(offers.size(), 0u);
}

TEST(BetCashedOut, MovesTheMoneyAndTheExposureAndNoResultPaysItAgain) {
  auto s = make_state();
  const uint32_t alice = static_cast<uint32_t>(s->ledger.find("alice"));
  const int64_t liability_before = s->exposure.market_liability(101);
  ASSERT_GT(liability_before, 0);
  // Part: 400 of 1000 for 506.
  s->apply(BetCashedOut{1, 101, 400, 506, odds("1.50").scaled, 2, kT0, kT0, kT0 + 10, {}, {}});
  const Bet& b = s->bets.at(1);
  EXPECT_EQ(b.status, BetStatus::kAccepted);
  EXPECT_EQ(b.stake_minor, 600);
  ASSERT_NE(s->bets.cashout(1), nullptr);
  EXPECT_EQ(s->bets.cashout(1)->stake_minor, 400);
  EXPECT_EQ(s->bets.cashout(1)->return_minor, 506);
  EXPECT_EQ(s->bets.cashout(1)->at_ns, kT0 + 10);
  EXPECT_EQ(s->bets.placed_stake(b), 1000);
  EXPECT_EQ(s->ledger.account(alice).balance, kDeposit - 1000 + 506);
  EXPECT_EQ(s->ledger.account(s->ledger.reserved_of(alice)).balance, 600);
  EXPECT_EQ(s->exposure.selection_liability(1011), profit_minor(600, odds("2.00")));
  EXPECT_EQ(s->exposure.account_market_stake(alice, 101), 600);
  // The rest: closed, out of the exposure, nothing reserved.
  s->apply(BetCashedOut{1, 101, 600, 700, odds("1.50").scaled, 2, kT0, kT0, kT0 + 20, {}, {}});
  EXPECT_EQ(b.status, BetStatus::kCashedOut);
  EXPECT_EQ(s->bets.cashout(1)->stake_minor, 1000);  // both cash-outs, summed
  EXPECT_EQ(s->bets.cashout(1)->return_minor, 506 + 700);
  EXPECT_EQ(s->bets.cashout(1)->at_ns, kT0 + 20);
  EXPECT_EQ(s->bets.placed_stake(b), 1000);
  EXPECT_EQ(s->open_bets, 0);
  EXPECT_EQ(s->exposure.market_liability(101), 0);
  EXPECT_EQ(s->ledger.account(alice).balance, kDeposit - 1000 + 506 + 700);
  EXPECT_EQ(s->ledger.sum(), 0);
  // The home win: the plan owes it nothing.
  std::vector<SettledOutcome> win;
  for (uint64_t sid : {1011, 1012, 1013}) win.push_back(SettledOutcome{sid, sid == 1011, 0, 10000});
  s->apply(MarketSettled{101, 1, 2, win, false, 0, 0, "feed:x", "result", 0, kT0 + 30});
  EXPECT_TRUE(s->settlement.plan(101, s->bets, kT0 + 31).empty());
  // No cash-out of a closed bet, of more than rides, of another market's bet: refused whole.
  const std::string hash = s->state_hash();
  EXPECT_THROW(s->apply(BetCashedOut{1, 101, 1, 1, 15000, 2, kT0, kT0, kT0 + 40, {}, {}}), std::invalid_argument);
  auto t = make_state();
  EXPECT_THROW(t->apply(BetCashedOut{1, 101, 1001, 1, 15000, 2, kT0, kT0, kT0 + 40, {}, {}}), std::invalid_argument);
  EXPECT_THROW(t->apply(BetCashedOut{1, 102, 10, 1, 15000, 2, kT0, kT0, kT0 + 40, {}, {}}), std::invalid_argument);
  EXPECT_THROW(t->apply(BetCashedOut{9, 101, 10, 1, 15000, 2, kT0, kT0, kT0 + 40, {}, {}}), std::invalid_argument);
  EXPECT_EQ(s->state_hash(), hash);
}

TEST(BetCashedOut, ReplayGivesTheSameHashAndTheKeyItsAnswer) {
  auto live = make_state();
  auto again = make_state();
  IdemTag idem{"web:c1", {}};
  BetCashedOut e{1, 101, 1000, 1266, odds("1.50").scaled, 2, kT0 / 1'000'000, kT0, kT0 + 10, {}, idem};
  live->apply(e);
  again->apply(e);
  EXPECT_EQ(live->state_hash(), again->state_hash());
  EXPECT_NE(live->state_hash(), make_state()->state_hash());
  const IdempotencyStore::Entry* entry = nullptr;
  ASSERT_EQ(live->idempotency.begin("web:c1", {}, kT0 + 11, &entry), IdempotencyStore::Lookup::kDone);
  const CashedOut* c = std::get_if<CashedOut>(&*entry->other);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->amount, 1266);
  EXPECT_EQ(c->remaining, 0);
}

}  // namespace
}  // namespace inplay
