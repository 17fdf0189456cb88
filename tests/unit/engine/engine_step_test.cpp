// Engine::step (engine/engine.h): without an engine thread, the caller runs
// the engine one pass at a time — the storage-fault simulation's mode
// (tests/vopr). A command's task runs at the step, its answer only after the
// journal's pump made its record durable and a later step ran the
// after-durable work; nothing runs on another thread.
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace inplay {
namespace {

using namespace engine_test;

TEST_F(EngineTest, StepRunsTasksThenAnswersOnlyAfterThePump) {
  open();  // never started: this thread is the engine thread
  engine->commit(AccountOpened{"alice", kChannel, "test", 0});  // a deposit needs an open account (SEC-1)
  Replies box;
  MoveMoney m;
  m.idem_key = "test:step";
  m.account = "alice";
  m.scope = scope_of("alice");
  m.user_mask = "masked";
  m.amount = 500;
  m.currency = Currency::of("GBP");
  m.reason = TransferReason::kDeposit;
  m.done = box.fn(*engine);
  ASSERT_TRUE(desks->wallet.submit(std::move(m)));
  EXPECT_EQ(engine->queue_depth(), 1u);

  EXPECT_EQ(engine->step(), 1u);  // decided and journaled, not yet durable
  EXPECT_EQ(engine->queue_depth(), 0u);
  EXPECT_EQ(box.count(), 0u);
  EXPECT_EQ(journal->stats().last_durable_seq, 0u);

  ASSERT_TRUE(journal->pump());
  EXPECT_EQ(box.count(), 0u);  // the engine has not looked yet
  EXPECT_EQ(engine->step(), 0u);
  ASSERT_EQ(box.count(), 1u);
  EXPECT_EQ(box.at(0).status, 201) << box.at(0).body;
}

}  // namespace
}  // namespace inplay
