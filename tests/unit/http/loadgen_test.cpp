#include "http/loadgen.h"

#include <gtest/gtest.h>

#include <atomic>

#include "http/fixed_handler.h"
#include "http/server.h"

namespace inplay {
namespace {

TEST(Loadgen, FixedHandlerOneSecond) {
  FixedHandler h;
  HttpServer s({}, h);
  LoadgenOptions o;
  o.port = s.start();
  o.connections = 16;
  o.duration_s = 1;
  o.warmup_s = 0.2;
  LoadgenResult r = run_loadgen(o);
  EXPECT_GT(r.requests, 0u);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.non_2xx, 0u);
  EXPECT_EQ(r.by_status[200], r.requests);
  EXPECT_GT(r.rps, 0);
  EXPECT_GT(r.seconds, 0.5);
  EXPECT_GT(r.p50_ns, 0);
  EXPECT_LE(r.p50_ns, r.p90_ns);
  EXPECT_LE(r.p90_ns, r.p99_ns);
  EXPECT_LE(r.p99_ns, r.p999_ns);
  EXPECT_LE(r.p999_ns, r.max_ns);
  std::string text = format_loadgen_text(r);
  EXPECT_NE(text.find("req/s"), std::string::npos);
  std::string json = format_loadgen_json(r);
  EXPECT_EQ(json.rfind(R"({"requests":)", 0), 0u) << json;
  EXPECT_NE(json.find(R"("by_status":{"200":)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("latency_ns":{"p50":)"), std::string::npos) << json;
}

TEST(Loadgen, MakeRequestAndMaxRequestsOnTwoThreads) {
  struct Count : HttpHandler {
    std::atomic<int> posts{0};
    void handle(HttpRequest&& req, Responder respond) override {
      HttpResponse r;
      if (req.method == "POST" && req.body == "stake" && req.header("x-n").size() > 0) {
        ++posts;
      } else {
        r.status = 400;
      }
      respond(std::move(r));
    }
  } h;
  HttpServer::Options so;
  so.threads = 2;
  HttpServer s(so, h);
  LoadgenOptions o;
  o.port = s.start();
  o.connections = 4;
  o.threads = 2;
  o.warmup_s = 0;
  o.duration_s = 10;
  o.method = "POST";
  o.max_requests = 200;
  o.make_request = [](uint64_t n) {
    return LoadRequest{"/v1/bets", "stake", {{"X-N", std::to_string(n)}}};
  };
  LoadgenResult r = run_loadgen(o);
  EXPECT_EQ(r.requests, 200u);
  EXPECT_EQ(r.errors, 0u);
  EXPECT_EQ(r.non_2xx, 0u);
  EXPECT_EQ(h.posts.load(), 200);
  EXPECT_LT(r.seconds, 5);
}

// Only the accepted status counts as done work; the rest is the mix, by the
// code their error bodies name.
TEST(Loadgen, CountsOnlyTheAcceptedStatusAndTheMixByCode) {
  struct Book : HttpHandler {
    void handle(HttpRequest&& req, Responder respond) override {
      HttpResponse r;
      int n = std::stoi(std::string(req.header("x-n")));
      if (n % 4 == 0) {
        r.status = 201;
        r.body = R"({"bet_id":"1","status":"accepted"})";
      } else if (n % 4 == 1) {
        r.status = 200;  // a 2xx that is not a placement
        r.body = R"({"code":"not an error"})";
      } else if (n % 4 == 2) {
        r.status = 503;
        r.body = R"({"error":{"code":"MARKET_BUSY","message":"shed"}})";
      } else {
        r.status = 422;
        r.body = R"({"error":{"code":"STAKE_ABOVE_MAX","message":"too much"}})";
      }
      respond(std::move(r));
    }
  } h;
  HttpServer s({}, h);
  LoadgenOptions o;
  o.port = s.start();
  o.connections = 4;
  o.warmup_s = 0;
  o.duration_s = 10;
  o.method = "POST";
  o.max_requests = 400;
  o.accepted_status = 201;
  o.make_request = [](uint64_t n) { return LoadRequest{"/v1/bets", "{}", {{"X-N", std::to_string(n)}}}; };
  LoadgenResult r = run_loadgen(o);
  ASSERT_EQ(r.requests, 400u);
  EXPECT_EQ(r.accepted, 100u);
  EXPECT_GT(r.accepted_per_s, 0);
  EXPECT_EQ((r.mix[StatusCode{201, ""}]), 100u);
  EXPECT_EQ((r.mix[StatusCode{200, ""}]), 100u);
  EXPECT_EQ((r.mix[StatusCode{503, "MARKET_BUSY"}]), 100u);
  EXPECT_EQ((r.mix[StatusCode{422, "STAKE_ABOVE_MAX"}]), 100u);
  EXPECT_EQ(r.mix.size(), 4u);
  std::string text = format_loadgen_text(r);
  EXPECT_NE(text.find("503 MARKET_BUSY 100 (25.0 %)"), std::string::npos) << text;
  EXPECT_NE(text.find("accepted  100 ="), std::string::npos) << text;
  std::string json = format_loadgen_json(r);
  EXPECT_NE(json.find(R"("accepted":100,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("503 MARKET_BUSY":100)"), std::string::npos) << json;

  o.accepted_status = 0;  // the default: every 2xx
  r = run_loadgen(o);
  EXPECT_EQ(r.accepted, 200u);
}

TEST(Loadgen, ErrorCodeOfABody) {
  EXPECT_EQ(error_code_of(R"({"error":{"code":"MARKET_BUSY","message":"x"}})"), "MARKET_BUSY");
  EXPECT_EQ(error_code_of(R"({"code":"X"})"), "");
  EXPECT_EQ(error_code_of(R"({"error":{"code":"UNTERMINATED)"), "");
  EXPECT_EQ(error_code_of(""), "");
}

TEST(Loadgen, NoServerCountsTransportErrors) {
  uint16_t port;
  {
    FixedHandler h;
    HttpServer s({}, h);
    port = s.start();
  }
  LoadgenOptions o;
  o.port = port;
  o.connections = 2;
  o.warmup_s = 0;
  o.duration_s = 0.2;
  LoadgenResult r = run_loadgen(o);
  EXPECT_EQ(r.requests, 0u);
  EXPECT_GT(r.errors, 0u);
}

TEST(Loadgen, BadOptionsThrow) {
  LoadgenOptions o;
  EXPECT_THROW(run_loadgen(o), std::invalid_argument);
  o.port = 1;
  o.connections = 0;
  EXPECT_THROW(run_loadgen(o), std::invalid_argument);
}

}  // namespace
}  // namespace inplay
