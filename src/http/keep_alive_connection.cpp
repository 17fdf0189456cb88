// KeepAliveConnection (contract in http/keep_alive_connection.h).
#include "http/keep_alive_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace inplay {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

struct KeepAliveConnection::Impl {
  std::string host;
  std::string port;
  net::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buf;

  void close() {
    if (!stream) return;
    beast::error_code ec;
    stream->socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    stream->socket().close(ec);
    stream.reset();
    buf.clear();
  }
};

KeepAliveConnection::KeepAliveConnection(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = std::to_string(port);
}

KeepAliveConnection::~KeepAliveConnection() { impl_->close(); }

bool KeepAliveConnection::open() const { return impl_->stream != nullptr; }

namespace {
// Where a call failed; a reused connection that fails before the answer's
// first byte is stale, not a partner's failure.
enum class Stage { connect, write, read };
}  // namespace

HttpCallResult KeepAliveConnection::call(const std::string& method, const std::string& target,
                                         const std::vector<std::pair<std::string, std::string>>& headers,
                                         const std::string& body, int timeout_ms) {
  HttpCallResult out;
  Impl& c = *impl_;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  try {
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, c.host);
    req.keep_alive(true);
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    for (int round = 0; round < 2; ++round) {
      const bool reused = c.stream != nullptr;
      http::response_parser<http::string_body> parser;
      parser.body_limit(16 * 1024 * 1024);
      beast::error_code failed;
      Stage stage = Stage::write;
      auto fail = [&](beast::error_code ec) { failed = ec; };
      auto write_then_read = [&] {
        stage = Stage::write;
        http::async_write(*c.stream, req, [&](beast::error_code ec, size_t) {
          if (ec) return fail(ec);
          stage = Stage::read;
          http::async_read(*c.stream, c.buf, parser, [&](beast::error_code ec2, size_t) {
            if (ec2) return fail(ec2);
          });
        });
      };
      if (!reused) {
        c.stream = std::make_unique<beast::tcp_stream>(c.ioc);
        c.buf.clear();
        c.stream->expires_at(deadline);
        stage = Stage::connect;
        ++connects_;
        net::ip::tcp::resolver resolver(c.ioc);
        auto endpoints = resolver.resolve(c.host, c.port);
        c.stream->async_connect(endpoints, [&](beast::error_code ec, const net::ip::tcp::endpoint&) {
          if (ec) return fail(ec);
          write_then_read();
        });
      } else {
        c.stream->expires_at(deadline);
        write_then_read();
      }
      c.ioc.restart();
      c.ioc.run();
      if (!failed) {
        auto& res = parser.get();
        out.status = static_cast<int>(res.result_int());
        out.error.clear();
        const bool keep = res.keep_alive();
        out.body = std::move(res.body());
        if (!keep) c.close();
        return out;
      }
      const char* name = stage == Stage::connect ? "connect" : stage == Stage::write ? "write" : "read";
      out.status = 0;
      out.error = std::string(name) + ": " + failed.message();
      c.close();
      const bool stale = reused && failed != beast::error::timeout &&
                         (stage == Stage::write || (stage == Stage::read && !parser.got_some()));
      if (!stale || std::chrono::steady_clock::now() >= deadline) return out;
    }
  } catch (const std::exception& e) {
    c.close();
    out.status = 0;
    out.error = e.what();
  }
  return out;
}

}  // namespace inplay
