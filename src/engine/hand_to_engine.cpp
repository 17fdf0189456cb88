// hand_to_engine (contract in engine/hand_to_engine.h).
#include "engine/hand_to_engine.h"

#include <chrono>
#include <thread>

namespace inplay {

namespace {
constexpr int kTries = 200;
constexpr std::chrono::milliseconds kWait{25};
}  // namespace

bool hand_to_engine(Engine& engine, const Engine::Task& task) {
  for (int tries = 0; tries < kTries; ++tries) {
    if (engine.submit(task)) return true;
    std::this_thread::sleep_for(kWait);
  }
  return false;
}

}  // namespace inplay
