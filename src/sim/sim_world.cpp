#include "sim/sim_world.h"

namespace inplay {

SimWorld::SimWorld(SimWorldConfig cfg) : cfg_(std::move(cfg)) {
  for (const auto& r : cfg_.roles) {
    FeedProviderConfig pc;
    pc.producer = r.producer;
    pc.matches = cfg_.matches;
    pc.seed = cfg_.seed;
    pc.noise = r.noise;
    pc.latency_ms = r.latency_ms;
    pc.refresh_ms = cfg_.refresh_ms;
    providers_.push_back(std::make_unique<FeedProvider>(pc));
  }
}

SimWorld::~SimWorld() { stop(); }

void SimWorld::start(Engine& engine, Clock& clock) {
  for (auto& p : providers_) p->start();
  if (clock.simulated()) {
    for (auto& p : providers_) {
      FeedProvider* raw = p.get();
      raw->tick(to_ms(clock.now()));
      // tick() only queues output for the provider's own I/O thread.
      ticks_.push_back(engine.every(std::chrono::milliseconds(cfg_.tick_ms),
                                    [&engine, raw] { raw->tick(to_ms(engine.clock().now())); }));
    }
  } else {
    for (auto& p : providers_) {
      drivers_.push_back(
          std::make_unique<RealTimeDriver>(*p, clock, std::chrono::milliseconds(cfg_.tick_ms)));
      drivers_.back()->start();
    }
  }
}

void SimWorld::stop() {
  for (auto& d : drivers_) d->stop();
  drivers_.clear();
  for (auto& p : providers_) p->stop();
}

FeedProvider* SimWorld::provider(const std::string& feed_name) {
  for (size_t i = 0; i < cfg_.roles.size(); ++i)
    if (cfg_.roles[i].feed_name == feed_name) return providers_[i].get();
  return nullptr;
}

uint16_t SimWorld::port(const std::string& feed_name) {
  FeedProvider* p = provider(feed_name);
  return p ? p->port() : 0;
}

}  // namespace inplay
