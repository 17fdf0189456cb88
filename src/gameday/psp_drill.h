// PspDrill: the payment side of a game day (issue 16 item 6, REL-2) — a
// scenario's `psp` faults played on the simulated PSPs of the book's two
// routes, and the clock rule that keeps such a drill reproducible.
//
// The clocks. A game day moves the simulated clock one book second per
// step, as fast as the engine goes; the PSP calls do not: they run in real
// time on the PSP client's worker threads, each bounded by its route's
// timeout. Left alone, a slow PSP would answer some seconds of book time
// later on one run than on the next — or never before the day ends. So the
// runner calls settle() before every step: it waits (real time) until no
// payment's call is outstanding, then the clock moves. Every call sent in
// one book second is answered in that second (the clock stands still while
// it waits), the incident loop samples the routes at the next tick, and the
// same seed gives the same breaker openings, alerts and route switches. A
// fault only slows the run by what its calls cost (attempts x timeout, per
// second that sends to the faulty route). The breakers' open time runs on
// the book's clock too (PaymentTerms::breaker_on_book_clock): a breaker
// open for 10 s stays open for 10 s of book time, however fast the day runs.
//
// Reconciliation keeps book time as well: the book's own loop (real time)
// is stretched out of the day, and reconcile() runs one pass of every route
// and waits for it — the runner calls it every 30 s of book time, so the
// duplicate_tx signal and the wallet_tx_unique SLI move at the same book
// seconds on every run.
//
// apply() patches the route's simulated PSP at the fault's second;
// clear_due() puts back, after its `for`, each field the fault changed as
// it was before. finish() asks the PSPs for every payment still without
// their word, waits for the answers, then runs a T+0 reconciliation of
// every route (app/reconciler.h) and records what each route saw and the
// reconciliation found (GamedayRecord::payments).
//
// Threading: the runner's thread; it reads the book through engine tasks.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gameday/gameday_record.h"
#include "gameday/scenario.h"

namespace inplay {

class Engine;
class PaymentDesk;
class ReconciliationBoard;
class SimExtension;

class PspDrill {
 public:
  PspDrill(SimExtension& sim, Engine& engine, PaymentDesk& desk, ReconciliationBoard* board);

  void apply(const ScenarioFault& f);
  // Clears the faults whose `for` has run out by second t; returns what
  // each clearing did (for the report's marks).
  std::vector<std::string> clear_due(int64_t t_s);
  // Waits until no payment's PSP call is outstanding, at most `bound` of
  // real time; false (and counted in rec.payments.settle_cut) if it was cut.
  bool settle(GamedayRecord& rec, std::chrono::milliseconds bound = std::chrono::seconds(30));
  // One T+0 reconciliation of every route, waited for (at most 30 s real);
  // false if none finished.
  bool reconcile();
  // The end of the day, before the engine stops.
  void finish(GamedayRecord& rec);

 private:
  struct Active {
    int64_t until_s;
    std::string route;
    PspFaultPatch restore;  // the fields the fault changed, as they were before it
  };
  template <class Fn>
  void on_engine(Fn fn);

  SimExtension& sim_;
  Engine& engine_;
  PaymentDesk& desk_;
  ReconciliationBoard* board_;
  std::vector<Active> active_;
};

}  // namespace inplay
