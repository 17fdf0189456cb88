// HttpServer: an HTTP/1.1 server on Boost.Beast with keep-alive, serving one
// HttpHandler from a pool of I/O threads.
//
// Contract: the server parses requests (malformed HTTP -> 400 JSON error,
// body over Options::body_limit -> 413 PAYLOAD_TOO_LARGE, both without
// calling the handler), calls handler.handle() on an I/O thread, and writes
// whatever the Responder is given, from any thread, exactly once. Responses
// on one connection go out in request order. The server never blocks an I/O
// thread on the handler. stop() closes the listener and all connections.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inplay {

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // path plus query, as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // Case-insensitive header lookup; empty view if absent.
  std::string_view header(std::string_view lower_name) const;
  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // after '?', or empty
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Thread-safe; call exactly once.
using Responder = std::function<void(HttpResponse)>;

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual void handle(HttpRequest&& req, Responder respond) = 0;
};

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 0;         // 0: ephemeral
    int threads = 1;           // I/O threads
    size_t body_limit = 64 * 1024;
    int idle_timeout_s = 60;
  };
  HttpServer(Options opts, HttpHandler& handler);
  ~HttpServer();
  // Binds and starts the I/O threads; returns the bound port. Throws on bind error.
  uint16_t start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inplay
