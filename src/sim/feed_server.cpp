#include "sim/feed_server.h"

#include <pthread.h>

#include <deque>

namespace inplay {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One client connection: writes the broadcast stream in order, reads
// request lines. I/O thread only.
class FeedSession : public std::enable_shared_from_this<FeedSession> {
 public:
  FeedSession(tcp::socket s, FeedServer& owner) : sock_(std::move(s)), owner_(owner), buf_(1 << 20) {}

  void start() { read(); }

  void send(const std::shared_ptr<const std::string>& data) {
    if (closed_) return;
    backlog_ += data->size();
    if (backlog_ > owner_.max_client_backlog_bytes_) {
      close();
      return;
    }
    queue_.push_back(data);
    if (!writing_) write();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
    owner_.remove(shared_from_this());
  }

 private:
  void read() {
    asio::async_read_until(sock_, buf_, '\n',
                           [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                             if (ec) return self->close();
                             std::string line(asio::buffers_begin(self->buf_.data()),
                                              asio::buffers_begin(self->buf_.data()) + n);
                             self->buf_.consume(n);
                             self->owner_.on_line_(line);
                             self->read();
                           });
  }

  void write() {
    writing_ = true;
    asio::async_write(sock_, asio::buffer(*queue_.front()),
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        if (ec) return self->close();
                        self->backlog_ -= self->queue_.front()->size();
                        self->queue_.pop_front();
                        if (self->queue_.empty()) {
                          self->writing_ = false;
                        } else {
                          self->write();
                        }
                      });
  }

  tcp::socket sock_;
  FeedServer& owner_;
  asio::streambuf buf_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  size_t backlog_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

FeedServer::FeedServer(size_t max_client_backlog_bytes, std::function<void(std::string_view line)> on_line)
    : max_client_backlog_bytes_(max_client_backlog_bytes), on_line_(std::move(on_line)) {}

FeedServer::~FeedServer() { stop(); }

uint16_t FeedServer::listen(const std::string& address, uint16_t port) {
  tcp::endpoint ep(asio::ip::make_address(address), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  work_.emplace(asio::make_work_guard(io_));
  accept();
  return port_;
}

void FeedServer::run() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "sim-feed-io");
    io_.run();
  });
}

void FeedServer::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
    close_all();
  });
  work_.reset();
  thread_.join();
}

void FeedServer::broadcast(std::string batch) {
  auto data = std::make_shared<const std::string>(std::move(batch));
  asio::post(io_, [this, data] {
    auto copy = sessions_;  // a failing send removes itself
    for (const auto& s : copy) s->send(data);
  });
}

void FeedServer::disconnect_clients() {
  asio::post(io_, [this] { close_all(); });
}

void FeedServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
    if (!acceptor_.is_open()) return;
    if (!ec) {
      boost::system::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      auto session = std::make_shared<FeedSession>(std::move(s), *this);
      sessions_.insert(session);
      nclients_ = sessions_.size();
      session->start();
    }
    accept();
  });
}

void FeedServer::remove(const std::shared_ptr<FeedSession>& s) {
  sessions_.erase(s);
  nclients_ = sessions_.size();
}

void FeedServer::close_all() {
  auto copy = sessions_;
  for (const auto& s : copy) s->close();
}

}  // namespace inplay
