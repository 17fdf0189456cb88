// What the simulated world's tests share: waiting for something a server
// thread does.
#pragma once
#include <chrono>
#include <thread>

namespace inplay::sim_test {

// Polls pred every 5 ms until it holds or 10 s pass; its last answer.
template <class Pred>
bool eventually(Pred pred) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

}  // namespace inplay::sim_test
