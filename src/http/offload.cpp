#include "http/offload.h"

#include <pthread.h>

namespace inplay {

Offload::Offload(MetricsRegistry& metrics, size_t capacity) : capacity_(capacity) {
  auto& f = metrics.counter("http_offload_total",
                            "Heavy API reads (/metrics, trace queries) by where they ran: the offload worker, "
                            "or inline on the I/O thread when its queue was full",
                            {"result"});
  offloaded_ = &f.with({"offloaded"});
  inline_ = &f.with({"inline"});
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "http-offload");
    loop();
  });
}

Offload::~Offload() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Offload::run(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!stopping_ && queue_.size() < capacity_) {
      queue_.push_back(std::move(fn));
      offloaded_->inc();
      cv_.notify_one();
      return;
    }
  }
  inline_->inc();
  fn();
}

void Offload::loop() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    fn();
  }
}

}  // namespace inplay
