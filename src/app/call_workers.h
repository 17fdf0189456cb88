// CallWorkers: a few threads that make blocking calls to partners (a PSP, an
// exchange venue) off the engine and the HTTP threads. post() queues a job
// and returns at once — false when the queue is full or stopping, so the
// caller answers "not sent" itself; stop() runs every job still queued with
// `cancelled = true` (it must answer without calling out) and joins.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace inplay {

class CallWorkers {
 public:
  using Job = std::function<void(bool cancelled)>;
  CallWorkers(int threads, size_t max_queue);
  ~CallWorkers();
  CallWorkers(const CallWorkers&) = delete;
  void start();
  void stop();
  bool post(Job job);
  size_t queued() const;

 private:
  void run();
  int threads_;
  size_t max_queue_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace inplay
