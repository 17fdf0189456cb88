// SimWorld: the simulated odds providers of `inplay demo` (and of tests and
// drills): a primary, a backup and a reference provider per sport, each a
// real TCP server speaking docs/feed-protocol.md, all playing the same
// matches (one world seed: the same goals) with their own price noise and
// latency. On the real clock a driver thread ticks them; on a simulated
// clock the engine's timers do, so simulated time drives the world too.
// Fault hooks are reached through provider(name).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "engine/engine.h"
#include "sim/feed_provider.h"

namespace inplay {

struct SimWorldConfig {
  std::string sport = "football";
  std::vector<SimMatchConfig> matches;
  uint64_t seed = 42;
  int64_t tick_ms = 100;
  // Every market's price is re-sent at least this often, changed or not.
  // Top in-play feeds confirm prices several times a second; at 200 ms the
  // RISK-2 confirmation wait after the in-play delay averages ~100 ms with a
  // p99 near 200 ms — the founding document's 180 ms baseline.
  int64_t refresh_ms = 200;
  // name suffix, producer, noise, latency for each role
  struct Role {
    std::string feed_name;  // matches the FeedConfig name the book connects with
    std::string producer;
    double noise = 0;
    int64_t latency_ms = 0;
  };
  std::vector<Role> roles;
};

class SimWorld {
 public:
  explicit SimWorld(SimWorldConfig cfg);
  ~SimWorld();
  // Starts the providers (ephemeral ports). With a simulated clock, ticks
  // come from engine.every() (so call this before the engine thread runs);
  // otherwise from a driver thread per provider.
  void start(Engine& engine, Clock& clock);
  void stop();
  // The provider serving a feed name, or nullptr.
  FeedProvider* provider(const std::string& feed_name);
  uint16_t port(const std::string& feed_name);
  const SimWorldConfig& config() const { return cfg_; }

 private:
  std::vector<TimerPtr> ticks_;  // simulated clock: one per provider
  SimWorldConfig cfg_;
  std::vector<std::unique_ptr<FeedProvider>> providers_;
  std::vector<std::unique_ptr<RealTimeDriver>> drivers_;
};

}  // namespace inplay
