// RuntimeExtension: what may be plugged into a Runtime beside the core — the
// simulated world of demos, tests and game days (sim/sim_extension.h) — at
// the few points where it joins the book. The core never includes it: a
// real book runs without one. The Runtime owns it (destroyed before the
// engine). Each hook is called once, in this order, from Runtime::start()
// (before the engine thread runs) and stop().
#pragma once
#include <string>
#include <vector>

#include "feed/feed_config.h"

namespace inplay {

class Api;
struct Config;
class Clock;
class DeadLetterFile;
class Engine;
class FeedDesk;
struct BookDesks;

class RuntimeExtension {
 public:
  virtual ~RuntimeExtension() = default;
  // Before the feed desk exists: start what the feeds connect to; may point
  // them at it (ports). cfg is the runtime's (it outlives the extension).
  virtual void start_world(const Config& cfg, Engine& engine, BookDesks& desks, Clock& clock,
                           std::vector<FeedConfig>& feeds) = 0;
  // After the feed desk: connect the feeds without sockets (the simulated
  // clock drives them); true when it did, so no TCP client is made.
  virtual bool connect_feeds(FeedDesk& desk, DeadLetterFile* dead_letters, Clock& clock,
                             const std::vector<FeedConfig>& feeds) = 0;
  // Once the API exists, before the server starts: extra routes.
  virtual void add_routes(Api& api, Engine& engine) = 0;
  // After start_world: the URL of the hedging venue the extension runs
  // (the simulated exchange), or "" when it runs none.
  virtual std::string hedge_venue_url() const { return {}; }
  // Before the payment routes and KYC vendors are made (with or without
  // feeds): start the simulated PSPs and vendors whose url is "sim".
  virtual void start_partners(const Config& /*cfg*/) {}
  // After start_partners: the URL of the simulated PSP it runs for a
  // payment route, or "" when it runs none.
  virtual std::string psp_url(const std::string& /*route*/) const { return {}; }
  // After start_partners: the URL of the simulated KYC vendor it runs for a
  // vendor of kyc.vendors, or "" when it runs none.
  virtual std::string kyc_url(const std::string& /*vendor*/) const { return {}; }
  // At stop, after the feed clients, before the server and the engine.
  virtual void stop() = 0;
};

}  // namespace inplay
