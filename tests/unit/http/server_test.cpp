#include "http/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/fixed_handler.h"
#include "test_client.h"

namespace inplay {
namespace {

using testing_http = inplay::testing::TestClient;
using inplay::testing::get;
using namespace std::chrono_literals;

TEST(HttpRequest, HeaderPathQuery) {
  HttpRequest r;
  r.target = "/v1/bets?x=1&y=2";
  r.headers = {{"content-type", "application/json"}, {"x-a", "b"}};
  EXPECT_EQ(r.path(), "/v1/bets");
  EXPECT_EQ(r.query(), "x=1&y=2");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("X-A"), "b");
  EXPECT_EQ(r.header("missing"), "");
  r.target = "/plain";
  EXPECT_EQ(r.path(), "/plain");
  EXPECT_EQ(r.query(), "");
}

TEST(HttpServer, GetReturns200AndBody) {
  FixedHandler h;
  HttpServer s({}, h);
  uint16_t port = s.start();
  ASSERT_NE(port, 0);
  testing_http c(port);
  auto res = c.request(get("/"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), R"({"ok":true})");
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(res[boost::beast::http::field::server], "inplay");
  EXPECT_EQ(res[boost::beast::http::field::content_length], "11");
  EXPECT_TRUE(res.keep_alive());
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  FixedHandler h;
  HttpServer s({}, h);
  testing_http c(s.start());
  for (int i = 0; i < 20; ++i) {
    auto res = c.request(get("/n/" + std::to_string(i)));
    ASSERT_EQ(res.result_int(), 200);
    ASSERT_EQ(res.body(), R"({"ok":true})");
  }
}

TEST(HttpServer, PipelinedRequestsAnsweredInOrder) {
  class Echo : public HttpHandler {
    void handle(HttpRequest&& req, Responder respond) override {
      HttpResponse r;
      r.body = std::string(req.path());
      r.content_type = "text/plain";
      respond(std::move(r));
    }
  } h;
  HttpServer s({}, h);
  testing_http c(s.start());
  c.send(get("/a") + get("/b") + get("/c"));
  EXPECT_EQ(c.read().body(), "/a");
  EXPECT_EQ(c.read().body(), "/b");
  EXPECT_EQ(c.read().body(), "/c");
}

TEST(HttpServer, HandlerSeesLowerCasedHeadersBodyAndExtraResponseHeaders) {
  struct Capture : HttpHandler {
    HttpRequest seen;
    void handle(HttpRequest&& req, Responder respond) override {
      seen = std::move(req);
      HttpResponse r;
      r.status = 201;
      r.body = "created";
      r.content_type = "text/plain";
      r.headers = {{"X-Trace", "abc"}, {"Bad", "a\r\nInjected: 1"}, {"Content-Length", "99"}};
      respond(std::move(r));
    }
  } h;
  HttpServer s({}, h);
  testing_http c(s.start());
  auto res = c.request(
      "POST /v1/bets?src=t HTTP/1.1\r\nHost: t\r\nX-Idempotency-KEY: k1\r\n"
      "Content-Length: 5\r\n\r\nhello");
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res.body(), "created");
  EXPECT_EQ(res["X-Trace"], "abc");
  EXPECT_EQ(res["Injected"], "");
  EXPECT_EQ(res["Bad"], "");
  EXPECT_EQ(h.seen.method, "POST");
  EXPECT_EQ(h.seen.target, "/v1/bets?src=t");
  EXPECT_EQ(h.seen.path(), "/v1/bets");
  EXPECT_EQ(h.seen.query(), "src=t");
  EXPECT_EQ(h.seen.body, "hello");
  EXPECT_EQ(h.seen.header("x-idempotency-key"), "k1");
  bool found = false;
  for (auto& [k, v] : h.seen.headers) found |= (k == "x-idempotency-key");
  EXPECT_TRUE(found);
}

TEST(HttpServer, BodyOverLimitGets413JsonAndClose) {
  FixedHandler h;
  HttpServer::Options o;
  o.body_limit = 1024;
  HttpServer s(o, h);
  testing_http c(s.start());
  std::string body(4096, 'x');
  auto res = c.request("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4096\r\n\r\n" + body);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find(R"({"error":{"code":"PAYLOAD_TOO_LARGE")"), std::string::npos)
      << res.body();
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpServer, ChunkedBodyOverLimitGets413) {
  FixedHandler h;
  HttpServer::Options o;
  o.body_limit = 16;
  HttpServer s(o, h);
  testing_http c(s.start());
  auto res = c.request(
      "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "20\r\n" + std::string(32, 'y') + "\r\n0\r\n\r\n");
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find("PAYLOAD_TOO_LARGE"), std::string::npos);
}

TEST(HttpServer, GarbageGets400JsonAndClose) {
  FixedHandler h;
  HttpServer s({}, h);
  testing_http c(s.start());
  auto res = c.request("\x01\x02 garbage \xff\r\n\r\n");
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find(R"({"error":{"code":"MALFORMED_REQUEST")"), std::string::npos)
      << res.body();
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpServer, OversizedHeaderGets400) {
  FixedHandler h;
  HttpServer s({}, h);
  testing_http c(s.start());
  auto res = c.request(get("/", "X-Big: " + std::string(20000, 'a') + "\r\n"));
  EXPECT_EQ(res.result_int(), 400);
  EXPECT_NE(res.body().find("MALFORMED_REQUEST"), std::string::npos);
}

TEST(HttpServer, ConnectionCloseAndHttp10AreHonoured) {
  FixedHandler h;
  HttpServer s({}, h);
  uint16_t port = s.start();
  {
    testing_http c(port);
    auto res = c.request(get("/", "Connection: close\r\n"));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    testing_http c(port);
    auto res = c.request("GET / HTTP/1.0\r\n\r\n");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.version(), 10);
    EXPECT_TRUE(c.closed_by_peer());
  }
}

TEST(HttpServer, IdleConnectionIsClosed) {
  FixedHandler h;
  HttpServer::Options o;
  o.idle_timeout_s = 1;
  HttpServer s(o, h);
  testing_http c(s.start());
  EXPECT_EQ(c.request(get("/")).result_int(), 200);
  EXPECT_TRUE(c.closed_by_peer());  // within the client's 5 s read timeout
}

TEST(HttpServer, BindFailureThrowsClearError) {
  FixedHandler h;
  HttpServer a({}, h);
  HttpServer::Options o;
  o.port = a.start();
  HttpServer b(o, h);
  try {
    b.start();
    FAIL() << "second bind succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:"), std::string::npos)
        << e.what();
  }
  HttpServer::Options bad;
  bad.address = "not-an-ip";
  HttpServer c(bad, h);
  EXPECT_THROW(c.start(), std::runtime_error);
}

TEST(HttpServer, StopTwiceAndStopWithOpenConnections) {
  FixedHandler h;
  HttpServer::Options o;
  o.threads = 2;
  HttpServer s(o, h);
  uint16_t port = s.start();
  testing_http c1(port), c2(port);
  EXPECT_EQ(c1.request(get("/")).result_int(), 200);
  EXPECT_EQ(c2.request(get("/")).result_int(), 200);
  s.stop();
  EXPECT_TRUE(c1.closed_by_peer());
  EXPECT_TRUE(c2.closed_by_peer());
  s.stop();
}

// Answers from its own threads after a delay; keeps the responders' threads
// so the test can join them.
class DelayedHandler : public HttpHandler {
 public:
  explicit DelayedHandler(std::chrono::milliseconds d) : delay_(d) {}
  ~DelayedHandler() override { join(); }
  void handle(HttpRequest&& req, Responder respond) override {
    std::lock_guard lk(mu_);
    ++received_;
    cv_.notify_all();
    threads_.emplace_back([d = delay_, path = std::string(req.path()), r = std::move(respond)] {
      std::this_thread::sleep_for(d);
      HttpResponse res;
      res.body = "late " + path;
      res.content_type = "text/plain";
      r(res);
      r(res);  // a second call must be ignored
    });
  }
  void wait_received(int n) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, 5s, [&] { return received_ >= n; });
  }
  void join() {
    std::vector<std::thread> ts;
    {
      std::lock_guard lk(mu_);
      ts.swap(threads_);
    }
    for (auto& t : ts) t.join();
  }

 private:
  std::chrono::milliseconds delay_;
  std::mutex mu_;
  std::condition_variable cv_;
  int received_ = 0;
  std::vector<std::thread> threads_;
};

TEST(HttpServer, ResponderFromAnotherThreadAfterDelay) {
  DelayedHandler h(50ms);
  HttpServer s({}, h);
  testing_http c(s.start());
  for (int i = 0; i < 3; ++i) {
    auto res = c.request(get("/d" + std::to_string(i)));
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "late /d" + std::to_string(i));
  }
  h.join();
}

TEST(HttpServer, ClientGoneBeforeDelayedResponseDoesNotCrash) {
  DelayedHandler h(100ms);
  HttpServer s({}, h);
  uint16_t port = s.start();
  {
    testing_http c(port);
    c.send(get("/gone"));
    h.wait_received(1);
    c.close();
  }
  h.join();  // the responder writes to a dead connection
  testing_http c2(port);
  auto res = c2.request(get("/after"));
  EXPECT_EQ(res.body(), "late /after");
  h.join();
}

TEST(HttpServer, ResponderFiringAfterServerDestroyedIsDropped) {
  DelayedHandler h(200ms);
  {
    HttpServer s({}, h);
    testing_http c(s.start());
    c.send(get("/late"));
    h.wait_received(1);
  }  // server stopped and destroyed with a response still owed
  h.join();
}

}  // namespace
}  // namespace inplay
