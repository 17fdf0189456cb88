// Reconciler: T+0 reconciliation of every PSP route (WAL-2, WAL-4,
// docs/payments.md "Reconciliation"), off the engine thread. A pass reads
// the book's payments as one engine task (a copy: the engine goes on at
// once), then fetches each route's settlement report (GET
// {url}/v1/settlement-report, bounded by `timeout_ms`) on the reconciler's
// own thread — the report is fetched after the book is read, so a payment
// the PSP settles meanwhile is `unsettled`, never missing — reconciles
// (payment/reconciliation.h) and posts the result to the board.
//
// Runs at start() (after the journal replay: the book's side is what the
// replay rebuilt), every `every` of real time (the PSPs' reports are in
// real time, the book's clock may be simulated), and when the board is
// asked (run_now). Series: payment_reconciliation_runs_total{route,result}
// (ok | failed), payment_reconciliation_mismatches{route,kind} and
// payment_duplicate_tx (book payments held more than once, every route).
// A run never changes the book. start() once the engine thread runs;
// stop() before the engine stops (asks still waiting are answered).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "engine/engine.h"
#include "payment/reconciliation_board.h"
#include "projection/follower_loop.h"
#include "telemetry/metrics.h"

namespace inplay {

class Reconciler {
 public:
  struct Route {
    std::string name;
    std::string url;  // http://host:port
  };
  Reconciler(Engine& engine, Clock& clock, ReconciliationBoard& board, MetricsRegistry& metrics,
             std::vector<Route> routes, std::chrono::milliseconds every, std::string currency, int timeout_ms);
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  void start();
  void stop();

 private:
  struct BookSide {
    bool ok = false;
    std::vector<Payment> payments;     // the route's and, for unknown_at_book, the others'
    std::set<uint64_t> authorised;     // the route's authorised payments
  };
  void pass();
  BookSide read_book(const std::string& route, bool copy);
  void run_route(const Route& r);
  void ask(std::function<void()> done);

  Engine& engine_;
  Clock& clock_;
  ReconciliationBoard& board_;
  const std::vector<Route> routes_;
  const std::string currency_;
  const int timeout_ms_;
  std::mutex mu_;
  std::vector<std::function<void()>> asked_;  // answered after the next pass
  bool stopped_ = true;
  Family<Counter>* runs_;
  Family<Gauge>* mismatches_;
  Gauge* duplicates_;
  std::unique_ptr<FollowerLoop> loop_;
};

}  // namespace inplay
