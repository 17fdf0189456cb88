// echo_server: the ceiling for HTTP benchmarks (issue 19, item 3). A tiny,
// single-threaded Boost.Beast HTTP/1.1 keep-alive server that reads each
// request whole (head and body) and answers 200 with one fixed small JSON
// body, whatever the method or path. Nothing of the book is linked: it
// measures what the loopback, the kernel and Beast cost per request on this
// machine, so a load generator run against it and against `inplay serve` in
// the same sitting gives the ratio a real endpoint reaches.
//
//   build/echo_server [port] [address]     (defaults: 0 = any free port, 127.0.0.1)
//
// Prints "listening on ADDRESS:PORT" once bound, then serves until SIGINT or
// SIGTERM. One thread, one io_context; each connection one C++20 coroutine.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* kBody = R"({"ok":true})";

asio::awaitable<void> serve(tcp::socket sock) {
  sock.set_option(tcp::no_delay(true));
  beast::flat_buffer buf;
  http::response<http::string_body> res{http::status::ok, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = kBody;
  res.prepare_payload();
  boost::system::error_code ec;
  auto on_error = asio::redirect_error(asio::use_awaitable, ec);
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(sock, buf, req, on_error);
    if (ec) co_return;  // closed, or not HTTP: drop the connection
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    co_await http::async_write(sock, res, on_error);
    if (ec || !req.keep_alive()) co_return;
  }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor) {
  boost::system::error_code ec;
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;  // the acceptor was closed
    if (ec) continue;                                       // e.g. out of descriptors: keep serving the others
    asio::co_spawn(acceptor.get_executor(), serve(std::move(sock)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  const std::string address = argc > 2 ? argv[2] : "127.0.0.1";
  asio::io_context ioc{1};
  tcp::acceptor acceptor(ioc, {asio::ip::make_address(address), port});
  std::printf("listening on %s:%u\n", address.c_str(), acceptor.local_endpoint().port());
  std::fflush(stdout);
  asio::signal_set stop(ioc, SIGINT, SIGTERM);
  stop.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
  asio::co_spawn(ioc, listen(acceptor), asio::detached);
  ioc.run();
  return 0;
}
