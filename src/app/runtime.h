// Runtime: one running book — clock, journal, engine, price source, SQLite
// projection, HTTP API — wired from a Config, started and stopped in order.
//
// start(): opens the journal (a corrupt journal throws JournalCorrupt and
// nothing starts), builds the book from config, replays the journal, opens
// prices, seeds demo accounts (idempotent deposits), starts the engine, the
// projection and the HTTP server, and only then reports ready (/readyz).
// stop(): the reverse; every acknowledged response has been journaled.
//
// A standby (Config::standby, Kafka journal only): start() serves the
// standby's answers (app/standby_handler.h) on the book's port, tells
// on_standby() the port, and replays the leader's journal as it grows
// until the leader's lease runs out; then it fences the leader, reads the
// rest, and goes on as any start does: the book's API on the same port, as
// the leader. A stop requested meanwhile throws StandbyStopped.
//
// request_stop() (any thread: a signal; the journal when Kafka fenced this
// book) ends wait_for_stop() with its exit code; the caller then stop()s.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "app/config.h"
#include "core/clock.h"

namespace inplay {

class Engine;
struct BookDesks;
class FeedDesk;
class IncidentLoop;
class RuntimeExtension;
class MetricsRegistry;
class ReconciliationBoard;
class Tracer;

// The exit code of a book Kafka fenced: another book took its journal.
inline constexpr int kExitFenced = 4;

class Runtime {
 public:
  // ext: what is plugged in beside the core (the simulated world), or none.
  explicit Runtime(Config cfg, std::unique_ptr<RuntimeExtension> ext = {});
  ~Runtime();
  // Returns the bound HTTP port. Throws on a bad journal or a busy port.
  uint16_t start();
  void stop();
  // Before start(): called with the bound port once a standby serves its
  // standby answers (start() blocks until it takes over).
  void on_standby(std::function<void(uint16_t port)> fn);
  // Any thread; the first call's code wins.
  void request_stop(int exit_code);
  // Blocks until request_stop(); returns its exit code.
  int wait_for_stop();

  Engine& engine();
  BookDesks& desks();  // the book's market, wallet and placement desks
  Clock& clock();
  SimClock* sim_clock();  // nullptr on the real clock
  MetricsRegistry& metrics();
  Tracer& tracer();
  const Config& config() const;
  uint64_t replayed_records() const;
  FeedDesk* feed_desk();  // nullptr without feeds
  IncidentLoop* incidents();  // nullptr when incidents.enabled is false
  // Each PSP route's last reconciliation; run_now() asks for one (nullptr
  // until start(), and without payment routes).
  ReconciliationBoard* reconciliation();
  std::string startup_state_hash() const;

 private:
  void start_feeds();
  void start_incident_loop();
  void serve_standby();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Builds the engine's book (events, markets, selections, staleness limits)
// from config. Used by Runtime and tests.
void build_book(const Config& cfg, class Book& book);

}  // namespace inplay
