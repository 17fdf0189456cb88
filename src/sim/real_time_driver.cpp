#include "sim/real_time_driver.h"

#include <pthread.h>

#include "sim/feed_provider.h"

namespace inplay {

RealTimeDriver::RealTimeDriver(FeedProvider& provider, Clock& clock, std::chrono::milliseconds period)
    : provider_(provider), clock_(clock), period_(period) {}

RealTimeDriver::~RealTimeDriver() { stop(); }

void RealTimeDriver::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lk(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void RealTimeDriver::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RealTimeDriver::run() {
  pthread_setname_np(pthread_self(), "sim-feed-tick");
  std::unique_lock lk(mu_);
  while (!stopping_) {
    lk.unlock();
    provider_.tick(to_ms(clock_.now()));
    lk.lock();
    cv_.wait_for(lk, period_, [this] { return stopping_; });
  }
}

}  // namespace inplay
