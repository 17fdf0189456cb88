// RealTimeDriver: calls provider.tick(to_ms(clock.now())) every `period` on
// its own thread ("sim-feed-tick") — the one place a simulator thread sleeps
// between ticks. On a simulated clock the engine's timers tick the providers
// instead (sim/sim_world.cpp).
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/clock.h"

namespace inplay {

class FeedProvider;

class RealTimeDriver {
 public:
  RealTimeDriver(FeedProvider& provider, Clock& clock, std::chrono::milliseconds period);
  ~RealTimeDriver();  // stop()s
  void start();
  void stop();

 private:
  void run();
  FeedProvider& provider_;
  Clock& clock_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace inplay
