// The PSP client (app/psp_client.h) against the simulated PSP over real
// sockets, and its circuit breaker (core/circuit_breaker.h) on an injected
// clock: the PSP's answers mapped to the port's; a timed-out call retried
// under the same key finding the recorded status (one transaction); an
// outage opening the breaker so sends fail at once as never sent; a
// look-up (ask) that never charges; stop() answering what is queued.
// Waits are bounded; nothing asserts speed.
#include "app/psp_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "core/circuit_breaker.h"
#include "sim/psp_server.h"

namespace inplay {
namespace {

using namespace std::chrono_literals;

TEST(CircuitBreaker, OpensAfterFailuresInARowThenLetsOneTrialThrough) {
  CircuitBreaker b(3, 1000);
  EXPECT_TRUE(b.allow(0));
  b.record_failure(1);
  b.record_failure(2);
  b.record_success();  // the row is broken
  b.record_failure(3);
  b.record_failure(4);
  EXPECT_EQ(b.state(4), CircuitBreaker::State::kClosed);
  b.record_failure(5);
  EXPECT_EQ(b.state(5), CircuitBreaker::State::kOpen);
  EXPECT_EQ(b.opened_total(), 1u);
  EXPECT_FALSE(b.allow(500));
  EXPECT_FALSE(b.would_allow(1004));
  // Half-open: one trial; a second caller waits for it.
  EXPECT_TRUE(b.would_allow(1005));
  EXPECT_TRUE(b.allow(1005));
  EXPECT_FALSE(b.allow(1006));
  b.record_failure(1010);  // the trial failed: open again, for another period
  EXPECT_EQ(b.state(1500), CircuitBreaker::State::kOpen);
  EXPECT_EQ(b.opened_total(), 1u);  // still the same opening
  EXPECT_TRUE(b.allow(2010));
  b.record_success();
  EXPECT_EQ(b.state(2010), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(b.allow(2011));
}

class PspClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    psp.start();
    terms.name = "psp-a";
    terms.timeout = 300ms;
    terms.attempts = 2;
    terms.retry = 10ms;
    terms.breaker_failures = 3;
    terms.breaker_open = 60s;
    terms.threads = 2;
  }
  void TearDown() override { psp.stop(); }

  PspAnswer call(PspClient& c, uint64_t id, TransferReason kind = TransferReason::kDeposit) {
    auto p = std::make_shared<std::promise<PspAnswer>>();
    auto f = p->get_future();
    PaymentCall pc{id, kind, 1000, "GBP", "mask-1", ""};
    c.send(pc, [p](PspAnswer a) { p->set_value(a); });
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }
  PspAnswer ask(PspClient& c, uint64_t id) {
    auto p = std::make_shared<std::promise<PspAnswer>>();
    auto f = p->get_future();
    c.ask(id, [p](PspAnswer a) { p->set_value(a); });
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }

  PspServer psp{"psp-a", "secret-of-psp-a", 7};
  MetricsRegistry metrics;
  PspRouteTerms terms;
};

TEST_F(PspClientTest, AnswersAreThePspsWordAndAskNeverCharges) {
  PspClient c(terms, psp.url(), metrics);
  c.start();
  PspAnswer a = call(c, 1);
  EXPECT_EQ(a.kind, PspAnswer::Kind::kAuthorised);
  EXPECT_EQ(a.psp_ref, "psp-a-1");
  EXPECT_EQ(a.attempts, 1);
  psp.apply(PspFaultPatch{.decline_rate = 1.0});
  a = call(c, 2, TransferReason::kWithdrawal);
  EXPECT_EQ(a.kind, PspAnswer::Kind::kDeclined);
  EXPECT_EQ(a.detail, "do_not_honour");
  psp.apply(PspFaultPatch{.decline_rate = 0.0, .async_rate = 1.0, .callback_delay_ms = 60000});
  EXPECT_EQ(call(c, 3).kind, PspAnswer::Kind::kPending);
  // Asking reads the record: known ones as they stand, unknown ones as such.
  EXPECT_EQ(ask(c, 1).kind, PspAnswer::Kind::kAuthorised);
  EXPECT_EQ(ask(c, 3).kind, PspAnswer::Kind::kPending);
  EXPECT_EQ(ask(c, 99).kind, PspAnswer::Kind::kUnknown);
  EXPECT_EQ(psp.transactions().size(), 3u);  // asking charged nothing
  auto txs = psp.transactions();
  EXPECT_EQ(txs[1].kind, PspKind::kPayout);
  EXPECT_EQ(txs[0].account_ref, "mask-1");
  c.stop();
}

TEST_F(PspClientTest, ATimedOutCallIsRetriedUnderTheSameKeyAndChargesOnce) {
  PspClient c(terms, psp.url(), metrics);
  c.start();
  psp.apply(PspFaultPatch{.timeout_rate = 1.0, .hang_ms = 5000});
  PspAnswer a = call(c, 1);
  EXPECT_EQ(a.kind, PspAnswer::Kind::kAuthorised) << a.detail;
  EXPECT_EQ(a.attempts, 2);
  auto txs = psp.transactions();
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_EQ(txs[0].requests, 2);
  EXPECT_EQ(txs[0].idempotency_key, "pay-1");
  c.stop();
}

TEST_F(PspClientTest, AnOutageOpensTheBreakerAndSendsFailAtOnceAsNeverSent) {
  PspClient c(terms, psp.url(), metrics);
  c.start();
  psp.apply(PspFaultPatch{.down = true});
  PspAnswer a = call(c, 1);  // 2 failed calls
  EXPECT_EQ(a.kind, PspAnswer::Kind::kFailed);
  EXPECT_EQ(a.attempts, 2);
  EXPECT_TRUE(c.available());
  a = call(c, 2);  // the third failure opens it: the second attempt never goes
  EXPECT_EQ(a.kind, PspAnswer::Kind::kFailed);
  EXPECT_EQ(a.attempts, 1);
  EXPECT_FALSE(c.available());
  EXPECT_EQ(c.breaker_state(), CircuitBreaker::State::kOpen);
  a = call(c, 3);
  EXPECT_EQ(a.kind, PspAnswer::Kind::kFailed);
  EXPECT_EQ(a.attempts, 0) << "never sent: the PSP cannot have it";
  EXPECT_EQ(c.breaker_opened_total(), 1u);
  EXPECT_EQ(psp.transactions().size(), 0u);
  c.stop();
}

TEST_F(PspClientTest, OnTheBooksClockTheBreakerStaysOpenUntilThatClockMoves) {
  // Game days: the breaker's open time is book time, however long the
  // calls took in real time.
  SimClock book(from_ns(1'000'000'000'000));
  terms.breaker_open = 10s;
  PspClient c(terms, psp.url(), metrics, &book);
  c.start();
  psp.apply(PspFaultPatch{.down = true});
  call(c, 1);
  call(c, 2);  // the third failed call opens it
  EXPECT_FALSE(c.available());
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(c.breaker_state(), CircuitBreaker::State::kOpen);
  book.advance(9999ms);
  EXPECT_FALSE(c.available());
  book.advance(1ms);
  EXPECT_TRUE(c.available()) << "half-open after 10 s of book time";
  EXPECT_EQ(c.breaker_state(), CircuitBreaker::State::kHalfOpen);
  c.stop();
}

TEST_F(PspClientTest, NobodyListeningFailsAndStopAnswersWhatIsQueued) {
  PspRouteTerms t = terms;
  t.threads = 1;
  t.attempts = 1;
  PspClient c(t, "http://127.0.0.1:1", metrics);  // nothing listens on port 1
  EXPECT_EQ(PspAnswer::Kind::kFailed, [&] {
    c.start();
    return call(c, 1).kind;
  }());
  c.stop();
  // Stopped: a send is answered at once, never sent.
  auto p = std::make_shared<std::promise<PspAnswer>>();
  c.send(PaymentCall{2, TransferReason::kDeposit, 1, "GBP", "m", ""}, [p](PspAnswer a) { p->set_value(a); });
  auto f = p->get_future();
  ASSERT_EQ(f.wait_for(1s), std::future_status::ready);
  PspAnswer a = f.get();
  EXPECT_EQ(a.kind, PspAnswer::Kind::kFailed);
  EXPECT_EQ(a.attempts, 0);
}

TEST(PspAnswerParse, StatusesAndRefusals) {
  EXPECT_EQ(parse_psp_answer(1, 200, R"({"status":"authorised","psp_ref":"x-1","reason":""})", "").kind,
            PspAnswer::Kind::kAuthorised);
  EXPECT_EQ(parse_psp_answer(1, 400, R"({"error":"BAD_REQUEST","message":"amount"})", "").kind,
            PspAnswer::Kind::kDeclined);
  EXPECT_EQ(parse_psp_answer(1, 503, R"({"error":"PSP_UNAVAILABLE"})", "").kind, PspAnswer::Kind::kFailed);
  EXPECT_EQ(parse_psp_answer(1, 200, "not json", "").kind, PspAnswer::Kind::kFailed);
  EXPECT_EQ(parse_psp_answer(1, 200, R"({"status":"maybe"})", "").kind, PspAnswer::Kind::kFailed);
  EXPECT_EQ(parse_psp_answer(1, 0, "", "connection refused").detail, "connection refused");
  EXPECT_EQ(psp_payment_body(PaymentCall{7, TransferReason::kWithdrawal, 250, "GBP", "m-7", ""}),
            R"({"payment_id":"7","kind":"payout","amount_minor":250,"currency":"GBP","account_ref":"m-7"})");
}

}  // namespace
}  // namespace inplay
