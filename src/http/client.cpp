#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace inplay {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

HttpCallResult http_call(const std::string& host, uint16_t port, const std::string& method,
                         const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, int timeout_ms) {
  HttpCallResult out;
  // Asynchronous operations on one io_context run to completion here: a
  // beast::tcp_stream's expiry bounds only asynchronous operations, so this
  // is what makes timeout_ms hold for the whole call (connect, write, read).
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, host);
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    beast::error_code failed;
    const char* stage = "connect";
    auto fail = [&](beast::error_code ec) {
      failed = ec;
      out.error = std::string(stage) + ": " + ec.message();
    };
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    auto endpoints = resolver.resolve(host, std::to_string(port));
    stream.async_connect(endpoints, [&](beast::error_code ec, const net::ip::tcp::endpoint&) {
      if (ec) return fail(ec);
      stage = "write";
      http::async_write(stream, req, [&](beast::error_code ec2, size_t) {
        if (ec2) return fail(ec2);
        stage = "read";
        http::async_read(stream, buf, res, [&](beast::error_code ec3, size_t) {
          if (ec3) return fail(ec3);
        });
      });
    });
    ioc.run();
    if (failed) return out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    out.status = 0;
    out.error = e.what();
  }
  return out;
}

bool parse_http_url(const std::string& url, std::string& host, uint16_t& port) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return false;
  std::string rest = url.substr(prefix.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    host = rest;
    port = 80;
    return !host.empty();
  }
  host = rest.substr(0, colon);
  try {
    int p = std::stoi(rest.substr(colon + 1));
    if (p <= 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return !host.empty();
}

}  // namespace inplay
