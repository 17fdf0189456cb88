// Admission control on the engine (issue 18, item 2), on the simulated
// clock: a bet the engine takes after its deadline is refused 503
// DEADLINE_EXCEEDED with nothing changed — no journal record, no money, no
// idempotency entry, so the same key succeeds on retry; a bet whose risk
// turn comes after its deadline likewise; and the queue-delay gate closes
// the edge (PlacementDesk::admitting) once sojourn stayed above target for
// an interval, and opens it again when the queue is empty.
#include <gtest/gtest.h>

#include "engine_fixture.h"
#include "sim/sim_engine_cost.h"

namespace inplay {
namespace {

using namespace engine_test;
using namespace std::chrono_literals;

class AdmissionTest : public EngineTest {
 protected:
  // A bet read at the edge `read_ago` before now, with `budget` to live.
  bool place_read(Replies& box, const std::string& key, Nanos read_ago, Nanos budget) {
    PlaceBet r;
    r.idem_key = "test:" + key;
    r.fingerprint[0] = 7;
    r.account = "alice";
    r.scope = scope_of("alice");
    r.user_mask = "masked";
    r.selection_id = 1011;
    r.stake = 100;
    r.currency = Currency::of("GBP");
    r.odds = odds("2.5");
    r.gateway_start_ns = to_ns(clock.now()) - read_ago.count();
    r.deadline_ns = r.gateway_start_ns + budget.count();
    r.done = box.fn(*engine);
    return desks->bets.submit(std::move(r));
  }
  struct Snapshot {
    std::string hash;
    uint64_t events = 0;
    size_t keys = 0;
    int64_t balance = 0;
    uint64_t last_seq = 0;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot snapshot() {
    flush();
    return on_engine([&] {
      auto& s = engine->state();
      return Snapshot{s.state_hash(), s.events_applied, s.idempotency.size(),
                      s.ledger.account(s.ledger.find("alice")).balance, journal->last_seq()};
    });
  }
};

TEST_F(AdmissionTest, ABetTakenAfterItsDeadlineIsRefusedAndChangesNothing) {
  staleness = 60s;
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  const Snapshot before = snapshot();
  const uint64_t shed = engine->metrics().shed->value();

  Replies box;
  ASSERT_TRUE(place_read(box, "late", 50ms, 10ms));  // read 50 ms ago, 10 ms to live
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 503) << box.at(0).body;
  EXPECT_TRUE(has(box.at(0), "\"code\":\"DEADLINE_EXCEEDED\"")) << box.at(0).body;
  EXPECT_EQ(snapshot(), before) << "a refusal journals nothing, moves no money, keeps no key";
  EXPECT_EQ(engine->metrics().refused_deadline->value(), 1u);
  EXPECT_EQ(engine->metrics().shed->value(), shed + 1) << "engine_shed_total sees admission refusals";

  // The same key, retried in time, is decided: the refusal was not its answer.
  ASSERT_TRUE(place_read(box, "late", 0ms, 10ms));
  ASSERT_TRUE(box.wait(2));
  EXPECT_EQ(box.at(1).status, 201) << box.at(1).body;
  EXPECT_NE(snapshot().hash, before.hash);
}

TEST_F(AdmissionTest, ADeadlineStillAheadIsDecidedAndNoneMeansNone) {
  staleness = 60s;
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  Replies box;
  ASSERT_TRUE(place_read(box, "in-time", 9ms, 10ms));
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 201) << box.at(0).body;
  EXPECT_EQ(bet("no-deadline", 1011, 100, "2.5").status, 201) << "deadline 0: none";
  EXPECT_EQ(engine->metrics().refused_deadline->value(), 0u);
}

TEST_F(AdmissionTest, ARiskTurnAfterTheDeadlineIsRefusedAndTheKeyIsFree) {
  staleness = 60s;
  open();
  SimEngineCost cost;
  cost.set_cost(100ms);
  desks->bets.set_risk_turn(&cost);
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  const Snapshot before = snapshot();
  Replies box;
  ASSERT_TRUE(place_read(box, "first", 0ms, 150ms));   // its turn: 100 ms
  ASSERT_TRUE(place_read(box, "second", 0ms, 150ms));  // its turn: 200 ms, too late
  advance_to(250ms);
  ASSERT_TRUE(box.wait(2));
  EXPECT_EQ(box.at(0).status, 201) << box.at(0).body;
  EXPECT_EQ(box.at(1).status, 503) << box.at(1).body;
  EXPECT_TRUE(has(box.at(1), "DEADLINE_EXCEEDED")) << box.at(1).body;
  const Snapshot after = snapshot();
  EXPECT_EQ(after.balance, before.balance - 100) << "only the first bet's stake is reserved";
  EXPECT_EQ(after.keys, before.keys + 1) << "the refused bet's key is not kept";
  ASSERT_TRUE(place_read(box, "second", 0ms, 1s));
  advance_to(400ms);
  ASSERT_TRUE(box.wait(3));
  EXPECT_EQ(box.at(2).status, 201) << box.at(2).body;
}

TEST_F(AdmissionTest, TheQueueDelayGateClosesTheEdgeAndOpensWhenTheQueueIsEmpty) {
  staleness = 60s;
  cfg.admission.queue_delay_target = 5ms;
  cfg.admission.queue_delay_interval = 100ms;
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  Replies box;
  size_t n = 0;
  // Bets that waited 20 ms since the edge read them, for a whole interval.
  for (int i = 0; i <= 10; ++i) {
    advance_to(std::chrono::milliseconds(10 * i));
    EXPECT_TRUE(desks->bets.admitting()) << "at " << 10 * i << " ms";
    ASSERT_TRUE(place_read(box, "q" + std::to_string(i), 20ms, 1s));
    ASSERT_TRUE(box.wait(++n));
  }
  EXPECT_FALSE(desks->bets.admitting()) << "sojourn stayed over 5 ms for 100 ms";
  EXPECT_EQ(engine->metrics().refused_queue_delay->value(), 1u);
  EXPECT_EQ(engine->metrics().admission_dropping->value(), 1);
  // Nothing more is taken (the edge refuses): after an empty interval the
  // gate's timer opens it.
  advance_to(250ms);
  EXPECT_TRUE(desks->bets.admitting());
  EXPECT_EQ(engine->metrics().admission_dropping->value(), 0);
  // A short sojourn keeps it open.
  for (int i = 0; i <= 20; ++i) {
    advance_to(std::chrono::milliseconds(300 + 10 * i));
    ASSERT_TRUE(place_read(box, "ok" + std::to_string(i), 1ms, 1s));
    ASSERT_TRUE(box.wait(++n));
  }
  EXPECT_TRUE(desks->bets.admitting());
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(box.at(i).status, 201) << box.at(i).body;
}

}  // namespace
}  // namespace inplay
