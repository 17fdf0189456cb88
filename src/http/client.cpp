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
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    stream.connect(resolver.resolve(host, std::to_string(port)));
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, host);
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
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
