// FollowerLoop: the background loop of a journal follower (the SQLite
// projection, the audit projection). A named thread runs `pass` at once on
// start(), then every poll interval or when poke()d; when a pass throws it
// backs off (doubling from backoff_min to backoff_max; pokes do not cut a
// back-off short, only stop()) and reports the failure, then retries — a
// follower never skips a record and never crashes the process. start()
// after stop() works again. passes() counts the passes run (good or failed),
// so a caller can wait for the loop to have looked again instead of sleeping.
// Thread-safe.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace inplay {

class FollowerLoop {
 public:
  struct Hooks {
    std::function<void()> pass;
    // After a failed pass: the error, failures in a row, the wait before retrying.
    std::function<void(std::exception_ptr, uint64_t, std::chrono::milliseconds)> failed;
    // The first good pass after `failures` failed ones.
    std::function<void(uint64_t)> recovered;
  };
  FollowerLoop(std::string thread_name, std::chrono::milliseconds poll,
               std::chrono::milliseconds backoff_min, std::chrono::milliseconds backoff_max,
               Hooks hooks);
  ~FollowerLoop();
  void start();
  void poke();
  void stop();
  // Passes run so far (each pass, good or failed, counts once it ends).
  uint64_t passes() const { return passes_.load(std::memory_order_acquire); }

 private:
  void run();
  std::string name_;
  std::chrono::milliseconds poll_, backoff_min_, backoff_max_;
  Hooks hooks_;
  std::mutex mu_;  // guards the flags below
  std::condition_variable cv_;
  bool poked_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> passes_{0};
};

}  // namespace inplay
