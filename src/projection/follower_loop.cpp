#include "projection/follower_loop.h"

#include <pthread.h>

#include <algorithm>

namespace inplay {

FollowerLoop::FollowerLoop(std::string thread_name, std::chrono::milliseconds poll,
                           std::chrono::milliseconds backoff_min, std::chrono::milliseconds backoff_max,
                           Hooks hooks)
    : name_(std::move(thread_name)),
      poll_(poll),
      backoff_min_(backoff_min),
      backoff_max_(backoff_max),
      hooks_(std::move(hooks)) {}

FollowerLoop::~FollowerLoop() { stop(); }

void FollowerLoop::start() {
  std::lock_guard lk(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  poked_ = true;  // first pass at once
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
    run();
  });
}

void FollowerLoop::poke() {
  {
    std::lock_guard lk(mu_);
    poked_ = true;
  }
  cv_.notify_one();
}

void FollowerLoop::stop() {
  std::thread t;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    t = std::move(thread_);
  }
  cv_.notify_one();
  if (t.joinable()) t.join();
}

void FollowerLoop::run() {
  std::chrono::milliseconds backoff{0};
  uint64_t failures = 0;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      if (backoff.count() > 0) {
        // A back-off is not cut short by pokes, only by stop().
        cv_.wait_for(lk, backoff, [&] { return stopping_; });
      } else {
        cv_.wait_for(lk, poll_, [&] { return stopping_ || poked_; });
      }
      if (stopping_) return;
      poked_ = false;
    }
    std::exception_ptr failure;
    try {
      hooks_.pass();
    } catch (...) {
      failure = std::current_exception();
    }
    passes_.fetch_add(1, std::memory_order_release);
    if (!failure) {
      if (failures > 0 && hooks_.recovered) hooks_.recovered(failures);
      failures = 0;
      backoff = std::chrono::milliseconds{0};
      continue;
    }
    ++failures;
    backoff = backoff.count() == 0 ? backoff_min_ : std::min(backoff * 2, backoff_max_);
    if (hooks_.failed) hooks_.failed(failure, failures, backoff);
  }
}

}  // namespace inplay
