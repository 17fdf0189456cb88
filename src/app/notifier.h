// Notifier: delivers alert notifications (webhook JSON, Alertmanager v2)
// off the engine thread. post() queues and returns at once; one thread
// POSTs each body to its URL with a short timeout and retries with backoff
// (3 attempts); a full queue drops the newest and counts it. Only loopback
// or configured URLs are ever called (the playbook file names them).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "telemetry/metrics.h"

namespace inplay {

class Notifier {
 public:
  explicit Notifier(MetricsRegistry& metrics, size_t max_queue = 1000);
  ~Notifier();
  void start();
  void stop();  // delivers what is queued (one attempt each), then stops
  void post(const std::string& url, const std::string& body);

 private:
  void run();
  bool deliver(const std::string& url, const std::string& body);
  size_t max_queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> queue_;
  bool stopping_ = false;
  std::thread thread_;
  Counter* sent_;
  Counter* failed_;
  Counter* dropped_;
};

}  // namespace inplay
