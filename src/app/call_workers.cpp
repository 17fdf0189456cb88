#include "app/call_workers.h"

#include <algorithm>

namespace inplay {

CallWorkers::CallWorkers(int threads, size_t max_queue) : threads_(std::max(1, threads)), max_queue_(max_queue) {}

CallWorkers::~CallWorkers() { stop(); }

void CallWorkers::start() {
  std::lock_guard<std::mutex> lk(mu_);
  stopping_ = false;
  for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { run(); });
}

void CallWorkers::stop() {
  std::deque<Job> left;
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
    left.swap(queue_);
    workers.swap(workers_);
  }
  cv_.notify_all();
  for (auto& t : workers) t.join();
  for (Job& j : left) j(true);
}

bool CallWorkers::post(Job job) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (stopping_ || workers_.empty() || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

size_t CallWorkers::queued() const {
  std::lock_guard<std::mutex> lk(mu_);
  return queue_.size();
}

void CallWorkers::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(false);
  }
}

}  // namespace inplay
