// TcpFeedClient: one feed connection (docs/feed-protocol.md). A thread of
// its own connects to the provider (reconnecting with back-off), reads
// newline-delimited JSON, parses each line with a FeedParser and hands the
// result to callbacks — on this client's thread; the owner forwards them to
// the engine. Lines that fail to parse go to the dead-letter file with the
// reason before the callback sees the error. send() queues a request line
// (recovery) from any thread. stop() closes the connection and joins.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "feed/dead_letter.h"
#include "feed/feed_config.h"
#include "feed/feed_parser.h"

namespace inplay {

struct FeedCallbacks {
  std::function<void()> connected;
  std::function<void()> disconnected;
  // The parsed message and the monotonic time its line was read.
  std::function<void(FeedMessage&&, int64_t read_ns)> message;
  std::function<void(const ParseError&)> parse_error;
};

class TcpFeedClient {
 public:
  // clock: stamps dead-letter records (the book's clock).
  TcpFeedClient(FeedConfig cfg, FeedCallbacks cb, DeadLetterFile* dead_letters, const Clock& clock);
  ~TcpFeedClient();
  void start();
  void stop();
  // Any thread: a line (no '\n') to send when connected; dropped if not.
  void send(std::string line);
  uint64_t lines_read() const { return lines_.load(std::memory_order_relaxed); }

 private:
  void run();
  bool connect_once(int& fd);
  void serve(int fd);
  void handle_line(std::string_view line);

  FeedConfig cfg_;
  FeedCallbacks cb_;
  DeadLetterFile* dead_;
  const Clock& clock_;
  FeedParser parser_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex out_mu_;
  std::deque<std::string> out_;
  std::atomic<uint64_t> lines_{0};
};

}  // namespace inplay
