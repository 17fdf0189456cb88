#include "gameday/psp_drill.h"

#include <fmt/format.h>

#include <future>
#include <memory>
#include <thread>

#include "engine/engine.h"
#include "payment/payment_desk.h"
#include "payment/reconciliation_board.h"
#include "sim/sim_extension.h"

namespace inplay {

namespace {

// The fields `p` sets, as they are in `now`.
PspFaultPatch as_before(const PspFaultPatch& p, const PspFaults& now) {
  PspFaultPatch r;
  if (p.latency_ms) r.latency_ms = now.latency_ms;
  if (p.jitter_ms) r.jitter_ms = now.jitter_ms;
  if (p.error_rate) r.error_rate = now.error_rate;
  if (p.timeout_rate) r.timeout_rate = now.timeout_rate;
  if (p.hang_ms) r.hang_ms = now.hang_ms;
  if (p.decline_rate) r.decline_rate = now.decline_rate;
  if (p.async_rate) r.async_rate = now.async_rate;
  if (p.callback_delay_ms) r.callback_delay_ms = now.callback_delay_ms;
  if (p.duplicate_callback_rate) r.duplicate_callback_rate = now.duplicate_callback_rate;
  if (p.out_of_order_rate) r.out_of_order_rate = now.out_of_order_rate;
  if (p.down) r.down = now.down;
  return r;
}

}  // namespace

PspDrill::PspDrill(SimExtension& sim, Engine& engine, PaymentDesk& desk, ReconciliationBoard* board)
    : sim_(sim), engine_(engine), desk_(desk), board_(board) {}

template <class Fn>
void PspDrill::on_engine(Fn fn) {
  std::promise<void> done;
  while (!engine_.submit([&] {
    fn();
    done.set_value();
  }))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  done.get_future().wait();
}

void PspDrill::apply(const ScenarioFault& f) {
  PspServer* psp = sim_.psp(f.route);
  if (!psp) return;  // the scenario's parser allows only the book's routes
  active_.push_back(Active{f.at_s + f.for_s, f.route, as_before(f.psp, psp->faults())});
  psp->apply(f.psp);
}

std::vector<std::string> PspDrill::clear_due(int64_t t_s) {
  std::vector<std::string> cleared;
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->until_s > t_s) {
      ++it;
      continue;
    }
    if (PspServer* psp = sim_.psp(it->route)) psp->apply(it->restore);
    cleared.push_back(fmt::format("psp {}: fault cleared", it->route));
    it = active_.erase(it);
  }
  return cleared;
}

bool PspDrill::settle(GamedayRecord& rec, std::chrono::milliseconds bound) {
  const auto give_up = std::chrono::steady_clock::now() + bound;
  for (;;) {
    size_t outstanding = 0;
    on_engine([&] { outstanding = desk_.calls_outstanding(); });
    if (outstanding == 0) return true;
    if (std::chrono::steady_clock::now() >= give_up) {
      ++rec.payments.settle_cut;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

bool PspDrill::reconcile() {
  if (!board_) return false;
  auto done = std::make_shared<std::promise<void>>();
  auto f = done->get_future();
  if (!board_->run_now([done] { done->set_value(); })) return false;
  return f.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
}

void PspDrill::finish(GamedayRecord& rec) {
  rec.payments.on = true;
  // Every payment still without its PSP's word (timed out, pending) is
  // asked about — never charged again — so the reconciliation below
  // compares final states where the PSP has them.
  on_engine([&] { desk_.reconcile(); });
  settle(rec);
  const bool ran = reconcile();
  on_engine([&] {
    for (const PaymentDesk::RouteSeen& r : desk_.routes_seen()) {
      PaymentRouteRecord pr;
      pr.route = r.name;
      pr.sent = r.sent;
      pr.authorised = r.authorised;
      pr.declined = r.declined;
      pr.failed = r.failed;
      rec.payments.routes.push_back(std::move(pr));
    }
    rec.payments.unresolved = engine_.state().payments.unresolved().size();
  });
  if (!board_) return;
  for (const RouteReconciliation& rr : board_->routes())
    for (PaymentRouteRecord& pr : rec.payments.routes) {
      if (pr.route != rr.route) continue;
      pr.reconciled = ran && rr.has_result && rr.error.empty();
      pr.error = !ran ? "no reconciliation finished within 30 s" : rr.error;
      if (!rr.has_result) continue;
      const Reconciliation& x = rr.result;
      pr.rows = x.rows;
      pr.held = x.held;
      pr.duplicates = x.duplicates;
      pr.mismatches = x.mismatches.size();
      pr.unsettled = x.unsettled;
    }
}

}  // namespace inplay
