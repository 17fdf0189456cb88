// A blocking HTTP/1.1 client for the http tests: raw bytes in, parsed
// responses out, one socket per instance, 5 s read timeout.
#pragma once
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

namespace inplay::testing {

class TestClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  explicit TestClient(uint16_t port) : sock_(ioc_) {
    sock_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    setsockopt(sock_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const std::string& bytes) { boost::asio::write(sock_, boost::asio::buffer(bytes)); }
  Response read(boost::beast::error_code& ec) {
    Response res;
    boost::beast::http::read(sock_, buf_, res, ec);
    return res;
  }
  Response read() {
    boost::beast::error_code ec;
    auto res = read(ec);
    if (ec) throw boost::system::system_error(ec);
    return res;
  }
  Response request(const std::string& bytes) {
    send(bytes);
    return read();
  }
  // True if the server has closed the connection (EOF, or a reset).
  bool closed_by_peer() {
    char c;
    boost::beast::error_code ec;
    size_t n = sock_.read_some(boost::asio::buffer(&c, 1), ec);
    return n == 0 && (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset);
  }
  void close() { sock_.close(); }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket sock_;
  boost::beast::flat_buffer buf_;
};

inline std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

}  // namespace inplay::testing
