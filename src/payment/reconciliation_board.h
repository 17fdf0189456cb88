// ReconciliationBoard: the last reconciliation of each PSP route (WAL-2,
// WAL-4), written by the reconciler's thread (app/reconciler.h) and read by
// the HTTP routes, the war room and the incident loop's signal sources.
// A failed run (the report could not be fetched or read) keeps the last
// good result beside the error: a PSP that is down does not make its
// duplicates disappear. run_now() asks the reconciler for a run and calls
// `done` (on the reconciler's thread) once a run that started after the
// ask has finished. Thread-safe.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "payment/reconciliation.h"

namespace inplay {

struct RouteReconciliation {
  std::string route;
  uint64_t runs_ok = 0, runs_failed = 0;
  int64_t ran_at_ms = 0;  // the book's clock at the end of the last run (0: never ran)
  int64_t took_ms = 0;    // the last run, fetch included (real time)
  std::string error;      // the last run's failure ("": it worked)
  bool has_result = false;
  Reconciliation result;  // the last good run
};

class ReconciliationBoard {
 public:
  explicit ReconciliationBoard(std::vector<std::string> routes);

  // The reconciler's thread.
  void record_ok(const std::string& route, int64_t at_ms, int64_t took_ms, Reconciliation r);
  void record_failed(const std::string& route, int64_t at_ms, int64_t took_ms, std::string error);
  using Runner = std::function<void(std::function<void()> done)>;
  void set_runner(Runner run);

  // Any thread.
  std::vector<RouteReconciliation> routes() const;  // in config order
  // Reads each route in place, under the board's lock (no copy of the
  // mismatches): fn must be quick and must not call the board.
  void each(const std::function<void(const RouteReconciliation&)>& fn) const;
  // Book payments held more than once by their PSP, over every route's last good run.
  uint64_t duplicates() const;
  // false: no reconciler runs (no routes, stopping); done is not called.
  bool run_now(std::function<void()> done) const;

 private:
  RouteReconciliation* find(const std::string& route);
  mutable std::mutex mu_;
  std::vector<RouteReconciliation> routes_;
  Runner runner_;
};

}  // namespace inplay
