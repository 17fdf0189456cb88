// The engine (src/engine/engine.h) running the book's desks (app/book_desks.h)
// with a real Journal in a temp dir, a SimClock, metrics and a tracer: a bet
// placed and answered once durable, reject codes, idempotent repeats, the
// in-play delay and price confirmation on the simulated clock, replay to the
// same state hash, and shedding on a full queue. Outcomes are rendered as the
// API renders them (http/views.h), so the bytes of repeats are checked too.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine_fixture.h"
#include "sim/sim_engine_cost.h"

namespace inplay {
namespace {

using namespace engine_test;
using namespace std::chrono_literals;

TEST_F(EngineTest, PlacesABetAndRepliesOnceDurable) {
  open();
  EXPECT_EQ(engine->replay(), 0u);
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  Reply r = bet("b1", 1011, 1000, "2.5");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(has(r, "\"bet_id\":\"1\"")) << r.body;
  EXPECT_TRUE(has(r, "\"status\":\"accepted\"")) << r.body;
  EXPECT_TRUE(has(r, "\"odds\":\"2.5\"")) << r.body;
  EXPECT_TRUE(has(r, "\"potential_payout\":2500")) << r.body;

  // Journaled before the reply: deposit, price, bet.
  EXPECT_GE(journal->stats().last_durable_seq, 3u);
  auto [bets, cash, reserved, liability] = on_engine([&] {
    auto& s = engine->state();
    int64_t a = s.ledger.find("alice");
    return std::tuple{s.bets.size(), s.ledger.account(a).balance,
                      s.ledger.account(s.ledger.reserved_of(a)).balance, s.exposure.market_liability(101)};
  });
  EXPECT_EQ(bets, 1u);
  EXPECT_EQ(cash, 9000);
  EXPECT_EQ(reserved, 1000);
  EXPECT_EQ(liability, 1500);
}

TEST_F(EngineTest, RejectsWithStableCodes) {
  open();
  start();
  deposit("alice", 1000);
  price(1011, "2.5");
  Reply r = bet("r1", 1011, 100, "2.4");
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(has(r, "PRICE_CHANGED")) << r.body;
  r = bet("r2", 1011, 100, "2.5", PriceChangePolicy::kNone, "nobody");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(has(r, "ACCOUNT_NOT_FOUND")) << r.body;
  r = bet("r3", 4242, 100, "2.5");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(has(r, "SELECTION_NOT_FOUND")) << r.body;
  r = bet("r4", 1011, 1001, "2.5");
  EXPECT_EQ(r.status, 402);
  EXPECT_TRUE(has(r, "INSUFFICIENT_FUNDS")) << r.body;
  r = bet("r5", 1012, 100, "2.5");  // never priced
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(has(r, "PRICE_STALE")) << r.body;
  EXPECT_EQ(on_engine([&] { return engine->state().bets.size(); }), 0u);
}

TEST_F(EngineTest, RepeatedKeyReturnsTheFirstResponse) {
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  Reply first = bet("same", 1011, 1000, "2.5");
  ASSERT_EQ(first.status, 201);
  Reply again = bet("same", 1011, 1000, "2.5");
  EXPECT_EQ(again.status, first.status);
  EXPECT_EQ(again.body, first.body);
  Reply other = bet("same", 1011, 2000, "2.5");  // same key, different request
  EXPECT_EQ(other.status, 422);
  EXPECT_TRUE(has(other, "IDEMPOTENCY_KEY_REUSED")) << other.body;
  EXPECT_EQ(on_engine([&] { return engine->state().bets.size(); }), 1u);
}

TEST_F(EngineTest, InPlayDelayHoldsTheReplyUntilTheClockMoves) {
  cfg.inplay_delay["football"] = 5s;
  cfg.price_confirm_timeout = Nanos(0);  // no wait for a newer price
  staleness = 60s;                        // the opening price stays fresh through the delay
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  ASSERT_TRUE(on_engine([&] { return desks->markets.set_event_state(1, EventState::kInPlay, "test").ok(); }));

  Replies box;
  ASSERT_TRUE(place(box, "d1", 1011, 1000, "2.5"));
  flush();
  EXPECT_EQ(box.count(), 0u) << "replied inside the in-play delay";
  advance_to(4999ms);
  flush();
  EXPECT_EQ(box.count(), 0u) << "replied before the delay elapsed";
  advance_to(5s);
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 201) << box.at(0).body;
  int64_t accepted = on_engine([&] { return engine->state().bets.at(1).accepted_ns; });
  EXPECT_EQ(accepted, kT0 + 5'000'000'000);

  // Pre-match events have no delay: answered without moving the clock.
  price(2011, "1.8");
  Reply pre = bet("d2", 2011, 100, "1.8");
  EXPECT_EQ(pre.status, 201) << pre.body;
}

TEST_F(EngineTest, RepeatsInsideTheDelayJoinTheOneDecision) {
  cfg.inplay_delay["football"] = 5s;
  cfg.price_confirm_timeout = Nanos(0);
  staleness = 60s;
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  ASSERT_TRUE(on_engine([&] { return desks->markets.set_event_state(1, EventState::kInPlay, "test").ok(); }));
  auto repeats = [&](const char* answer) {
    std::string series = std::string("idempotency_repeats_total{answer=\"") + answer + "\"} ";
    std::string text = metrics.render_prometheus();
    size_t at = text.find(series);
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + series.size()));
  };

  Replies box;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(place(box, "j1", 1011, 1000, "2.5"));
  flush();
  EXPECT_EQ(box.count(), 0u) << "a repeat answered inside the in-play delay";
  EXPECT_EQ(repeats("joined"), 2);  // the second and third wait for the first's decision
  EXPECT_EQ(repeats("stored"), 0);
  advance_to(5s);
  ASSERT_TRUE(box.wait(3));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(box.at(i).status, 201) << box.at(i).body;
    EXPECT_EQ(box.at(i).body, box.at(0).body);
  }
  Reply later = bet("j1", 1011, 1000, "2.5");  // after the decision: the stored response
  EXPECT_EQ(later.body, box.at(0).body);
  EXPECT_EQ(repeats("stored"), 1);
  EXPECT_EQ(repeats("joined"), 2);
  EXPECT_EQ(on_engine([&] { return engine->state().bets.size(); }), 1u);
}

TEST_F(EngineTest, InPlayBetWaitsForAPriceConfirmation) {
  cfg.inplay_delay["football"] = 5s;
  cfg.price_confirm_timeout = 2s;
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  ASSERT_TRUE(on_engine([&] { return desks->markets.set_event_state(1, EventState::kInPlay, "test").ok(); }));

  Replies box;
  ASSERT_TRUE(place(box, "c1", 1011, 1000, "2.5"));
  advance_to(5s);
  flush();
  EXPECT_EQ(box.count(), 0u) << "decided without a price newer than the bet";
  advance_to(6s);
  price(1012, "3.4");  // any newer price on the market confirms it
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 201) << box.at(0).body;
}

TEST_F(EngineTest, InPlayBetWithoutConfirmationIsStale) {
  cfg.inplay_delay["football"] = 5s;
  cfg.price_confirm_timeout = 2s;
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  ASSERT_TRUE(on_engine([&] { return desks->markets.set_event_state(1, EventState::kInPlay, "test").ok(); }));

  Replies box;
  ASSERT_TRUE(place(box, "s1", 1011, 1000, "2.5"));
  advance_to(6999ms);
  flush();
  EXPECT_EQ(box.count(), 0u);
  advance_to(7s);
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 409);
  EXPECT_TRUE(has(box.at(0), "PRICE_STALE")) << box.at(0).body;
}

TEST_F(EngineTest, ReplayRebuildsTheSameState) {
  open();
  start();
  deposit("alice", 10000);
  deposit("bob", 5000);
  price(1011, "2.5");
  price(1012, "3.4");
  price(2011, "1.8");
  ASSERT_EQ(bet("p1", 1011, 1000, "2.5").status, 201);
  ASSERT_EQ(bet("p2", 1012, 700, "3.4", PriceChangePolicy::kNone, "bob").status, 201);
  ASSERT_EQ(bet("p3", 1011, 100, "9.9").status, 409);
  ASSERT_TRUE(on_engine([&] { return desks->markets.set_stake_cap(101, 500, "test").ok(); }));
  ASSERT_TRUE(on_engine([&] {
    return desks->markets.set_market_status(201, MarketStatus::kSuspended, "feed", "test").ok();
  }));
  price(1011, "2.6");
  shutdown();
  const std::string hash = engine->state().state_hash();
  const size_t bets = engine->state().bets.size();
  const uint64_t records = journal->last_seq();
  desks.reset();
  engine.reset();
  journal.reset();

  open();  // a new journal and engine on the same directory
  EXPECT_EQ(engine->replay(), records);
  EXPECT_EQ(engine->state().state_hash(), hash);
  EXPECT_EQ(engine->state().bets.size(), bets);
  EXPECT_EQ(engine->state().next_bet_id, 3u);

  // The replayed book carries on: repeats answer from the journal, new bets
  // get the next id.
  start();
  Reply again = bet("p1", 1011, 1000, "2.5");
  EXPECT_EQ(again.status, 201);
  EXPECT_TRUE(has(again, "\"bet_id\":\"1\"")) << again.body;
  price(1011, "2.5");
  Reply next = bet("p4", 1011, 100, "2.5");
  EXPECT_EQ(next.status, 201) << next.body;
  EXPECT_TRUE(has(next, "\"bet_id\":\"3\"")) << next.body;
}

TEST_F(EngineTest, ReplayIntoAnotherBookThrows) {
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  ASSERT_EQ(bet("x1", 1011, 1000, "2.5").status, 201);
  shutdown();
  desks.reset();
  engine.reset();
  journal.reset();

  Journal::Options jo;
  jo.dir = dir;
  jo.fsync = FsyncPolicy::kNone;
  journal = Journal::open(jo);
  engine = std::make_unique<Engine>(cfg, clock, *journal, metrics);
  // An empty book: the journal names selections it does not have.
  EXPECT_THROW(engine->replay(), std::runtime_error);
}

TEST_F(EngineTest, FullQueueRefusesWork) {
  cfg.queue_capacity = 1;
  open();  // never started: nothing drains the queue
  std::atomic<int> ran{0};
  EXPECT_TRUE(engine->submit([&] { ++ran; }));
  EXPECT_EQ(engine->queue_depth(), 1u);
  EXPECT_FALSE(engine->submit([&] { ++ran; }));
  Replies box;
  EXPECT_FALSE(place(box, "q1", 1011, 100, "2.5"));
  MoveMoney m;
  m.idem_key = "test:q2";
  m.account = "alice";
  m.amount = 1;
  m.currency = Currency::of("GBP");
  m.done = box.fn(*engine);
  EXPECT_FALSE(desks->wallet.submit(std::move(m)));
  EXPECT_EQ(engine->queue_depth(), 1u);
  EXPECT_EQ(ran.load(), 0);
  EXPECT_EQ(box.count(), 0u);
}

// Game days: the simulated engine (sim/sim_engine_cost.h) decides one bet per
// 100 ms of book time, so bets offered at once queue behind each other, as on
// a real engine thread; the offer observer counts every bet offered, shed
// ones included.
TEST_F(EngineTest, SimulatedBetCostQueuesBetsOneAfterAnother) {
  staleness = 60s;
  open();
  SimEngineCost cost;
  cost.set_cost(100ms);
  desks->bets.set_risk_turn(&cost);
  int offered = 0;
  std::vector<int64_t> decided;
  desks->bets.add_offer_observer([&](uint64_t market, uint64_t event) {
    EXPECT_EQ(market, 101u);
    EXPECT_EQ(event, 1u);
    ++offered;
  });
  desks->bets.add_decision_observer([&](const BetDecision& d) { decided.push_back(d.latency_ns); });
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  Replies box;
  for (const char* k : {"s1", "s2", "s3"}) ASSERT_TRUE(place(box, k, 1011, 100, "2.5"));
  flush();
  EXPECT_EQ(box.count(), 0u) << "decided before the simulated engine had time";
  advance_to(250ms);
  ASSERT_TRUE(box.wait(2));
  flush();
  EXPECT_EQ(box.count(), 2u) << "the third bet is served at 300 ms";
  advance_to(300ms);
  ASSERT_TRUE(box.wait(3));
  auto accepted = on_engine([&] {
    std::vector<int64_t> v;
    for (uint64_t id : {1, 2, 3}) v.push_back(engine->state().bets.at(id).accepted_ns - kT0);
    return v;
  });
  EXPECT_EQ(accepted, (std::vector<int64_t>{100'000'000, 200'000'000, 300'000'000}));
  EXPECT_EQ(offered, 3);
  EXPECT_EQ(decided, (std::vector<int64_t>{100'000'000, 200'000'000, 300'000'000})) << "queue wait is latency";

  // A shed bet is offered but never queued or decided.
  ASSERT_TRUE(on_engine([&] {
    return desks->markets.set_market_control(101, MarketControl::kIntakePerSecond, 1, "test", "test").ok();
  }));
  advance_to(2s);
  ASSERT_TRUE(place(box, "s4", 1011, 100, "2.5"));
  ASSERT_TRUE(place(box, "s5", 1011, 100, "2.5"));
  ASSERT_TRUE(box.wait(4));
  EXPECT_EQ(box.at(3).status, 503) << box.at(3).body;
  EXPECT_TRUE(has(box.at(3), "MARKET_BUSY")) << box.at(3).body;
  advance_to(2100ms);
  ASSERT_TRUE(box.wait(5));
  EXPECT_EQ(box.at(4).status, 201) << box.at(4).body;
  EXPECT_EQ(offered, 5);
  EXPECT_EQ(decided.size(), 4u);
}

// The simulated engine charges a bet's cost when its check starts, first come
// first served (issue 17, item 8): the CPU burn ending mid-queue speeds up
// every bet still waiting, not only those offered afterwards.
TEST_F(EngineTest, SimulatedBetCostIsChargedWhenTheCheckStarts) {
  staleness = 60s;
  open();
  SimEngineCost cost;
  cost.set_cost(100ms);
  desks->bets.set_risk_turn(&cost);
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  Replies box;
  for (const char* k : {"f1", "f2", "f3", "f4"}) ASSERT_TRUE(place(box, k, 1011, 100, "2.5"));
  flush();
  advance_to(150ms);  // f1 decided at 100 ms; f2's check started at 100 ms at 100 ms
  ASSERT_TRUE(box.wait(1));
  on_engine([&] {
    cost.set_cost(10ms);
    return true;
  });
  advance_to(230ms);
  ASSERT_TRUE(box.wait(4));
  auto accepted = on_engine([&] {
    std::vector<int64_t> v;
    for (uint64_t id : {1, 2, 3, 4}) v.push_back(engine->state().bets.at(id).accepted_ns - kT0);
    return v;
  });
  // Charged at queue time, f3 and f4 would wait until 300 and 400 ms.
  EXPECT_EQ(accepted, (std::vector<int64_t>{100'000'000, 200'000'000, 210'000'000, 220'000'000}));
}

}  // namespace
}  // namespace inplay
