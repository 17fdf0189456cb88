// BookState (src/engine/book_state.h): apply() is deterministic (equal event
// sequences give equal state_hash), BetAccepted reserves the stake and adds
// exposure, and events naming unknown ids throw without changing state.
#include "../book_state_util.h"
#include "engine/book_state.h"
#include "telemetry/trace.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace inplay {
namespace {

constexpr int64_t kTtl = 3'600'000'000'000;
constexpr int64_t kT0 = 1'800'000'000'000'000'000;

using test_util::odds;

// Event 1: market 101 (1011, 1012, 1013). Event 2: market 201 (2011, 2012).
std::unique_ptr<BookState> make_state() {
  auto s = std::make_unique<BookState>(Currency::of("GBP"), kTtl);
  s->book.add_event(Event{1, "football", "EPL", "Arsenal", "Chelsea", 0, EventState::kPreMatch, {}});
  s->book.add_event(Event{2, "football", "EPL", "Liverpool", "Everton", 0, EventState::kPreMatch, {}});
  Market m;
  m.id = 101;
  m.event_id = 1;
  s->book.add_market(m);
  m.id = 201;
  m.event_id = 2;
  s->book.add_market(m);
  for (uint64_t id : {1011, 1012, 1013}) s->book.add_selection(Selection{id, 101, "x", {}});
  for (uint64_t id : {2011, 2012}) s->book.add_selection(Selection{id, 201, "x", {}});
  return s;
}

IdemTag idem(const std::string& key) {
  IdemTag t;
  t.key = key;
  t.fingerprint.fill(static_cast<uint8_t>(key.size()));
  return t;
}

TraceId trace(const char* hex) {
  TraceId t{};
  EXPECT_TRUE(parse_trace_id(hex, t));
  return t;
}

BetAccepted bet(uint64_t id, const std::string& account, uint64_t sel, int64_t stake, const char* o,
                int64_t at) {
  return BetAccepted{id, account, sel, stake, odds(o).scaled, odds(o).scaled, 0, at - 10, at,
                     trace("0af7651916cd43dd8448eb211c80319c"), idem("web:bet" + std::to_string(id))};
}

std::vector<BookEvent> session() {
  std::vector<BookEvent> v;
  v.push_back(PriceApplied{1011, odds("2.5").scaled, 1, kT0});
  v.push_back(PriceApplied{1012, odds("3.4").scaled, 1, kT0});
  v.push_back(PriceApplied{2011, odds("1.8").scaled, 1, kT0});
  v.push_back(MoneyMoved{"alice", 100000, TransferReason::kDeposit, kT0 + 1, {}, idem("web:d1")});
  v.push_back(MoneyMoved{"bob", 5000, TransferReason::kDeposit, kT0 + 2, {}, IdemTag{}});
  v.push_back(EventStateSet{1, static_cast<uint8_t>(EventState::kInPlay), "operator:trader", kT0 + 3});
  v.push_back(bet(1, "alice", 1011, 1000, "2.5", kT0 + 4));
  v.push_back(Rejected{static_cast<uint16_t>(ErrorCode::kPriceChanged), "the price changed", kT0 + 5, idem("web:r1")});
  v.push_back(PriceApplied{1011, odds("2.6").scaled, 2, kT0 + 6});
  v.push_back(bet(2, "bob", 1012, 2000, "3.4", kT0 + 7));
  v.push_back(StakeCapSet{101, 500, "system", kT0 + 8});
  v.push_back(MarketStatusSet{201, static_cast<uint8_t>(MarketStatus::kSuspended), "feed", "system", kT0 + 9});
  v.push_back(MoneyMoved{"alice", 300, TransferReason::kWithdrawal, kT0 + 10, {}, IdemTag{}});
  return v;
}

TEST(BookState, SameEventsGiveTheSameHash) {
  auto a = make_state();
  auto b = make_state();
  EXPECT_EQ(a->state_hash(), b->state_hash());  // empty books
  EXPECT_EQ(a->state_hash().size(), 64u);       // SHA-256 hex
  for (const BookEvent& e : session()) {
    a->apply(e);
    b->apply(e);
    ASSERT_EQ(a->state_hash(), b->state_hash());
  }
  EXPECT_EQ(a->events_applied, session().size());
  // The hash is a pure function of the state.
  EXPECT_EQ(a->state_hash(), a->state_hash());
}

TEST(BookState, EveryEventChangesTheHashExceptPureIdempotencyRecords) {
  auto s = make_state();
  std::string prev = s->state_hash();
  for (const BookEvent& e : session()) {
    s->apply(e);
    std::string now = s->state_hash();
    if (std::holds_alternative<Rejected>(e))
      EXPECT_EQ(now, prev) << "the idempotency store is outside the hash";
    else
      EXPECT_NE(now, prev) << "event index " << e.index();
    prev = now;
  }
}

TEST(BookState, DifferentSequencesGiveDifferentHashes) {
  auto base = session();
  auto hash_of = [](const std::vector<BookEvent>& evs) {
    auto s = make_state();
    for (const BookEvent& e : evs) s->apply(e);
    return s->state_hash();
  };
  const std::string h = hash_of(base);

  auto fewer = base;
  fewer.pop_back();  // one withdrawal missing
  EXPECT_NE(hash_of(fewer), h);

  auto other_stake = base;
  std::get<BetAccepted>(other_stake[6]).stake = 1001;
  EXPECT_NE(hash_of(other_stake), h);

  auto other_odds = base;
  std::get<BetAccepted>(other_odds[9]).odds = odds("3.5").scaled;
  EXPECT_NE(hash_of(other_odds), h);

  auto other_reason = base;
  std::get<MarketStatusSet>(other_reason[11]).reason = "trader";
  EXPECT_NE(hash_of(other_reason), h);

  // Two price updates swapped: same prices seen, different final price.
  auto swapped = base;
  std::swap(swapped[0], swapped[8]);
  EXPECT_NE(hash_of(swapped), h);
}

TEST(BookState, BetAcceptedReservesTheStakeAndAddsExposure) {
  auto s = make_state();
  s->apply(MoneyMoved{"alice", 10000, TransferReason::kDeposit, kT0, {}, IdemTag{}});
  uint32_t a = static_cast<uint32_t>(s->ledger.find("alice"));
  ASSERT_EQ(s->ledger.account(a).balance, 10000);

  s->apply(bet(7, "alice", 1011, 1000, "2.5", kT0 + 100));
  EXPECT_EQ(s->ledger.account(a).balance, 9000);
  EXPECT_EQ(s->ledger.account(s->ledger.reserved_of(a)).balance, 1000);
  EXPECT_EQ(s->ledger.sum(), 0);
  EXPECT_EQ(s->exposure.selection_liability(1011), 1500);
  EXPECT_EQ(s->exposure.market_liability(101), 1500);
  EXPECT_EQ(s->exposure.event_liability(1), 1500);
  EXPECT_EQ(s->exposure.account_market_stake(a, 101), 1000);

  ASSERT_NE(s->bets.find(7), nullptr);
  const Bet& b = s->bets.at(7);
  EXPECT_EQ(b.account, a);
  EXPECT_EQ(b.selection_id, 1011u);
  EXPECT_EQ(b.market_id, 101u);
  EXPECT_EQ(b.event_id, 1u);
  EXPECT_EQ(b.stake_minor, 1000);
  EXPECT_EQ(b.odds, odds("2.5"));
  EXPECT_EQ(b.accepted_ns, kT0 + 100);
  EXPECT_EQ(b.placed_ns, kT0 + 90);
  EXPECT_EQ(b.status, BetStatus::kAccepted);
  EXPECT_EQ(to_hex(b.trace_id), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(s->next_bet_id, 8u);

  // Its outcome is stored for repeats of the same key.
  const IdempotencyStore::Entry* e = nullptr;
  IdemTag r = idem("web:bet7");
  EXPECT_EQ(s->idempotency.begin("web:bet7", r.fingerprint, kT0 + 200, &e), IdempotencyStore::Lookup::kDone);
  EXPECT_EQ(std::get<BetPlaced>(e->outcome()).bet_id, 7u);

  // next_bet_id never goes backwards.
  s->apply(bet(3, "alice", 1012, 100, "3.0", kT0 + 300));
  EXPECT_EQ(s->next_bet_id, 8u);
}

// Synthetic checks' money (REL-1): funded from house/synthetic, never
// house/funding; their bets reserve the stake but add no exposure — on
// replay too, since both follow from the account id.
TEST(BookState, SyntheticAccountsMoveNoRealMoneyAndAddNoExposure) {
  auto s = make_state();
  s->apply(MoneyMoved{"alice", 10000, TransferReason::kDeposit, kT0, {}, IdemTag{}});
  s->apply(bet(1, "alice", 1011, 1000, "2.5", kT0 + 100));
  const int64_t funding = s->ledger.account(s->ledger.funding()).balance;
  const int64_t liability = s->exposure.market_liability(101);

  s->apply(MoneyMoved{"synthetic-checks", 5000, TransferReason::kDeposit, kT0 + 200, {}, IdemTag{}});
  s->apply(bet(2, "synthetic-checks", 1011, 100, "2.5", kT0 + 300));
  s->apply(MoneyMoved{"synthetic-checks", 400, TransferReason::kWithdrawal, kT0 + 400, {}, IdemTag{}});
  const uint32_t syn = static_cast<uint32_t>(s->ledger.find("synthetic-checks"));
  EXPECT_TRUE(s->ledger.account(syn).synthetic);
  EXPECT_TRUE(s->ledger.account(s->ledger.reserved_of(syn)).synthetic);
  EXPECT_FALSE(s->ledger.account(static_cast<uint32_t>(s->ledger.find("alice"))).synthetic);
  EXPECT_EQ(s->ledger.account(syn).balance, 4500);
  EXPECT_EQ(s->ledger.account(s->ledger.reserved_of(syn)).balance, 100);
  EXPECT_EQ(s->ledger.account(static_cast<uint32_t>(s->ledger.find("house/synthetic"))).balance, -4600);
  EXPECT_EQ(s->ledger.account(s->ledger.funding()).balance, funding) << "real funding moved";
  EXPECT_EQ(s->exposure.market_liability(101), liability) << "a synthetic bet added exposure";
  EXPECT_EQ(s->exposure.account_market_stake(syn, 101), 0);
  EXPECT_EQ(s->ledger.sum(), 0);
  EXPECT_NE(s->bets.find(2), nullptr);
}

TEST(BookState, MoneyMovedOpensTheAccountAndMovesBothLegs) {
  auto s = make_state();
  s->apply(MoneyMoved{"carol", 700, TransferReason::kDeposit, kT0, trace("0af7651916cd43dd8448eb211c80319c"), idem("web:dep")});
  int64_t c = s->ledger.find("carol");
  ASSERT_GE(c, 0);
  EXPECT_EQ(s->ledger.account(c).balance, 700);
  EXPECT_EQ(s->ledger.account(s->ledger.funding()).balance, -700);
  s->apply(MoneyMoved{"carol", 200, TransferReason::kWithdrawal, kT0 + 1, {}, IdemTag{}});
  EXPECT_EQ(s->ledger.account(c).balance, 500);
  EXPECT_EQ(s->ledger.sum(), 0);
  EXPECT_EQ(s->idempotency.size(), 1u);  // an empty key is not stored
  // The deposit's key holds its receipt: the balance right after it.
  const IdempotencyStore::Entry* e = nullptr;
  ASSERT_EQ(s->idempotency.begin("web:dep", idem("web:dep").fingerprint, kT0 + 2, &e), IdempotencyStore::Lookup::kDone);
  const auto receipt = std::get<MoneyReceipt>(e->outcome());
  EXPECT_EQ(receipt.account, "carol");
  EXPECT_EQ(receipt.amount, 700);
  EXPECT_EQ(receipt.balance, 700);
  EXPECT_EQ(to_hex(receipt.trace_id), "0af7651916cd43dd8448eb211c80319c");
}

TEST(BookState, MarketAndEventChangesReachTheBook) {
  auto s = make_state();
  s->apply(MarketStatusSet{101, static_cast<uint8_t>(MarketStatus::kSuspended), "goal", "system", 1});
  EXPECT_EQ(s->book.market(101)->status, MarketStatus::kSuspended);
  EXPECT_EQ(s->book.market(101)->status_reason, "goal");
  s->apply(StakeCapSet{101, 250, "system", 2});
  EXPECT_EQ(s->book.market(101)->stake_cap_minor, 250);
  s->apply(EventStateSet{2, static_cast<uint8_t>(EventState::kInPlay), "op", 3});
  EXPECT_EQ(s->book.event(2)->state, EventState::kInPlay);
  s->apply(PriceApplied{2012, odds("2.2").scaled, 77, kT0});
  EXPECT_EQ(s->book.selection(2012)->price.odds, odds("2.2"));
  EXPECT_EQ(s->book.selection(2012)->price.version, 1u);
  EXPECT_EQ(s->book.selection(2012)->price.provider_ts_ms, 77);
  EXPECT_EQ(s->book.market(201)->last_update_ns, kT0);
}

TEST(BookState, UnknownIdsThrowAndChangeNothing) {
  auto s = make_state();
  for (const BookEvent& e : session()) s->apply(e);
  const std::string before = s->state_hash();
  const uint64_t applied = s->events_applied;
  const size_t accounts = s->ledger.size();

  // A bet on a selection the book does not have (journal of another config).
  EXPECT_THROW(s->apply(bet(99, "dave", 4242, 100, "2.0", kT0 + 50)), std::invalid_argument);
  EXPECT_EQ(s->ledger.size(), accounts);  // "dave" was not opened
  EXPECT_EQ(s->bets.find(99), nullptr);
  EXPECT_THROW(s->apply(PriceApplied{4242, 20000, 0, kT0}), std::invalid_argument);
  EXPECT_THROW(s->apply(MarketStatusSet{999, 1, "", "", 0}), std::invalid_argument);
  EXPECT_THROW(s->apply(StakeCapSet{999, 1, "", 0}), std::invalid_argument);
  EXPECT_THROW(s->apply(EventStateSet{999, 1, "", 0}), std::invalid_argument);

  EXPECT_EQ(s->state_hash(), before);
  EXPECT_EQ(s->events_applied, applied);
}

// A bet id already in the book, id 0, or one far beyond the book's bets
// (BetTable::kMaxAhead): refused before any money or exposure moves.
TEST(BookState, BadBetIdsThrowAndChangeNothing) {
  auto s = make_state();
  s->apply(MoneyMoved{"erin", 10000, TransferReason::kDeposit, kT0, {}, IdemTag{}});
  s->apply(bet(5, "erin", 1011, 100, "2.0", kT0 + 60));
  const int64_t erin = s->ledger.account(static_cast<uint32_t>(s->ledger.find("erin"))).balance;
  const int64_t liability = s->exposure.market_liability(101);
  const size_t bets = s->bets.size();
  for (uint64_t id : {uint64_t{5}, uint64_t{0}, uint64_t{1} << 40}) {
    EXPECT_THROW(s->apply(bet(id, "erin", 1011, 100, "2.0", kT0 + 70)), std::invalid_argument) << id;
    EXPECT_EQ(s->ledger.account(static_cast<uint32_t>(s->ledger.find("erin"))).balance, erin) << id;
    EXPECT_EQ(s->exposure.market_liability(101), liability) << id;
  }
  EXPECT_EQ(s->bets.size(), bets);
  EXPECT_EQ(s->bets.at(5).stake_minor, 100);
}

}  // namespace
}  // namespace inplay
