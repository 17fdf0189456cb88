// Offload: one worker thread for the API's heavy reads — rendering /metrics,
// searching and breaking down traces — so that a flood of them never holds
// the I/O thread that serves bets. A bounded queue: when it is full the work
// runs inline on the caller's thread (as before there was a worker: no new
// status code), and http_offload_total{result} counts both. Any thread.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "telemetry/metrics.h"

namespace inplay {

class Offload {
 public:
  Offload(MetricsRegistry& metrics, size_t capacity = 64);
  ~Offload();  // finishes the queued work, then stops
  Offload(const Offload&) = delete;

  // Runs fn on the worker, or here when the queue is full.
  void run(std::function<void()> fn);

 private:
  void loop();
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  Counter* offloaded_;
  Counter* inline_;
  std::thread thread_;
};

}  // namespace inplay
