// Failures on the engine thread (issue 18, finding 5): an exception thrown
// while the engine handles a command — a deposit that would overflow the
// house's funding account, a task, a timer, after-durable work — refuses
// that command with a log line and a counter, changes nothing, and the
// engine carries on. Before, the first one terminated the process.
#include <gtest/gtest.h>

#include <limits>

#include "engine_fixture.h"

namespace inplay {
namespace {

using namespace engine_test;
using namespace std::chrono_literals;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// The engine's book after a replayed history that left house/funding at
// -(kMax - room): a journal from a long life, short-cut by one event.
void fund_near_the_limit(Engine& e, int64_t room) {
  e.commit(MoneyMoved{"whale", kMax - room, TransferReason::kDeposit, 0, {}, {}});
}


class EngineFailureTest : public EngineTest {
 protected:
  MoveMoney deposit_cmd(const std::string& key, const std::string& account, int64_t amount, Replies& box) {
    MoveMoney m;
    m.idem_key = "test:" + key;
    m.account = account;
    m.scope = scope_of(account);
    m.user_mask = "masked";
    m.amount = amount;
    m.currency = Currency::of("GBP");
    m.reason = TransferReason::kDeposit;
    m.done = box.fn(*engine);
    return m;
  }
  double failures(const std::string& where) {
    return static_cast<double>(metrics.counter("engine_failures_total", "", {"where"}).with({where}).value());
  }
};

TEST_F(EngineFailureTest, ADepositThatWouldOverflowIsRefusedAndTheEngineCarriesOn) {
  open();
  fund_near_the_limit(*engine, 500);  // house/funding at -(2^63 - 501)
  start();
  ASSERT_TRUE(open_account("alice").ok());  // a deposit needs an open account (SEC-1)
  ASSERT_TRUE(open_account("bob").ok());
  const std::string before = on_engine([&] { return engine->state().state_hash(); });

  Replies box;
  ASSERT_TRUE(desks->wallet.submit(deposit_cmd("over", "alice", 1000, box)));
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 422) << box.at(0).body;
  EXPECT_TRUE(has(box.at(0), "VALIDATION_FAILED")) << box.at(0).body;
  EXPECT_TRUE(has(box.at(0), "amount")) << box.at(0).body;

  // Nothing moved; the refusal is journaled like any other.
  EXPECT_EQ(on_engine([&] { return engine->state().ledger.sum(); }), 0);
  EXPECT_EQ(on_engine([&] { return engine->state().ledger.account(engine->state().ledger.find("alice")).balance; }), 0);
  EXPECT_EQ(on_engine([&] { return engine->state().state_hash(); }), before);

  // The engine carries on: a deposit that fits is taken.
  Replies ok;
  ASSERT_TRUE(desks->wallet.submit(deposit_cmd("fits", "bob", 400, ok)));
  ASSERT_TRUE(ok.wait(1));
  EXPECT_EQ(ok.at(0).status, 201) << ok.at(0).body;
  EXPECT_EQ(on_engine([&] { return engine->state().ledger.sum(); }), 0);
}

TEST_F(EngineFailureTest, ACommitTheBookRefusesChangesNothingAndIsAnsweredInternal) {
  open();
  fund_near_the_limit(*engine, 500);
  start();
  // The desk's own check is bypassed: the event itself overflows on apply.
  const std::string before = on_engine([&] { return engine->state().state_hash(); });
  const uint64_t seq_before = journal->last_seq();
  bool threw = on_engine([&] {
    try {
      engine->commit(MoneyMoved{"carol", 1000, TransferReason::kDeposit, 0, {}, {}});
    } catch (const std::logic_error&) {
      return true;
    }
    return false;
  });
  EXPECT_TRUE(threw);
  EXPECT_EQ(journal->last_seq(), seq_before) << "a refused event is never journaled";
  EXPECT_EQ(on_engine([&] { return engine->state().state_hash(); }), before);
  EXPECT_EQ(on_engine([&] { return engine->state().ledger.find("carol"); }), -1)
      << "the account the event opened is forgotten";
}

TEST_F(EngineFailureTest, ATaskThatThrowsIsLoggedCountedAndItsCommandRefused) {
  open();
  start();
  std::string refused_with;
  auto refused = std::make_shared<std::promise<std::string>>();
  ASSERT_TRUE(engine->submit([] { throw std::runtime_error("injected"); },
                             [refused](const std::exception& e) { refused->set_value(e.what()); }));
  auto fut = refused->get_future();
  ASSERT_EQ(fut.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(fut.get(), "injected");
  // The engine thread lives on and keeps working.
  EXPECT_EQ(on_engine([] { return 7; }), 7);
  EXPECT_EQ(failures("task"), 1);
}

TEST_F(EngineFailureTest, ABetWhoseHandlingThrowsIsAnsweredAndItsKeyIsFreeAgain) {
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  // A decision observer that throws stands for a fault anywhere in the desk.
  bool fail = true;
  on_engine([&] {
    desks->bets.add_decision_observer([&fail](const BetDecision&) {
      if (fail) throw std::runtime_error("observer fault");
    });
  });
  Reply r = bet("k1", 1011, 100, "2.5");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_TRUE(has(r, "INTERNAL")) << r.body;
  EXPECT_TRUE(has(r, "changed nothing")) << r.body;
  EXPECT_EQ(on_engine([&] { return engine->state().bets.size(); }), 0u);
  on_engine([&] { fail = false; });
  Reply again = bet("k1", 1011, 100, "2.5");  // the same key may be repeated
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(failures("task"), 1);
}

TEST_F(EngineFailureTest, AnInPlayBetWhoseDecisionThrowsIsAnswered) {
  cfg.inplay_delay["football"] = 5s;
  cfg.price_confirm_timeout = Nanos(0);
  staleness = 60s;
  open();
  start();
  deposit("alice", 10000);
  price(1011, "2.5");
  ASSERT_TRUE(on_engine([&] { return desks->markets.set_event_state(1, EventState::kInPlay, "test").ok(); }));
  on_engine([&] {
    desks->bets.add_decision_observer([](const BetDecision&) { throw std::runtime_error("observer fault"); });
  });
  Replies box;
  ASSERT_TRUE(place(box, "ip1", 1011, 100, "2.5"));
  flush();
  EXPECT_EQ(box.count(), 0u);
  advance_to(5s);  // the delay's timer decides, and the decision throws
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 500) << box.at(0).body;
  EXPECT_EQ(on_engine([&] { return desks->bets.pending(); }), 0u);
}

TEST_F(EngineFailureTest, ATimerOrHousekeepingThatThrowsDoesNotStopTheEngine) {
  open();
  start();
  int fired = 0;
  TimerPtr t = on_engine([&] {
    return engine->every(1s, [&] {
      ++fired;
      throw std::runtime_error("periodic fault");
    });
  });
  advance_to(3s);
  EXPECT_EQ(on_engine([&] { return fired; }), 3) << "a periodic timer keeps its period";
  EXPECT_EQ(failures("timer"), 3);
  on_engine([&] { t.reset(); });
}

}  // namespace
}  // namespace inplay
