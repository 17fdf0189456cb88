#include "feed/tcp_feed_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/clock.h"
#include "telemetry/log.h"

namespace inplay {

TcpFeedClient::TcpFeedClient(FeedConfig cfg, FeedCallbacks cb, DeadLetterFile* dead_letters,
                             const Clock& clock)
    : cfg_(std::move(cfg)), cb_(std::move(cb)), dead_(dead_letters), clock_(clock),
      parser_(cfg_.accepted_schemas) {}

TcpFeedClient::~TcpFeedClient() { stop(); }

void TcpFeedClient::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "feed-client");
    run();
  });
}

void TcpFeedClient::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void TcpFeedClient::send(std::string line) {
  std::lock_guard<std::mutex> g(out_mu_);
  if (out_.size() < 1024) out_.push_back(std::move(line));
}

bool TcpFeedClient::connect_once(int& fd) {
  fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(cfg_.port);
  if (inet_pton(AF_INET, cfg_.host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    return false;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return true;
}

void TcpFeedClient::run() {
  int backoff_ms = 50;
  while (!stop_) {
    int fd = -1;
    if (!connect_once(fd)) {
      for (int waited = 0; waited < backoff_ms && !stop_; waited += 10)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      backoff_ms = std::min(backoff_ms * 2, 1000);
      continue;
    }
    backoff_ms = 50;
    {
      std::lock_guard<std::mutex> g(out_mu_);
      out_.clear();  // requests for a previous connection are void
    }
    if (cb_.connected) cb_.connected();
    serve(fd);
    ::close(fd);
    if (cb_.disconnected) cb_.disconnected();
  }
}

void TcpFeedClient::serve(int fd) {
  std::string buf;
  buf.reserve(1 << 16);
  bool skipping = false;  // inside an over-long line: drop until '\n'
  char chunk[1 << 16];
  while (!stop_) {
    {
      std::deque<std::string> out;
      {
        std::lock_guard<std::mutex> g(out_mu_);
        out.swap(out_);
      }
      for (auto& line : out) {
        line.push_back('\n');
        size_t off = 0;
        while (off < line.size()) {
          ssize_t n = ::send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) return;
          off += static_cast<size_t>(n);
        }
      }
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, 20);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return;
    if (r == 0) continue;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;  // EOF or error: reconnect
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      if (chunk[i] != '\n') continue;
      if (skipping) {
        skipping = false;
      } else if (buf.empty()) {
        handle_line(std::string_view(chunk + start, i - start));
      } else {
        buf.append(chunk + start, i - start);
        handle_line(buf);
        buf.clear();
      }
      start = i + 1;
    }
    if (!skipping) buf.append(chunk + start, static_cast<size_t>(n) - start);
    if (buf.size() > kMaxFeedLineBytes) {
      ParseError e;
      e.reason = FeedParseReason::kLineTooLong;
      e.detail = "line over 1 MiB";
      if (dead_) dead_->write(cfg_.name, feed_parse_reason_name(e.reason), buf.substr(0, 4096), to_ms(clock_.now()));
      if (cb_.parse_error) cb_.parse_error(e);
      buf.clear();
      skipping = true;
    }
  }
}

void TcpFeedClient::handle_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;
  lines_.fetch_add(1, std::memory_order_relaxed);
  int64_t read_ns = monotonic_ns();
  ParseResult r = parser_.parse(line);
  if (r.ok()) {
    if (cb_.message) cb_.message(std::move(r.message()), read_ns);
    return;
  }
  const ParseError& e = r.error();
  if (dead_)
    dead_->write(e.producer.empty() ? cfg_.name : e.producer, feed_parse_reason_name(e.reason), line,
                 to_ms(clock_.now()));
  if (cb_.parse_error) cb_.parse_error(e);
}

}  // namespace inplay
