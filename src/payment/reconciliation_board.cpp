#include "payment/reconciliation_board.h"

namespace inplay {

ReconciliationBoard::ReconciliationBoard(std::vector<std::string> routes) {
  for (auto& r : routes) {
    RouteReconciliation rr;
    rr.route = std::move(r);
    routes_.push_back(std::move(rr));
  }
}

RouteReconciliation* ReconciliationBoard::find(const std::string& route) {
  for (auto& r : routes_)
    if (r.route == route) return &r;
  return nullptr;
}

void ReconciliationBoard::record_ok(const std::string& route, int64_t at_ms, int64_t took_ms, Reconciliation r) {
  std::lock_guard lk(mu_);
  RouteReconciliation* to = find(route);
  if (!to) return;
  ++to->runs_ok;
  to->ran_at_ms = at_ms;
  to->took_ms = took_ms;
  to->error.clear();
  to->has_result = true;
  to->result = std::move(r);
}

void ReconciliationBoard::record_failed(const std::string& route, int64_t at_ms, int64_t took_ms, std::string error) {
  std::lock_guard lk(mu_);
  RouteReconciliation* to = find(route);
  if (!to) return;
  ++to->runs_failed;
  to->ran_at_ms = at_ms;
  to->took_ms = took_ms;
  to->error = std::move(error);
}

void ReconciliationBoard::set_runner(Runner run) {
  std::lock_guard lk(mu_);
  runner_ = std::move(run);
}

std::vector<RouteReconciliation> ReconciliationBoard::routes() const {
  std::lock_guard lk(mu_);
  return routes_;
}

void ReconciliationBoard::each(const std::function<void(const RouteReconciliation&)>& fn) const {
  std::lock_guard lk(mu_);
  for (const auto& r : routes_) fn(r);
}

uint64_t ReconciliationBoard::duplicates() const {
  std::lock_guard lk(mu_);
  uint64_t n = 0;
  for (const auto& r : routes_) n += r.result.duplicates;
  return n;
}

bool ReconciliationBoard::run_now(std::function<void()> done) const {
  Runner run;
  {
    std::lock_guard lk(mu_);
    run = runner_;
  }
  if (!run) return false;
  run(std::move(done));
  return true;
}

}  // namespace inplay
