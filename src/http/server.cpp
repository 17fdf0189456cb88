// HttpServer on Boost.Beast: one io_context per I/O thread, connections
// handed round-robin to the threads by one acceptor. A connection lives on
// exactly one io_context, so its handlers never run concurrently and need no
// strand; a Responder called from another thread posts onto that io_context.
//
// Lifetime: every Session holds the Shared state (io_contexts included), so a
// Responder that fires after stop() or after the server is gone finds live
// objects, sees `stopped` and drops the response.
#include "http/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "core/error.h"
#include "http/response_wire.h"

namespace inplay {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Concrete executors (not any_io_executor): type-erased executor copies were
// ~7% of a fixed-response request's CPU.
using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, asio::io_context::executor_type, beast::unlimited_rate_policy>;

constexpr uint32_t kHeaderLimit = 16 * 1024;
// After an error response we read and discard what the peer still sends (so
// closing does not RST the response away), but not forever.
constexpr size_t kDrainLimit = 1 << 20;
constexpr auto kDrainTimeout = std::chrono::seconds(2);

class Session;

// The sink of a streamed response: a bounded byte queue that any thread
// fills and the session's I/O thread drains.
class SessionStream final : public StreamSink {
 public:
  SessionStream(std::weak_ptr<Session> session, size_t limit) : session_(std::move(session)), limit_(limit) {}
  bool write(std::string bytes) override;
  void close() override;
  bool is_open() const override {
    std::lock_guard lk(mu_);
    return !closed_;
  }
  // I/O thread: what is queued; `end` is set once close() was asked for.
  std::string take(bool& end) {
    std::lock_guard lk(mu_);
    flush_posted_ = false;
    end = close_asked_;
    return std::move(pending_);
  }
  void mark_closed() {
    std::lock_guard lk(mu_);
    closed_ = true;
  }

 private:
  bool post_flush();  // under mu_

  std::weak_ptr<Session> session_;
  const size_t limit_;
  mutable std::mutex mu_;
  std::string pending_;
  bool closed_ = false, close_asked_ = false, flush_posted_ = false;
};

// One I/O thread: its io_context and the connections living on it.
struct Shard {
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      ioc.get_executor()};
  std::mutex mu;                       // guards sessions
  std::unordered_set<Session*> sessions;
};

// What the server and all its sessions share.
struct Shared {
  Shared(HttpServer::Options o, HttpHandler& h) : opts(std::move(o)), handler(h) {}
  HttpServer::Options opts;
  HttpHandler& handler;
  std::mutex post_mu;                // orders cross-thread posts against stop()
  std::atomic<bool> stopped{false};  // set under post_mu
  std::vector<std::unique_ptr<Shard>> shards;
};

bool is_http_error(const beast::error_code& ec) {
  return &ec.category() == &beast::error_code(http::error::end_of_stream).category();
}

void lower_into(std::string& out, beast::string_view s) {
  out.resize(s.size());
  std::transform(s.begin(), s.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
}

class Session : public std::enable_shared_from_this<Session> {
  friend class SessionStream;

 public:
  Session(std::shared_ptr<Shared> shared, Shard& shard, Socket sock)
      : shared_(std::move(shared)), shard_(shard), stream_(std::move(sock)) {
    std::lock_guard lk(shard_.mu);
    shard_.sessions.insert(this);
  }
  ~Session() {
    std::lock_guard lk(shard_.mu);
    shard_.sessions.erase(this);
  }

  void start() { read(); }

  // Called by stop() once the I/O threads are joined.
  void close_now() {
    if (sink_) sink_->mark_closed();
    stream_.close();
  }

  // Posts fn onto this session's I/O thread unless the server stopped.
  template <class Fn>
  bool post(Fn fn) {
    std::lock_guard lk(shared_->post_mu);
    if (shared_->stopped.load(std::memory_order_relaxed)) return false;
    asio::post(shard_.ioc, [self = shared_from_this(), fn = std::move(fn)]() mutable { fn(*self); });
    return true;
  }

  // I/O thread: writes what the stream's sink has queued, one write at a time.
  void flush_stream() {
    if (stopped() || !sink_ || stream_writing_) return;
    bool end = false;
    std::string data = sink_->take(end);
    if (data.empty()) {
      if (end) end_stream();
      return;
    }
    stream_writing_ = true;
    body_ = std::move(data);
    asio::async_write(stream_, asio::buffer(body_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->stopped()) return;
      self->stream_writing_ = false;
      if (ec) return self->end_stream();
      self->flush_stream();
    });
  }

  // Any thread; the first call for the pending request wins.
  void respond(uint64_t seq, HttpResponse res) {
    uint64_t expected = seq;
    if (!pending_.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
    if (shard_.ioc.get_executor().running_in_this_thread()) {
      write(std::move(res));
      return;
    }
    std::lock_guard lk(shared_->post_mu);
    if (shared_->stopped.load(std::memory_order_relaxed)) return;
    asio::post(shard_.ioc, [self = shared_from_this(), res = std::move(res)]() mutable {
      self->write(std::move(res));
    });
  }

 private:
  // idle_timeout_s <= 0 switches the timeout off.
  void arm_idle_timer() {
    if (shared_->opts.idle_timeout_s > 0) {
      stream_.expires_after(std::chrono::seconds(shared_->opts.idle_timeout_s));
    } else {
      stream_.expires_never();
    }
  }

  bool stopped() const { return shared_->stopped.load(std::memory_order_acquire); }

  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(static_cast<uint64_t>(shared_->opts.body_limit));
    arm_idle_timer();
    http::async_read(stream_, buf_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (stopped()) return;
    if (ec) {
      on_read_error(ec);
      return;
    }
    auto& msg = parser_->get();
    HttpRequest req;
    req.method.assign(msg.method_string().data(), msg.method_string().size());
    req.target.assign(msg.target().data(), msg.target().size());
    for (const auto& f : msg) {
      auto& h = req.headers.emplace_back();
      lower_into(h.first, f.name_string());
      h.second.assign(f.value().data(), f.value().size());
    }
    req.body = std::move(msg.body());
    keep_alive_ = msg.keep_alive();
    http10_ = msg.version() < 11;
    head_only_ = msg.method() == http::verb::head;
    parser_.reset();

    uint64_t seq = ++seq_;
    pending_.store(seq, std::memory_order_release);
    try {
      shared_->handler.handle(std::move(req),
                              [self = shared_from_this(), seq](HttpResponse res) {
                                self->respond(seq, std::move(res));
                              });
    } catch (const std::exception& e) {
      respond(seq, error_response(ErrorCode::kInternal, std::string("handler failed: ") + e.what()));
    }
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      fail(ErrorCode::kPayloadTooLarge, "request body exceeds " +
                                            std::to_string(shared_->opts.body_limit) + " bytes");
    } else if (ec == http::error::header_limit) {
      fail(ErrorCode::kMalformedRequest,
           "request header exceeds " + std::to_string(kHeaderLimit) + " bytes");
    } else if (is_http_error(ec) && ec != http::error::end_of_stream &&
               ec != http::error::partial_message) {
      fail(ErrorCode::kMalformedRequest, "malformed HTTP request: " + ec.message());
    } else {
      close();  // peer went away, idle timeout, or stop()
    }
  }

  static HttpResponse error_response(ErrorCode code, std::string message) {
    HttpResponse res;
    res.status = error_http_status(code);
    res.body = error_body(Error{code, std::move(message)});
    return res;
  }

  // Answers a request the handler never saw, then closes.
  void fail(ErrorCode code, std::string message) {
    parser_.reset();
    keep_alive_ = false;
    http10_ = false;
    head_only_ = false;
    write(error_response(code, std::move(message)));
  }

  void write(HttpResponse res) {
    if (stopped()) return;
    if (res.stream) return start_stream(std::move(res));
    write_response_head(res, keep_alive_, http10_, head_);
    body_ = std::move(res.body);
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head_),
                                           asio::buffer(body_.data(), head_only_ ? 0 : body_.size())};
    arm_idle_timer();
    asio::async_write(stream_, bufs, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    if (stopped()) return;
    if (body_.capacity() > 64 * 1024) std::string().swap(body_);
    if (ec) {
      close();
    } else if (keep_alive_) {
      read();
    } else {
      linger();
    }
  }

  // A streamed response: the head without Content-Length (the body ends
  // when the connection closes), then the sink's bytes as they come.
  void start_stream(HttpResponse res) {
    keep_alive_ = false;
    auto open = std::move(res.stream);
    res.body.clear();
    res.headers.emplace_back("Cache-Control", "no-store");
    write_response_head(res, false, http10_, head_);
    // The head writer always states a length; a streamed body has none.
    static constexpr std::string_view kLength = "Content-Length: 0\r\n";
    if (size_t at = head_.find(kLength); at != std::string::npos) head_.erase(at, kLength.size());
    sink_ = std::make_shared<SessionStream>(weak_from_this(), shared_->opts.stream_queue_limit);
    stream_.expires_never();  // a quiet stream is not idle; the bounded queue catches a dead reader
    stream_writing_ = true;
    asio::async_write(stream_, asio::buffer(head_),
                      [self = shared_from_this(), open = std::move(open)](beast::error_code ec, size_t) {
                        if (self->stopped()) return;
                        self->stream_writing_ = false;
                        if (ec) return self->end_stream();
                        if (self->head_only_) return self->end_stream();
                        try {
                          open(self->sink_);
                        } catch (const std::exception& e) {
                          std::fprintf(stderr, "http: stream open failed: %s\n", e.what());
                          return self->end_stream();
                        }
                        self->watch_peer();
                        self->flush_stream();
                      });
  }

  // Reads (and discards) until the peer goes away, which ends the stream.
  void watch_peer() {
    stream_.async_read_some(buf_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (self->stopped()) return;
      if (ec) return self->end_stream();
      self->watch_peer();
    });
  }

  void end_stream() {
    if (sink_) sink_->mark_closed();
    close();
  }

  // Half-closes and reads until the peer closes, so the last response is not
  // lost to a reset caused by unread request bytes.
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kDrainTimeout);
    drain();
  }

  void drain() {
    buf_.clear();
    stream_.async_read_some(buf_.prepare(16 * 1024),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->stopped()) return;
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainLimit) {
                                self->close();
                              } else {
                                self->drain();
                              }
                            });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  // Declared first so it is destroyed last: it owns the io_context the
  // stream is registered with.
  std::shared_ptr<Shared> shared_;
  Shard& shard_;
  Stream stream_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string head_;
  std::string body_;
  std::atomic<uint64_t> pending_{0};  // seq of the request awaiting its response
  uint64_t seq_ = 0;
  size_t drained_ = 0;
  std::shared_ptr<SessionStream> sink_;  // set for a streamed response
  bool stream_writing_ = false;
  bool keep_alive_ = false;
  bool http10_ = false;
  bool head_only_ = false;
};

bool SessionStream::post_flush() {
  if (flush_posted_) return true;
  auto s = session_.lock();
  if (!s || !s->post([](Session& self) { self.flush_stream(); })) return false;
  flush_posted_ = true;
  return true;
}

bool SessionStream::write(std::string bytes) {
  std::lock_guard lk(mu_);
  if (closed_ || close_asked_) return false;
  if (pending_.size() + bytes.size() > limit_) {  // the reader fell behind: cut it off
    closed_ = true;
    if (auto s = session_.lock()) s->post([](Session& self) { self.end_stream(); });
    return false;
  }
  pending_ += bytes;
  if (!post_flush()) closed_ = true;
  return !closed_;
}

void SessionStream::close() {
  std::lock_guard lk(mu_);
  if (closed_ || close_asked_) return;
  close_asked_ = true;
  if (!post_flush()) closed_ = true;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Options o, HttpHandler& h) : shared(std::make_shared<Shared>(std::move(o), h)) {}

  uint16_t start() {
    std::lock_guard lk(life_mu);
    if (started) throw std::runtime_error("HttpServer: start() called twice");
    const Options& o = shared->opts;
    int n = std::max(1, o.threads);
    for (int i = 0; i < n; ++i) shared->shards.push_back(std::make_unique<Shard>());
    try {
      bind(o.address, o.port);
    } catch (...) {
      shared->shards.clear();
      throw;
    }
    started = true;
    accept();
    for (auto& shard : shared->shards) {
      threads.emplace_back([s = shard.get()] {
        pthread_setname_np(pthread_self(), "http-io");
        run(*s);
      });
    }
    return acceptor->local_endpoint().port();
  }

  void bind(const std::string& address, uint16_t port) {
    auto where = [&] { return address + ":" + std::to_string(port); };
    beast::error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    if (ec) throw std::runtime_error("HttpServer: bad listen address " + where() + ": " + ec.message());
    acceptor.emplace(shared->shards[0]->ioc);
    tcp::endpoint ep(ip, port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      acceptor.reset();
      throw std::runtime_error("HttpServer: cannot listen on " + where() + ": " + ec.message());
    }
  }

  static void run(Shard& shard) {
    for (;;) {
      try {
        shard.ioc.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "http: I/O thread caught %s\n", e.what());
      }
    }
  }

  void accept() {
    Shard& target = *shared->shards[next_shard++ % shared->shards.size()];
    acceptor->async_accept(target.ioc, [this, &target](beast::error_code ec, Socket sock) {
      if (ec == asio::error::operation_aborted || shared->stopped) return;
      if (ec) {
        retry_accept();  // e.g. out of file descriptors: back off, don't spin
        return;
      }
      beast::error_code ignore;
      sock.set_option(tcp::no_delay(true), ignore);
      auto session = std::make_shared<Session>(shared, target, std::move(sock));
      if (&target == shared->shards[0].get()) {
        session->start();
      } else {
        asio::post(target.ioc, [session] { session->start(); });
      }
      accept();
    });
  }

  void retry_accept() {
    backoff.emplace(shared->shards[0]->ioc, std::chrono::milliseconds(10));
    backoff->async_wait([this](beast::error_code ec) {
      if (!ec && !shared->stopped) accept();
    });
  }

  void stop() {
    std::lock_guard lk(life_mu);
    if (!started || stopped) return;
    stopped = true;
    {
      std::lock_guard pl(shared->post_mu);
      shared->stopped.store(true, std::memory_order_release);
    }
    for (auto& shard : shared->shards) shard->ioc.stop();
    for (auto& t : threads) t.join();
    threads.clear();
    // No I/O thread runs now: close everything from here, then run the
    // aborted completions so they drop their hold on the sessions.
    beast::error_code ec;
    acceptor->close(ec);
    if (backoff) backoff->cancel();
    for (auto& shard : shared->shards) {
      std::lock_guard sl(shard->mu);
      for (Session* s : shard->sessions) s->close_now();
    }
    for (auto& shard : shared->shards) {
      shard->work.reset();
      shard->ioc.restart();
      shard->ioc.poll();
    }
    backoff.reset();
    acceptor.reset();
  }

  // Declared first: destroyed after the acceptor and timer that use its io_contexts.
  std::shared_ptr<Shared> shared;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> backoff;
  std::vector<std::thread> threads;
  size_t next_shard = 0;
  std::mutex life_mu;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(Options opts, HttpHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(opts), handler)) {}

HttpServer::~HttpServer() { stop(); }

uint16_t HttpServer::start() { return impl_->start(); }

void HttpServer::stop() { impl_->stop(); }

}  // namespace inplay
