// Hedging (src/hedge/): the stake that covers a worst case, the hedged worst
// case of a market (filled hedges at their match, open ones as asked,
// rejected ones not at all), HedgeBook's refusals (it changes nothing when
// it throws), the journal records' round trip, and BookState's replay of a
// hedge to the same hash.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../book_state_util.h"
#include "engine/book_state.h"
#include "hedge/hedge_book.h"
#include "journal/events.h"

namespace inplay {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000'000'000;

using test_util::odds;

std::unique_ptr<BookState> make_state() {
  auto s = test_util::arsenal_chelsea();
  s->apply(MoneyMoved{"alice", 1'000'000, TransferReason::kDeposit, kT0, {}, {}});
  s->apply(MarketPriced{101, kT0 / 1'000'000, kT0, {{1011, odds("2.00").scaled}, {1012, 34000}, {1013, 36000}}});
  return s;
}

void bet(BookState& s, uint64_t id, uint64_t selection, int64_t stake, const char* o) {
  s.apply(BetAccepted{id, "alice", selection, stake, odds(o).scaled, odds(o).scaled, 0, kT0, kT0 + 5, {}, {}});
}

HedgeInstructed instructed(uint64_t id, uint64_t selection, int64_t stake, const char* o) {
  HedgeInstructed e;
  e.hedge_id = id;
  e.market_id = 101;
  e.selection_id = selection;
  e.stake = stake;
  e.odds = odds(o).scaled;
  e.liability = 0;
  e.venue = "exchange";
  e.at_ns = kT0 + 10;
  return e;
}

HedgeAnswered answered(uint64_t id, HedgeStatus st, int64_t matched, const char* o) {
  HedgeAnswered e;
  e.hedge_id = id;
  e.result = static_cast<uint8_t>(st);
  e.matched_stake = matched;
  e.matched_odds = o ? odds(o).scaled : 0;
  e.detail = st == HedgeStatus::kRejected ? "no liquidity" : "";
  e.at_ns = kT0 + 20;
  return e;
}

TEST(HedgeStake, CoversTheAmountRoundedUp) {
  // Backing at 3.00 wins 2x the stake: 1000 of cover needs 500.
  EXPECT_EQ(hedge_stake_for(1000, odds("3.00")), 500);
  // At 2.50 it wins 1.5x: 1000 / 1.5 = 666.67 -> 667 (the cover is reached, never missed).
  EXPECT_EQ(hedge_stake_for(1000, odds("2.50")), 667);
  EXPECT_GE(profit_minor(667, odds("2.50")), 1000);
  EXPECT_EQ(hedge_stake_for(0, odds("2.50")), 0);
  EXPECT_EQ(hedge_stake_for(-5, odds("2.50")), 0);
  EXPECT_EQ(hedge_stake_for(1000, Odds{kOddsScale}), 0);  // evens-minus-nothing pays nothing
  // Large amounts do not overflow (128-bit intermediate).
  EXPECT_EQ(hedge_stake_for(4'000'000'000'000'000'000, odds("1000")), 4'004'004'004'004'005);
}

TEST(HedgeBook, WorstCaseIsTheUnhedgedMarketsUntilAHedgeStands) {
  auto s = make_state();
  bet(*s, 1, 1011, 10'000, "5.00");  // home wins: pays 50,000 on 10,000 staked
  bet(*s, 2, 1013, 2'000, "3.00");   // away wins: pays 6,000
  // Unhedged: home costs 50,000 - 12,000 = 38,000; away 6,000 - 12,000 < 0.
  const Market& m = *s->book.market(101);
  WorstOutcome w = s->hedges.worst_outcome(m, s->exposure);
  EXPECT_EQ(w.selection_id, 1011u);
  EXPECT_EQ(w.loss_minor, 38'000);
  EXPECT_EQ(w.loss_minor, s->exposure.market_liability(101));

  // Back home at 2.00 for 20,000: home now costs 38,000 - 20,000 = 18,000,
  // and every other case loses the hedge's 20,000 stake: draw -12,000 + 20,000 = 8,000.
  s->apply(instructed(1, 1011, 20'000, "2.00"));
  w = s->hedges.worst_outcome(m, s->exposure);
  EXPECT_EQ(w.selection_id, 1011u);
  EXPECT_EQ(w.loss_minor, 18'000);
  ASSERT_NE(s->hedges.open_on(101), nullptr);
  EXPECT_EQ(s->hedges.open_on(101)->id, 1u);

  // Filled for half at a better price: counted at the match (10,000 at 2.20 wins 12,000).
  s->apply(answered(1, HedgeStatus::kFilled, 10'000, "2.20"));
  EXPECT_EQ(s->hedges.open_on(101), nullptr);
  w = s->hedges.worst_outcome(m, s->exposure);
  EXPECT_EQ(w.selection_id, 1011u);
  EXPECT_EQ(w.loss_minor, 38'000 - 12'000);

  // A rejected hedge counts nothing.
  s->apply(instructed(2, 1011, 5'000, "2.00"));
  EXPECT_EQ(s->hedges.worst_outcome(m, s->exposure).loss_minor, 26'000 - 5'000);
  s->apply(answered(2, HedgeStatus::kRejected, 0, nullptr));
  EXPECT_EQ(s->hedges.worst_outcome(m, s->exposure).loss_minor, 26'000);
  EXPECT_EQ(s->hedges.latest_on(101)->id, 2u);
  EXPECT_EQ(s->hedges.on_market(101).size(), 2u);
  EXPECT_EQ(s->hedges.next_id(), 3u);
}

TEST(HedgeBook, RefusesWhatDoesNotFitAndChangesNothing) {
  auto s = make_state();
  s->apply(instructed(1, 1011, 1'000, "2.00"));
  const std::string before = s->state_hash();
  EXPECT_THROW(s->apply(instructed(1, 1012, 1'000, "2.00")), std::invalid_argument);  // id reused
  EXPECT_THROW(s->apply(instructed(2, 1012, 1'000, "2.00")), std::invalid_argument);  // a second open hedge on 101
  EXPECT_THROW(s->apply(answered(9, HedgeStatus::kFilled, 1'000, "2.00")), std::invalid_argument);  // unknown
  EXPECT_THROW(s->apply(answered(1, HedgeStatus::kFilled, 1'001, "2.00")), std::invalid_argument);  // more than asked
  HedgeAnswered evens = answered(1, HedgeStatus::kFilled, 1'000, nullptr);
  evens.matched_odds = kOddsScale;
  EXPECT_THROW(s->apply(evens), std::invalid_argument);  // odds 1.00 pay nothing
  EXPECT_THROW(s->apply(answered(1, HedgeStatus::kOpen, 0, nullptr)), std::invalid_argument);       // not a final word
  HedgeInstructed zero = instructed(3, 1011, 0, "2.00");
  zero.market_id = 102;
  EXPECT_THROW(s->apply(zero), std::invalid_argument);
  EXPECT_EQ(s->state_hash(), before);
  s->apply(answered(1, HedgeStatus::kFilled, 1'000, "2.00"));
  EXPECT_THROW(s->apply(answered(1, HedgeStatus::kRejected, 0, nullptr)), std::invalid_argument);  // answered already
}

TEST(HedgeEvents, RoundTripThroughTheJournalCodec) {
  HedgeInstructed i = instructed(7, 1013, 12'345, "3.25");
  i.liability = 99'000;
  std::string bytes;
  encode_event(i, bytes);
  BookEvent back = decode_event(static_cast<uint16_t>(EventType::kHedgeInstructed), bytes);
  auto* bi = std::get_if<HedgeInstructed>(&back);
  ASSERT_NE(bi, nullptr);
  EXPECT_EQ(bi->hedge_id, 7u);
  EXPECT_EQ(bi->selection_id, 1013u);
  EXPECT_EQ(bi->stake, 12'345);
  EXPECT_EQ(bi->odds, odds("3.25").scaled);
  EXPECT_EQ(bi->liability, 99'000);
  EXPECT_EQ(bi->venue, "exchange");
  EXPECT_EQ(bi->at_ns, kT0 + 10);
  EXPECT_EQ(event_type(back), EventType::kHedgeInstructed);

  HedgeAnswered a = answered(7, HedgeStatus::kRejected, 0, nullptr);
  bytes.clear();
  encode_event(a, bytes);
  back = decode_event(static_cast<uint16_t>(EventType::kHedgeAnswered), bytes);
  auto* ba = std::get_if<HedgeAnswered>(&back);
  ASSERT_NE(ba, nullptr);
  EXPECT_EQ(ba->result, static_cast<uint8_t>(HedgeStatus::kRejected));
  EXPECT_EQ(ba->detail, "no liquidity");
  // A record cut short is refused.
  EXPECT_THROW(decode_event(static_cast<uint16_t>(EventType::kHedgeAnswered), bytes.substr(0, bytes.size() - 1)),
               std::exception);
}

TEST(HedgeReplay, TheSameEventsRebuildTheSameHash) {
  auto live = make_state();
  auto replayed = make_state();
  const std::string empty = live->state_hash();
  for (BookState* s : {live.get(), replayed.get()}) {
    bet(*s, 1, 1011, 10'000, "5.00");
    s->apply(instructed(1, 1011, 20'000, "2.00"));
    s->apply(answered(1, HedgeStatus::kFilled, 20'000, "2.00"));
  }
  EXPECT_EQ(live->state_hash(), replayed->state_hash());
  EXPECT_NE(live->state_hash(), empty);
  // A different fill is a different book.
  auto other = make_state();
  bet(*other, 1, 1011, 10'000, "5.00");
  other->apply(instructed(1, 1011, 20'000, "2.00"));
  other->apply(answered(1, HedgeStatus::kFilled, 19'000, "2.00"));
  EXPECT_NE(other->state_hash(), live->state_hash());
}

}  // namespace
}  // namespace inplay
