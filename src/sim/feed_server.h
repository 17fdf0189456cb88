// FeedServer: the TCP side of a simulated provider (docs/feed-protocol.md:
// newline-delimited JSON, the provider is the server). It accepts clients,
// writes every client the same broadcast stream, in order, and hands each
// line a client sends (recovery requests) to on_line. A client that lets
// more than max_client_backlog_bytes of output pile up is disconnected.
//
// Threads: one I/O thread of its own ("sim-feed-io") accepts, reads and
// writes; on_line runs on it. broadcast() and disconnect_clients() may be
// called from any thread: they post to the I/O thread. listen(), run() and
// stop() belong to the owner (start-up and shutdown).
#pragma once
#include <boost/asio.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace inplay {

class FeedSession;

class FeedServer {
 public:
  FeedServer(size_t max_client_backlog_bytes, std::function<void(std::string_view line)> on_line);
  ~FeedServer();  // stop()s
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;

  // Binds address:port and listens; returns the bound port. Throws on bind
  // error. Clients are accepted once run() has started the I/O thread.
  uint16_t listen(const std::string& address, uint16_t port);
  void run();
  // Closes the listener and every client, joins the I/O thread.
  void stop();
  uint16_t port() const { return port_; }
  size_t client_count() const { return nclients_.load(); }

  // Sends batch (whole lines) to every client connected when the I/O
  // thread gets to it.
  void broadcast(std::string batch);
  // Closes every client connection now (on the I/O thread, asynchronously).
  void disconnect_clients();

 private:
  friend class FeedSession;
  using tcp = boost::asio::ip::tcp;
  // I/O thread only.
  void accept();
  void remove(const std::shared_ptr<FeedSession>& s);
  void close_all();

  const size_t max_client_backlog_bytes_;
  const std::function<void(std::string_view)> on_line_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  tcp::acceptor acceptor_{io_};
  std::set<std::shared_ptr<FeedSession>> sessions_;  // I/O thread
  std::atomic<size_t> nclients_{0};
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace inplay
