// The simulated PSP (sim/psp_server.h) over real sockets on loopback:
// authorisations, declines and pending payments finished by a signed
// callback (a receiver in the test checks the signature); an idempotent
// repeat answered from the record with one transaction; a key reused for
// another payment; a client that times out and retries with the same key
// finding the recorded status; 503s and an outage recording nothing;
// duplicate, stale and retried callbacks; the settlement report; the fault
// hooks' parsing. Waits poll with a generous deadline; nothing asserts speed.
#include "sim/psp_server.h"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "core/clock.h"
#include "core/hmac.h"
#include "http/client.h"
#include "sim_test_util.h"

namespace inplay {
namespace {

using namespace std::chrono_literals;

constexpr char kSecret[] = "psp-a callback secret";

// A string field as is, any other value as compact JSON; "<missing>" or
// "<bad json>" otherwise.
std::string field(const std::string& json, const char* key) {
  simdjson::dom::parser p;
  simdjson::dom::element doc, v;
  if (p.parse(json).get(doc)) return "<bad json>";
  if (doc[key].get(v)) return "<missing>";
  if (v.is_string()) return std::string(v.get_string().value());
  return simdjson::minify(v);
}

using sim_test::eventually;

// The book's end of the callbacks: records what arrives, answers 200 (or
// 500 to the next `fail` ones).
class Receiver final : public HttpHandler {
 public:
  struct Call {
    std::string target, body, signature, content_type;
  };
  Receiver() {
    HttpServer::Options o;
    server_ = std::make_unique<HttpServer>(o, *this);
    port_ = server_->start();
  }
  ~Receiver() override { server_->stop(); }
  std::string url(const std::string& path = "/psp/a") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void fail_next(int n) {
    std::lock_guard<std::mutex> lk(mu_);
    fail_ = n;
  }
  void handle(HttpRequest&& req, Responder respond) override {
    HttpResponse r;
    {
      std::lock_guard<std::mutex> lk(mu_);
      calls_.push_back(Call{req.target, req.body, std::string(req.header("x-psp-signature")),
                            std::string(req.header("content-type"))});
      r.status = fail_ > 0 ? 500 : 200;
      if (fail_ > 0) --fail_;
    }
    r.body = "{}";
    respond(std::move(r));
  }
  // The calls once at least n have come, or whatever came within 10 s.
  // Polls with relative sleeps (no absolute deadline handed to a condition
  // variable: faketime with a faked monotonic clock would not translate it).
  std::vector<Call> wait_for(size_t n) {
    eventually([&] { return count() >= n; });
    std::lock_guard<std::mutex> lk(mu_);
    return calls_;
  }
  // Whatever else comes within `quiet` (for "nothing more arrives").
  std::vector<Call> settle(std::chrono::milliseconds quiet) {
    std::this_thread::sleep_for(quiet);
    std::lock_guard<std::mutex> lk(mu_);
    return calls_;
  }

 private:
  size_t count() {
    std::lock_guard<std::mutex> lk(mu_);
    return calls_.size();
  }
  std::mutex mu_;
  std::vector<Call> calls_;
  int fail_ = 0;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

std::string payment(const std::string& id, int64_t amount = 2500, const std::string& callback = "",
                    const std::string& kind = "deposit") {
  std::string b = R"({"payment_id":")" + id + R"(","kind":")" + kind + R"(","amount_minor":)" +
                  std::to_string(amount) + R"(,"currency":"GBP","account_ref":"acct-7f3a")";
  if (!callback.empty()) b += R"(,"callback_url":")" + callback + "\"";
  return b + "}";
}

class PspServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    psp_.start();
    psp_.apply(PspFaultPatch{.latency_ms = 0});
  }
  void TearDown() override { psp_.stop(); }

  HttpCallResult pay(const std::string& key, const std::string& body, int timeout_ms = 10000) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!key.empty()) h.emplace_back("Idempotency-Key", key);
    return http_call("127.0.0.1", psp_.port(), "POST", "/v1/payments", h, body, timeout_ms);
  }
  HttpCallResult get(const std::string& target) { return http_call("127.0.0.1", psp_.port(), "GET", target, {}); }

  PspServer psp_{"psp-a", kSecret, 42};
  Receiver receiver_;
};

void expect_signed(const Receiver::Call& c) {
  EXPECT_EQ(c.signature, "sha256=" + hmac_sha256_hex(kSecret, c.body)) << c.body;
  EXPECT_EQ(c.content_type, "application/json");
}

TEST_F(PspServerTest, AuthorisesRecordsAndCallsBackSigned) {
  const int64_t before = to_ms(RealClock().now());
  auto r = pay("k-1", payment("dep-1", 2500, receiver_.url()));
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.body, R"({"payment_id":"dep-1","psp_ref":"psp-a-1","status":"authorised","reason":""})");
  const int64_t after = to_ms(RealClock().now());

  auto one = get("/v1/payments/dep-1");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(field(one.body, "psp_ref"), "psp-a-1");
  EXPECT_EQ(field(one.body, "idempotency_key"), "k-1");
  EXPECT_EQ(field(one.body, "kind"), "deposit");
  EXPECT_EQ(field(one.body, "amount_minor"), "2500");
  EXPECT_EQ(field(one.body, "currency"), "GBP");
  EXPECT_EQ(field(one.body, "status"), "authorised");
  EXPECT_EQ(field(one.body, "requests"), "1");
  const int64_t created = std::stoll(field(one.body, "created_ms"));
  EXPECT_GE(created, before);
  EXPECT_LE(created, after);

  auto calls = receiver_.wait_for(1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].target, "/psp/a");
  EXPECT_EQ(calls[0].body,
            R"({"payment_id":"dep-1","psp_ref":"psp-a-1","status":"authorised","reason":"","event_seq":1})");
  expect_signed(calls[0]);

  auto txs = psp_.transactions();
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_EQ(txs[0].account_ref, "acct-7f3a");
  EXPECT_EQ(txs[0].callback_url, receiver_.url());
  EXPECT_EQ(get("/v1/payments/dep-2").status, 404);
}

TEST_F(PspServerTest, DeclinesWithAReasonAndSaysSoInTheCallback) {
  psp_.apply(PspFaultPatch{.decline_rate = 1.0});
  auto r = pay("k-2", payment("wd-1", 900, receiver_.url(), "payout"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(field(r.body, "status"), "declined");
  EXPECT_EQ(field(r.body, "reason"), "do_not_honour");
  auto calls = receiver_.wait_for(1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(field(calls[0].body, "status"), "declined");
  EXPECT_EQ(field(calls[0].body, "reason"), "do_not_honour");
  expect_signed(calls[0]);
  EXPECT_EQ(psp_.transactions().at(0).kind, PspKind::kPayout);
}

TEST_F(PspServerTest, APendingPaymentReadsPendingUntilItsCallbackThenFinal) {
  // One that stays pending for the whole test...
  psp_.apply(PspFaultPatch{.async_rate = 1.0, .callback_delay_ms = 600000});
  auto r = pay("k-slow", payment("dep-slow", 100, receiver_.url("/slow")));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(field(r.body, "status"), "pending");
  EXPECT_EQ(field(get("/v1/payments/dep-slow").body, "status"), "pending");
  // ...and one that turns final (authorised) at its callback.
  psp_.apply(PspFaultPatch{.callback_delay_ms = 100});
  r = pay("k-3", payment("dep-3", 100, receiver_.url()));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(field(r.body, "status"), "pending");
  auto calls = receiver_.wait_for(1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].target, "/psp/a");
  EXPECT_EQ(field(calls[0].body, "payment_id"), "dep-3");
  EXPECT_EQ(field(calls[0].body, "status"), "authorised");
  EXPECT_EQ(field(calls[0].body, "event_seq"), "1");
  expect_signed(calls[0]);
  // Once the callback came, the record reads final; a repeat says so too.
  EXPECT_EQ(field(get("/v1/payments/dep-3").body, "status"), "authorised");
  EXPECT_EQ(field(pay("k-3", payment("dep-3", 100, receiver_.url())).body, "status"), "authorised");
  EXPECT_EQ(field(get("/v1/payments/dep-slow").body, "status"), "pending");
  auto txs = psp_.transactions();
  ASSERT_EQ(txs.size(), 2u);
  EXPECT_EQ(txs[0].status, PspStatus::kPending);
  EXPECT_EQ(txs[1].status, PspStatus::kAuthorised);
  EXPECT_EQ(txs[1].requests, 2);
}

TEST_F(PspServerTest, APendingDeclineIsDecidedUpFrontAndDeliveredLater) {
  // decline_rate 1 would decline at once; a pending decline needs the first
  // draw to miss and the second to hit: the seed gives some among 40.
  psp_.apply(PspFaultPatch{.decline_rate = 0.5, .async_rate = 1.0, .callback_delay_ms = 50});
  std::map<std::string, std::string> answered;  // payment_id -> status in the answer
  for (int i = 0; i < 40; ++i) {
    const std::string id = "dd-" + std::to_string(i);
    auto r = pay("kd-" + std::to_string(i), payment(id, 100, receiver_.url()));
    ASSERT_EQ(r.status, 200);
    answered[id] = field(r.body, "status");
  }
  auto calls = receiver_.wait_for(40);
  ASSERT_EQ(calls.size(), 40u);
  ASSERT_TRUE(eventually([&] {
    for (auto& t : psp_.transactions())
      if (t.status == PspStatus::kPending) return false;
    return true;
  }));
  int late_declines = 0;
  for (auto& c : calls) {
    expect_signed(c);
    const std::string id = field(c.body, "payment_id");
    if (answered[id] == "pending" && field(c.body, "status") == "declined") {
      ++late_declines;
      EXPECT_EQ(field(c.body, "reason"), "do_not_honour");
      EXPECT_EQ(field(get("/v1/payments/" + id).body, "status"), "declined");
    }
  }
  EXPECT_GT(late_declines, 0);
}

TEST_F(PspServerTest, ARepeatIsAnsweredFromTheRecordAndChargesOnce) {
  auto a = pay("k-4", payment("dep-4"));
  psp_.apply(PspFaultPatch{.decline_rate = 1.0});  // today's faults do not change a recorded answer
  auto b = pay("k-4", payment("dep-4"));
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(field(b.body, "psp_ref"), "psp-a-1");
  EXPECT_EQ(field(b.body, "status"), "authorised");
  auto txs = psp_.transactions();
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_EQ(txs[0].requests, 2);
  EXPECT_EQ(field(get("/v1/payments/dep-4").body, "requests"), "2");
}

TEST_F(PspServerTest, AKeyReusedForAnotherPaymentIsAConflict) {
  ASSERT_EQ(pay("k-5", payment("dep-5", 1000)).status, 200);
  auto r = pay("k-5", payment("dep-5", 1001));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(field(r.body, "error"), "IDEMPOTENCY_KEY_REUSED");
  EXPECT_EQ(pay("k-5", payment("dep-6", 1000)).status, 409);
  EXPECT_EQ(pay("k-5", payment("dep-5", 1000, "", "payout")).status, 409);
  EXPECT_EQ(psp_.transactions().size(), 1u);
  EXPECT_EQ(psp_.transactions()[0].requests, 1);
}

TEST_F(PspServerTest, OnePaymentUnderTwoKeysIsTwoTransactionsTheDuplicateReconciliationFinds) {
  ASSERT_EQ(pay("k-a", payment("dep-7")).status, 200);
  ASSERT_EQ(pay("k-b", payment("dep-7")).status, 200);
  auto all = get("/v1/payments");
  ASSERT_EQ(all.status, 200);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(all.body).get(doc));
  simdjson::dom::array txs;
  ASSERT_FALSE(doc["transactions"].get_array().get(txs));
  ASSERT_EQ(txs.size(), 2u);
  EXPECT_EQ(std::string(txs.at(0)["psp_ref"].get_string().value()), "psp-a-1");
  EXPECT_EQ(std::string(txs.at(1)["psp_ref"].get_string().value()), "psp-a-2");
  EXPECT_EQ(std::string(txs.at(1)["payment_id"].get_string().value()), "dep-7");
  // The newest one for the payment.
  EXPECT_EQ(field(get("/v1/payments/dep-7").body, "idempotency_key"), "k-b");
}

TEST_F(PspServerTest, ARequestWithoutAKeyOrWithABadBodyIsRefusedAndRecordsNothing) {
  auto r = pay("", payment("dep-8"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(field(r.body, "error"), "IDEMPOTENCY_KEY_MISSING");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"not json", "invalid JSON"},
      {R"({"kind":"deposit","amount_minor":1,"currency":"GBP","account_ref":"a"})", "payment_id"},
      {R"({"payment_id":"p/1","kind":"deposit","amount_minor":1,"currency":"GBP","account_ref":"a"})", "payment_id"},
      {R"({"payment_id":"p","kind":"refund","amount_minor":1,"currency":"GBP","account_ref":"a"})", "kind"},
      {R"({"payment_id":"p","kind":"deposit","amount_minor":0,"currency":"GBP","account_ref":"a"})", "amount_minor"},
      {R"({"payment_id":"p","kind":"deposit","amount_minor":"5","currency":"GBP","account_ref":"a"})",
       "amount_minor"},
      {R"({"payment_id":"p","kind":"deposit","amount_minor":5,"currency":"gbp","account_ref":"a"})", "currency"},
      {R"({"payment_id":"p","kind":"deposit","amount_minor":5,"currency":"GBP"})", "account_ref"},
      {R"({"payment_id":"p","kind":"deposit","amount_minor":5,"currency":"GBP","account_ref":"a",)"
       R"("callback_url":"http://example.com/cb"})",
       "callback_url"},
  };
  for (auto& [body, names] : bad) {
    auto res = pay("k-bad", body);
    EXPECT_EQ(res.status, 400) << body;
    EXPECT_EQ(field(res.body, "error"), "BAD_REQUEST") << body;
    EXPECT_NE(field(res.body, "message").find(names), std::string::npos) << res.body;
  }
  EXPECT_TRUE(psp_.transactions().empty());
  // The key was never recorded: it takes a good body now.
  EXPECT_EQ(pay("k-bad", payment("dep-8")).status, 200);
}

TEST_F(PspServerTest, AClientThatTimesOutRetriesWithTheKeyAndGetsTheRecordedStatus) {
  psp_.apply(PspFaultPatch{.timeout_rate = 1.0, .hang_ms = 30000});
  auto first = pay("k-9", payment("dep-9", 5000, receiver_.url()), 300);
  EXPECT_EQ(first.status, 0) << first.body;  // the client gave up
  // The PSP recorded and decided it, and its webhook says so.
  ASSERT_EQ(psp_.transactions().size(), 1u);
  EXPECT_EQ(psp_.transactions()[0].status, PspStatus::kAuthorised);
  auto calls = receiver_.wait_for(1);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(field(calls[0].body, "status"), "authorised");
  // The retry with the same key is answered (a repeat never hangs) from the record.
  auto retry = pay("k-9", payment("dep-9", 5000, receiver_.url()));
  ASSERT_EQ(retry.status, 200) << retry.error;
  EXPECT_EQ(field(retry.body, "psp_ref"), "psp-a-1");
  EXPECT_EQ(field(retry.body, "status"), "authorised");
  auto txs = psp_.transactions();
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_EQ(txs[0].requests, 2);
  // stop() (TearDown) releases the held answer rather than waiting 30 s.
}

TEST_F(PspServerTest, ErrorsAndAnOutageAnswer503AndRecordNothing) {
  psp_.apply(PspFaultPatch{.error_rate = 1.0});
  auto r = pay("k-10", payment("dep-10", 100, receiver_.url()));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(field(r.body, "error"), "PSP_UNAVAILABLE");
  EXPECT_EQ(pay("", "not even json").status, 503);  // before the request is read
  psp_.apply(PspFaultPatch{.error_rate = 0.0, .down = true});
  EXPECT_EQ(pay("k-10", payment("dep-10")).status, 503);
  EXPECT_EQ(get("/v1/payments").status, 503);
  EXPECT_EQ(get("/v1/payments/dep-10").status, 503);
  EXPECT_EQ(get("/v1/settlement-report").status, 503);
  auto faults = get("/v1/faults");  // the fault hooks stay up
  ASSERT_EQ(faults.status, 200);
  EXPECT_EQ(field(faults.body, "down"), "true");
  EXPECT_TRUE(psp_.transactions().empty());
  EXPECT_EQ(receiver_.settle(200ms).size(), 0u);
  psp_.apply(PspFaultPatch{.down = false});
  EXPECT_EQ(pay("k-10", payment("dep-10")).status, 200);
  EXPECT_EQ(psp_.transactions().size(), 1u);
}

TEST_F(PspServerTest, ADuplicateCallbackIsTheSameNotificationTwice) {
  psp_.apply(PspFaultPatch{.duplicate_callback_rate = 1.0});
  ASSERT_EQ(pay("k-11", payment("dep-11", 100, receiver_.url())).status, 200);
  auto calls = receiver_.wait_for(2);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].body, calls[1].body);
  EXPECT_EQ(field(calls[1].body, "event_seq"), "1");
  expect_signed(calls[1]);
  EXPECT_EQ(receiver_.settle(300ms).size(), 2u);
  EXPECT_EQ(psp_.transactions().size(), 1u);
}

TEST_F(PspServerTest, AStalePendingNotificationComesAfterTheFinalOne) {
  psp_.apply(PspFaultPatch{.async_rate = 1.0, .callback_delay_ms = 20, .out_of_order_rate = 1.0});
  ASSERT_EQ(pay("k-12", payment("dep-12", 100, receiver_.url())).status, 200);
  auto calls = receiver_.wait_for(2);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(field(calls[0].body, "status"), "authorised");
  EXPECT_EQ(field(calls[0].body, "event_seq"), "1");
  EXPECT_EQ(calls[1].body,
            R"({"payment_id":"dep-12","psp_ref":"psp-a-1","status":"pending","reason":"","event_seq":0})");
  expect_signed(calls[1]);
  // The PSP's own record is not moved by its stale notification.
  EXPECT_EQ(field(get("/v1/payments/dep-12").body, "status"), "authorised");
}

TEST_F(PspServerTest, AFailedCallbackIsRetriedWithBackoff) {
  receiver_.fail_next(2);
  ASSERT_EQ(pay("k-13", payment("dep-13", 100, receiver_.url())).status, 200);
  auto calls = receiver_.wait_for(3);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].body, calls[2].body);
  expect_signed(calls[2]);
  EXPECT_EQ(receiver_.settle(300ms).size(), 3u);  // delivered: no more tries
}

TEST_F(PspServerTest, ACallbackNobodyTakesIsTriedFourTimesThenDropped) {
  receiver_.fail_next(100);
  ASSERT_EQ(pay("k-14", payment("dep-14", 100, receiver_.url())).status, 200);
  EXPECT_EQ(receiver_.wait_for(4).size(), 4u);
  EXPECT_EQ(receiver_.settle(1500ms).size(), 4u);
}

TEST_F(PspServerTest, TheSettlementReportListsFinalTransactionsInOrder) {
  ASSERT_EQ(pay("k-20", payment("dep-20", 1000)).status, 200);
  psp_.apply(PspFaultPatch{.decline_rate = 1.0});
  ASSERT_EQ(pay("k-21", payment("wd-21", 700, "", "payout")).status, 200);
  psp_.apply(PspFaultPatch{.decline_rate = 0.0, .async_rate = 1.0, .callback_delay_ms = 600000});
  ASSERT_EQ(pay("k-22", payment("dep-22", 300)).status, 200);  // pending: not settled yet
  auto txs = psp_.transactions();
  ASSERT_EQ(txs.size(), 3u);
  const std::string want = "psp_ref,payment_id,kind,amount_minor,currency,status,created_ms\n" +
                           fmt::format("psp-a-1,dep-20,deposit,1000,GBP,authorised,{}\n", txs[0].created_ms) +
                           fmt::format("psp-a-2,wd-21,payout,700,GBP,declined,{}\n", txs[1].created_ms);
  EXPECT_EQ(psp_.settlement_report_csv(), want);
  auto wire = get("/v1/settlement-report");
  ASSERT_EQ(wire.status, 200);
  EXPECT_EQ(wire.body, want);
  // Its content type, straight from the handler.
  std::promise<HttpResponse> answered;
  HttpRequest req;
  req.method = "GET";
  req.target = "/v1/settlement-report";
  psp_.handle(std::move(req), [&](HttpResponse r) { answered.set_value(std::move(r)); });
  HttpResponse r = answered.get_future().get();
  EXPECT_EQ(r.content_type, "text/csv");
  EXPECT_EQ(r.body, want);
}

TEST_F(PspServerTest, TheFaultHooksOverHttp) {
  auto post = [&](const std::string& body) {
    return http_call("127.0.0.1", psp_.port(), "POST", "/v1/faults", {}, body);
  };
  auto r = post(R"({"decline_rate":0.25,"hang_ms":1000,"down":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"latency_ms":0,"jitter_ms":0,"error_rate":0,"timeout_rate":0,"hang_ms":1000,"decline_rate":0.25,)"
            R"("async_rate":0,"callback_delay_ms":50,"duplicate_callback_rate":0,"out_of_order_rate":0,"down":false})");
  EXPECT_EQ(psp_.faults().decline_rate, 0.25);
  EXPECT_EQ(get("/v1/faults").body, r.body);
  r = post(R"({"decline_rate":0.5,"retry_rate":1})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(field(r.body, "error"), "BAD_REQUEST");
  EXPECT_NE(field(r.body, "message").find("retry_rate"), std::string::npos) << r.body;
  EXPECT_EQ(psp_.faults().decline_rate, 0.25);  // a refused patch changes nothing
}

TEST(PspFaultsBody, NamesTheFieldItRefuses) {
  auto ok = parse_psp_faults_body(
      R"({"latency_ms":10,"jitter_ms":5,"error_rate":0.1,"timeout_rate":1,"hang_ms":0,"decline_rate":0,)"
      R"("async_rate":0.5,"callback_delay_ms":200,"duplicate_callback_rate":0.2,"out_of_order_rate":0.3,"down":true})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok->latency_ms, 10);
  EXPECT_EQ(*ok->timeout_rate, 1.0);
  EXPECT_EQ(*ok->callback_delay_ms, 200);
  EXPECT_EQ(*ok->out_of_order_rate, 0.3);
  EXPECT_TRUE(*ok->down);
  EXPECT_FALSE(parse_psp_faults_body("{}")->latency_ms.has_value());

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"lag_ms":5})", "lag_ms"},
      {R"({"latency_ms":"5"})", "latency_ms"},
      {R"({"latency_ms":-1})", "latency_ms"},
      {R"({"hang_ms":600001})", "hang_ms"},
      {R"({"callback_delay_ms":1.5})", "callback_delay_ms"},
      {R"({"error_rate":1.5})", "error_rate"},
      {R"({"duplicate_callback_rate":"0.1"})", "duplicate_callback_rate"},
      {R"({"down":1})", "down"},
  };
  for (auto& [body, name] : bad) {
    auto e = parse_psp_faults_body(body);
    ASSERT_FALSE(e.ok()) << body;
    EXPECT_EQ(e.error().code, ErrorCode::kValidationFailed) << body;
    EXPECT_EQ(e.error().message.rfind(name + ":", 0), 0u) << e.error().message;
  }
  auto malformed = parse_psp_faults_body("[1]");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::kMalformedRequest);
}

TEST(PspFaultsJson, WritesEveryFault) {
  PspFaults f;
  f.out_of_order_rate = 0.125;
  f.down = true;
  EXPECT_EQ(psp_faults_json(f),
            R"({"latency_ms":5,"jitter_ms":0,"error_rate":0,"timeout_rate":0,"hang_ms":30000,"decline_rate":0,)"
            R"("async_rate":0,"callback_delay_ms":50,"duplicate_callback_rate":0,"out_of_order_rate":0.125,)"
            R"("down":true})");
}

TEST(PspServerSeed, TheSameSeedDecidesTheSameWay) {
  auto run = [](uint64_t seed) {
    PspServer psp("psp-b", kSecret, seed);
    psp.start();
    psp.apply(PspFaultPatch{.latency_ms = 0, .decline_rate = 0.5});
    std::string statuses;
    for (int i = 0; i < 20; ++i) {
      auto r = http_call("127.0.0.1", psp.port(), "POST", "/v1/payments", {{"Idempotency-Key", std::to_string(i)}},
                         payment("p" + std::to_string(i)));
      statuses += field(r.body, "status")[0];
    }
    psp.stop();
    return statuses;
  };
  const std::string a = run(9);
  EXPECT_EQ(a, run(9));
  EXPECT_NE(a.find('a'), std::string::npos);
  EXPECT_NE(a.find('d'), std::string::npos);
}

TEST(PspServerName, RefusesABadNameOrNoSecret) {
  EXPECT_THROW(PspServer("", kSecret, 1), std::invalid_argument);
  EXPECT_THROW(PspServer("a,b", kSecret, 1), std::invalid_argument);
  EXPECT_THROW(PspServer("psp-a", "", 1), std::invalid_argument);
}

}  // namespace
}  // namespace inplay
