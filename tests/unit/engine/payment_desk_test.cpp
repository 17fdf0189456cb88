// PaymentDesk (payment/payment_desk.h) on a running engine with a scripted
// PSP port: no money enters without the PSP's authorisation; declines,
// timeouts, callbacks (late, duplicate, stale) and reconciliation move money
// exactly once; a withdrawal's hold and its return; route failover when a
// breaker is open; idempotent repeats; a restart asks again under the same
// id and replays to the same hash.
#include <deque>
#include <mutex>
#include <thread>

#include "engine_fixture.h"

namespace inplay {
namespace engine_test {
namespace {

// A PSP port whose answers the test scripts: each send takes the next
// scripted answer (default: authorised), or is held until release().
class ScriptedPort final : public PspPort {
 public:
  explicit ScriptedPort(std::string name) : name_(std::move(name)) {}
  const std::string& route() const override { return name_; }
  bool available() const override { return available_.load(); }
  void send(PaymentCall call, std::function<void(PspAnswer)> answer) override {
    std::unique_lock<std::mutex> lk(mu_);
    calls_.push_back(call);
    if (hold_) {
      held_.emplace_back(call.payment_id, std::move(answer));
      return;
    }
    PspAnswer a = next(call.payment_id);
    lk.unlock();
    answer(a);
  }
  void ask(uint64_t payment_id, std::function<void(PspAnswer)> answer) override {
    std::unique_lock<std::mutex> lk(mu_);
    ++asks_;
    PaymentCall c;
    c.payment_id = payment_id;
    calls_.push_back(c);
    PspAnswer a = next(payment_id);
    lk.unlock();
    answer(a);
  }
  int asks() {
    std::lock_guard<std::mutex> lk(mu_);
    return asks_;
  }
  void script(PspAnswer::Kind k, int attempts = 1, std::string detail = "") {
    std::lock_guard<std::mutex> lk(mu_);
    script_.push_back(PspAnswer{0, k, "", std::move(detail), attempts, 1000});
  }
  void hold(bool h) {
    std::lock_guard<std::mutex> lk(mu_);
    hold_ = h;
  }
  void release() {
    std::vector<std::pair<uint64_t, std::function<void(PspAnswer)>>> held;
    std::vector<PspAnswer> answers;
    {
      std::lock_guard<std::mutex> lk(mu_);
      held.swap(held_);
      for (auto& [id, fn] : held) answers.push_back(next(id));
    }
    for (size_t i = 0; i < held.size(); ++i) held[i].second(answers[i]);
  }
  std::vector<PaymentCall> calls() {
    std::lock_guard<std::mutex> lk(mu_);
    return calls_;
  }
  std::atomic<bool> available_{true};

 private:
  PspAnswer next(uint64_t id) {
    PspAnswer a{id, PspAnswer::Kind::kAuthorised, "", "", 1, 1000};
    if (!script_.empty()) {
      a = script_.front();
      script_.pop_front();
      a.payment_id = id;
    }
    a.psp_ref = name_ + "-ref-" + std::to_string(id);
    return a;
  }
  std::string name_;
  std::mutex mu_;
  std::deque<PspAnswer> script_;
  std::vector<PaymentCall> calls_;
  bool hold_ = false;
  int asks_ = 0;
  std::vector<std::pair<uint64_t, std::function<void(PspAnswer)>>> held_;
};

template <class F>
bool wait_until(F f) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!f()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class PaymentDeskTest : public EngineTest {
 protected:
  void boot() {
    open();
    desks->payments.set_routes({&a, &b}, "psp-a", [](std::string_view acct) { return "mask-" + std::string(acct); });
    desks->payments.resume();
    start();
    ASSERT_TRUE(open_account("alice").ok());
  }
  bool ask(Replies& box, TransferReason kind, int64_t amount, const std::string& key) {
    RequestPayment r;
    r.idem_key = "test:" + key;
    r.fingerprint[0] = static_cast<uint8_t>(amount);
    r.fingerprint[1] = static_cast<uint8_t>(kind);
    r.account = "alice";
    r.scope = scope_of("alice");
    r.user_mask = "mask-alice";
    r.amount = amount;
    r.currency = Currency::of("GBP");
    r.kind = kind;
    r.done = box.fn(*engine);
    return desks->payments.submit(std::move(r));
  }
  Reply pay(TransferReason kind, int64_t amount, const std::string& key) {
    Replies box;
    EXPECT_TRUE(ask(box, kind, amount, key));
    if (!box.wait(1)) {
      ADD_FAILURE() << "no reply to payment " << key;
      return Reply{0, ""};
    }
    return box.at(0);
  }
  int64_t balance(const std::string& acct = "alice") {
    return on_engine([&] {
      const Ledger& l = engine->state().ledger;
      const int64_t i = l.find(acct);
      return i < 0 ? int64_t{-1} : l.account(static_cast<uint32_t>(i)).balance;
    });
  }
  const char* callback(uint64_t id, PaymentStatus st, const std::string& route = "psp-a") {
    auto p = std::make_shared<std::promise<std::string>>();
    auto fut = p->get_future();
    PspCallback cb;
    cb.route = route;
    cb.payment_id = id;
    cb.status = st;
    cb.psp_ref = route + "-ref-" + std::to_string(id);
    cb.done = [p](const char* r) { p->set_value(r); };
    EXPECT_TRUE(desks->payments.submit(std::move(cb)));
    EXPECT_EQ(fut.wait_for(kWait), std::future_status::ready);
    last_callback_ = fut.get();
    return last_callback_.c_str();
  }
  Payment payment(uint64_t id) {
    return on_engine([&] {
      const Payment* p = engine->state().payments.find(id);
      return p ? *p : Payment{};
    });
  }

  ScriptedPort a{"psp-a"}, b{"psp-b"};
  std::string last_callback_;
};

TEST_F(PaymentDeskTest, ADepositIsCreditedOnlyWhenThePspAuthorisesIt) {
  boot();
  a.hold(true);
  Replies box;
  ASSERT_TRUE(ask(box, TransferReason::kDeposit, 5000, "d1"));
  // Journaled and sent, not yet answered: no money, no reply.
  ASSERT_TRUE(wait_until([&] { return a.calls().size() == 1; }));
  EXPECT_EQ(balance(), 0);
  EXPECT_EQ(box.count(), 0u);
  EXPECT_EQ(payment(1).status, PaymentStatus::kPending);
  const PaymentCall call = a.calls().at(0);
  EXPECT_EQ(call.payment_id, 1u);
  EXPECT_EQ(call.amount, 5000);
  EXPECT_EQ(call.account_ref, "mask-alice");  // the PSP never sees the account id
  a.release();
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 201) << box.at(0).body;
  EXPECT_TRUE(has(box.at(0), R"("status":"authorised")")) << box.at(0).body;
  EXPECT_TRUE(has(box.at(0), R"("psp_ref":"psp-a-ref-1")")) << box.at(0).body;
  EXPECT_EQ(balance(), 5000);

  // A repeat of the key answers the same payment; nothing is sent again.
  Reply again = pay(TransferReason::kDeposit, 5000, "d1");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(a.calls().size(), 1u);
  EXPECT_EQ(balance(), 5000);
}

TEST_F(PaymentDeskTest, ADeclinedDepositMovesNothingAndAnswers402) {
  boot();
  a.script(PspAnswer::Kind::kDeclined, 1, "do_not_honour");
  Reply r = pay(TransferReason::kDeposit, 5000, "d1");
  EXPECT_EQ(r.status, 402) << r.body;
  EXPECT_TRUE(has(r, "PAYMENT_DECLINED")) << r.body;
  EXPECT_TRUE(has(r, "do_not_honour")) << r.body;
  EXPECT_EQ(balance(), 0);
  EXPECT_EQ(payment(1).status, PaymentStatus::kDeclined);
}

TEST_F(PaymentDeskTest, AWithdrawalHoldsItsAmountAndADeclineGivesItBack) {
  boot();
  ASSERT_EQ(pay(TransferReason::kDeposit, 10000, "d1").status, 201);
  a.hold(true);
  Replies box;
  ASSERT_TRUE(ask(box, TransferReason::kWithdrawal, 4000, "w1"));
  ASSERT_TRUE(wait_until([&] { return a.calls().size() == 2; }));
  EXPECT_EQ(balance(), 6000);  // held from the request on: it cannot be bet meanwhile
  EXPECT_EQ(a.calls().at(1).kind, TransferReason::kWithdrawal);
  a.script(PspAnswer::Kind::kDeclined);
  a.release();
  ASSERT_TRUE(box.wait(1));
  EXPECT_EQ(box.at(0).status, 402);
  EXPECT_EQ(balance(), 10000);
  // More than the balance is refused before any PSP hears of it.
  a.hold(false);
  Reply big = pay(TransferReason::kWithdrawal, 10001, "w2");
  EXPECT_EQ(big.status, 402);
  EXPECT_TRUE(has(big, "INSUFFICIENT_FUNDS")) << big.body;
  EXPECT_EQ(a.calls().size(), 2u);
  EXPECT_EQ(pay(TransferReason::kWithdrawal, 10000, "w3").status, 201);
  EXPECT_EQ(balance(), 0);
}

TEST_F(PaymentDeskTest, NoAnswerTimesOutAndTheLaterWordSettlesItOnce) {
  boot();
  a.script(PspAnswer::Kind::kFailed, 3, "timeout");
  Reply r = pay(TransferReason::kDeposit, 7000, "d1");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(has(r, R"("status":"timed_out")")) << r.body;
  EXPECT_EQ(balance(), 0);
  // The PSP's callback says it was authorised after all: credited once.
  EXPECT_STREQ(callback(1, PaymentStatus::kAuthorised), "applied");
  EXPECT_EQ(balance(), 7000);
  Payment p = payment(1);
  EXPECT_EQ(p.status, PaymentStatus::kAuthorised);
  EXPECT_TRUE(p.reconciled);
  EXPECT_EQ(p.source, PaymentSource::kReconciliation);
  // Its duplicate, a stale progress note and a word on another route change nothing.
  EXPECT_STREQ(callback(1, PaymentStatus::kAuthorised), "duplicate");
  EXPECT_STREQ(callback(1, PaymentStatus::kPending), "stale");
  EXPECT_STREQ(callback(1, PaymentStatus::kDeclined), "stale");
  EXPECT_STREQ(callback(1, PaymentStatus::kAuthorised, "psp-b"), "unknown");
  EXPECT_STREQ(callback(99, PaymentStatus::kAuthorised), "unknown");
  EXPECT_EQ(balance(), 7000);
  // The repeat of the key now answers the settled payment.
  EXPECT_EQ(pay(TransferReason::kDeposit, 7000, "d1").status, 201);
}

TEST_F(PaymentDeskTest, APendingAnswerWaitsForTheCallback) {
  boot();
  a.script(PspAnswer::Kind::kPending);
  Reply r = pay(TransferReason::kDeposit, 3000, "d1");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(has(r, R"("status":"pending")")) << r.body;
  EXPECT_EQ(balance(), 0);
  EXPECT_STREQ(callback(1, PaymentStatus::kPending), "duplicate");  // a progress note: what the book knows
  EXPECT_STREQ(callback(1, PaymentStatus::kDeclined), "applied");
  EXPECT_EQ(payment(1).source, PaymentSource::kCallback);
  EXPECT_FALSE(payment(1).reconciled);
  EXPECT_EQ(balance(), 0);
}

TEST_F(PaymentDeskTest, APaymentThatNeverLeftIsDeclinedByTheBook) {
  boot();
  a.script(PspAnswer::Kind::kFailed, 0, "the route's queue is full");
  Reply r = pay(TransferReason::kDeposit, 3000, "d1");
  EXPECT_EQ(r.status, 402) << r.body;
  EXPECT_EQ(payment(1).source, PaymentSource::kBook);
  EXPECT_EQ(balance(), 0);
}

TEST_F(PaymentDeskTest, AnOpenBreakerSendsNewPaymentsToTheNextRoute) {
  boot();
  a.available_ = false;
  EXPECT_EQ(pay(TransferReason::kDeposit, 1000, "d1").status, 201);
  EXPECT_EQ(payment(1).route, "psp-b");
  EXPECT_EQ(a.calls().size(), 0u);
  EXPECT_EQ(b.calls().size(), 1u);
  // Both open: refused, nothing journaled, and the key may be used again.
  b.available_ = false;
  Reply r = pay(TransferReason::kDeposit, 1000, "d2");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_TRUE(has(r, "PAYMENT_ROUTE_UNAVAILABLE")) << r.body;
  EXPECT_EQ(payment(2).id, 0u);
  a.available_ = true;
  EXPECT_EQ(pay(TransferReason::kDeposit, 1000, "d2").status, 201);
  EXPECT_EQ(payment(2).route, "psp-a");
  EXPECT_EQ(balance(), 2000);
}

TEST_F(PaymentDeskTest, ARestartAsksAgainUnderTheSameIdAndReplaysToTheSameHash) {
  boot();
  ASSERT_EQ(pay(TransferReason::kDeposit, 10000, "d1").status, 201);
  a.script(PspAnswer::Kind::kFailed, 3, "timeout");
  ASSERT_EQ(pay(TransferReason::kDeposit, 500, "d2").status, 202);
  a.hold(true);
  Replies box;
  ASSERT_TRUE(ask(box, TransferReason::kWithdrawal, 2500, "w1"));
  ASSERT_TRUE(wait_until([&] { return a.calls().size() == 3; }));
  flush();
  const std::string before = on_engine([&] { return engine->state().state_hash(); });
  shutdown();
  desks.reset();
  a.release();  // the answer to a stopped book is lost: the payment stays pending
  engine.reset();
  journal.reset();

  ScriptedPort a2{"psp-a"};
  open();
  engine->replay();
  EXPECT_EQ(engine->state().state_hash(), before);
  EXPECT_EQ(engine->state().payments.pending_count(), 1u);
  EXPECT_EQ(engine->state().payments.timed_out_count(), 1u);
  desks->payments.set_routes({&a2, &b}, "psp-a", {});
  a2.script(PspAnswer::Kind::kAuthorised);  // payment 2: the PSP did authorise it
  a2.script(PspAnswer::Kind::kUnknown);     // payment 3: the PSP never heard of it
  desks->payments.resume();  // asks (never pays) about payments 2 (timed out) and 3 (pending)
  start();
  ASSERT_TRUE(wait_until([&] { return a2.calls().size() == 2; }));
  EXPECT_EQ(a2.asks(), 2);
  EXPECT_EQ(a2.calls().at(0).payment_id, 2u);
  EXPECT_EQ(a2.calls().at(1).payment_id, 3u);
  flush();
  ASSERT_TRUE(wait_until([&] { return payment(3).final(); }));
  EXPECT_EQ(payment(2).status, PaymentStatus::kAuthorised);
  EXPECT_TRUE(payment(2).reconciled);
  EXPECT_EQ(payment(3).status, PaymentStatus::kDeclined);  // nothing charged: its hold comes back
  EXPECT_EQ(payment(3).source, PaymentSource::kReconciliation);
  EXPECT_EQ(balance(), 10000 + 500);
}

TEST_F(PaymentDeskTest, ASwitchedRouteTakesNewPaymentsAndSurvivesARestart) {
  boot();
  auto sw = [&](const std::string& to) {
    return on_engine([&] { return desks->payments.switch_route(to, "operator:test", "drill"); });
  };
  EXPECT_EQ(sw("psp-x").error().code, ErrorCode::kValidationFailed);
  b.available_ = false;
  EXPECT_EQ(sw("psp-b").error().code, ErrorCode::kPaymentRouteUnavailable);
  EXPECT_EQ(on_engine([&] { return desks->payments.next_route_after("psp-a"); }), "");
  b.available_ = true;
  EXPECT_EQ(on_engine([&] { return desks->payments.next_route_after("psp-a"); }), "psp-b");
  ASSERT_TRUE(sw("psp-b").ok());
  EXPECT_FALSE(sw("psp-b").value());  // already: nothing journaled
  EXPECT_EQ(pay(TransferReason::kDeposit, 1000, "d1").status, 201);
  EXPECT_EQ(payment(1).route, "psp-b");
  flush();
  const std::string before = on_engine([&] { return engine->state().state_hash(); });
  shutdown();
  desks.reset();
  engine.reset();
  journal.reset();
  open();
  engine->replay();
  EXPECT_EQ(engine->state().state_hash(), before);
  EXPECT_EQ(engine->state().payment_route, "psp-b");
  desks->payments.set_routes({&a, &b}, "psp-a", {});
  EXPECT_EQ(desks->payments.active(), "psp-b");  // the journaled switch beats the config
}

}  // namespace
}  // namespace engine_test
}  // namespace inplay
