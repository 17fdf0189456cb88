// HttpServer: an HTTP/1.1 server on Boost.Beast with keep-alive, serving one
// HttpHandler from a pool of I/O threads.
//
// Contract: the server parses requests (malformed HTTP -> 400 JSON error,
// body over Options::body_limit -> 413 PAYLOAD_TOO_LARGE, both without
// calling the handler), calls handler.handle() on an I/O thread, and writes
// whatever the Responder is given, from any thread, exactly once. Responses
// on one connection go out in request order. The server never blocks an I/O
// thread on the handler. stop() closes the listener and all connections.
//
// Streaming (Server-Sent Events): a response with `stream` set goes out with
// no Content-Length and `Connection: close`; its body is whatever is written
// to the StreamSink handed to `stream` once the head is out. The sink's queue
// is bounded (a reader that falls behind is cut off), a peer that goes away
// or stop() closes it, and the connection then closes.
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

// The writing end of a streamed response body.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Any thread, never blocks. Queues bytes for the peer; false once the
  // stream is closed (peer gone, stop(), close(), or more than the bound
  // queued): the writer should drop the sink.
  virtual bool write(std::string bytes) = 0;
  // Any thread: ends the stream once what is queued has gone out.
  virtual void close() = 0;
  virtual bool is_open() const = 0;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // Set: a streamed response (body ignored). Called on the connection's I/O
  // thread once the head is written; must not block.
  std::function<void(std::shared_ptr<StreamSink>)> stream;
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
    size_t stream_queue_limit = 1 << 20;  // bytes queued per stream before it is cut off
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
