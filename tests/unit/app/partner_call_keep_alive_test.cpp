// PartnerCall's keep-alive pool (app/partner_call.h) against a small
// loopback HTTP/1.1 server written here that counts the connections it
// accepts and the idempotency keys it records: many calls go over far fewer
// connections; a server that closes a kept-alive connection between calls
// (without saying so) costs a fresh connection, not a failed call, and the
// request reaches it once. Waits are bounded; nothing asserts speed.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/partner_call.h"
#include "telemetry/metrics.h"

namespace inplay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using namespace std::chrono_literals;

// Serves one connection at a time; answers every request 200 keep-alive and,
// when close_after > 0, drops each connection after that many answers.
class CountingServer {
 public:
  explicit CountingServer(int close_after) : close_after_(close_after), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { run(); });
  }
  ~CountingServer() {
    stopping_ = true;
    beast::error_code ec;
    // Unblock accept() with one last connection.
    net::io_context ioc;
    net::ip::tcp::socket s(ioc);
    s.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
    acceptor_.close(ec);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_.load(); }
  std::vector<std::string> keys() const {
    std::lock_guard<std::mutex> lk(mu_);
    return keys_;
  }

 private:
  void run() {
    for (;;) {
      beast::error_code ec;
      net::ip::tcp::socket sock(ioc_);
      acceptor_.accept(sock, ec);
      if (ec || stopping_) return;
      ++accepted_;
      serve(sock);
    }
  }
  void serve(net::ip::tcp::socket& sock) {
    beast::flat_buffer buf;
    for (int answered = 0;; ++answered) {
      if (close_after_ > 0 && answered >= close_after_) break;
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(sock, buf, req, ec);
      if (ec) break;
      {
        std::lock_guard<std::mutex> lk(mu_);
        keys_.push_back(std::string(req["Idempotency-Key"]));
      }
      http::response<http::string_body> res(http::status::ok, 11);
      res.keep_alive(true);
      res.body() = "{\"status\":\"authorised\"}";
      res.prepare_payload();
      http::write(sock, res, ec);
      if (ec) break;
    }
    beast::error_code ec;
    sock.shutdown(net::ip::tcp::socket::shutdown_both, ec);
    sock.close(ec);
  }

  int close_after_;
  net::io_context ioc_;
  net::ip::tcp::acceptor acceptor_;
  uint16_t port_ = acceptor_.local_endpoint().port();
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  mutable std::mutex mu_;
  std::vector<std::string> keys_;
  std::thread thread_;
};

struct Fixture {
  MetricsRegistry metrics;
  PartnerSeries series() {
    PartnerSeries s;
    s.breaker_open = &metrics.gauge("t_breaker_open", "t", {"p"}).with({"p"});
    auto& calls = metrics.counter("t_calls_total", "t", {"p", "result"});
    s.calls_ok = &calls.with({"p", "ok"});
    s.calls_failed = &calls.with({"p", "failed"});
    return s;
  }
  PartnerTerms terms() {
    PartnerTerms t;
    t.name = "p";
    t.timeout = std::chrono::milliseconds(5000);
    t.attempts = 1;  // a stale connection must not cost an attempt
    t.retry = std::chrono::milliseconds(1);
    t.threads = 1;
    return t;
  }
};

bool read_ok(const HttpCallResult& r, std::string& detail) {
  if (r.status == 200) return true;
  detail = r.status ? "status " + std::to_string(r.status) : r.error;
  return false;
}

TEST(PartnerCallKeepAlive, ManyCallsReuseFewConnections) {
  CountingServer server(0);
  Fixture f;
  PartnerCall call(f.terms(), server.url(), "bad url", f.series(), "full");
  call.start();
  constexpr int kCalls = 50;
  for (int i = 0; i < kCalls; ++i) {
    auto t = call.post("/v1/payments", "key-" + std::to_string(i), "{}", read_ok);
    ASSERT_TRUE(t.heard) << t.detail;
    EXPECT_EQ(t.attempts, 1);
  }
  EXPECT_EQ(server.keys().size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(call.connections_opened(), 1u);
  call.stop();
}

TEST(PartnerCallKeepAlive, ServerClosingAKeptConnectionCostsAFreshOneNotTheCall) {
  CountingServer server(1);  // one answer per connection, then it hangs up
  Fixture f;
  PartnerCall call(f.terms(), server.url(), "bad url", f.series(), "full");
  call.start();
  auto first = call.post("/v1/payments", "key-a", "{}", read_ok);
  ASSERT_TRUE(first.heard) << first.detail;
  std::this_thread::sleep_for(50ms);  // let the hang-up land before the next call
  auto second = call.post("/v1/payments", "key-b", "{}", read_ok);
  ASSERT_TRUE(second.heard) << second.detail;
  EXPECT_EQ(second.attempts, 1);
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(server.keys(), (std::vector<std::string>{"key-a", "key-b"}));  // key-b recorded once
  EXPECT_EQ(call.calls_failed_total(), 0u);
  call.stop();
}

}  // namespace
}  // namespace inplay
