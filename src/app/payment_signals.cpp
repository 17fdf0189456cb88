#include "app/payment_signals.h"

#include <memory>

#include "app/psp_client.h"
#include "payment/psp_failure_baseline.h"
#include "payment/reconciliation_board.h"
#include "playbook/incident_loop.h"

namespace inplay {

void feed_payment_signals(IncidentLoop& loop, const ReconciliationBoard& board, std::vector<const PspClient*> routes) {
  const ReconciliationBoard* b = &board;
  loop.add_signal_source([b](std::vector<SignalSample>& out) {
    b->each([&](const RouteReconciliation& r) {
      if (!r.has_result) return;
      LabelSet labels{{"psp_route", r.route}};
      out.push_back(SignalSample{"duplicate_tx", labels, static_cast<double>(r.result.duplicates), true});
      out.push_back(SignalSample{"payment_reconciliation_mismatches", labels,
                                 static_cast<double>(r.result.mismatches.size()), true});
    });
  });
  loop.add_totals_source([b](std::vector<IncidentLoop::TotalsSample>& out) {
    b->each([&](const RouteReconciliation& r) {
      if (r.has_result)
        out.push_back(IncidentLoop::TotalsSample{"wallet_tx_unique", r.route, r.result.held_once, r.result.held});
    });
  });
  // Engine thread only: the baselines live in the source.
  auto baselines = std::make_shared<std::vector<PspFailureBaseline>>(routes.size());
  loop.add_signal_source([routes = std::move(routes), baselines](std::vector<SignalSample>& out) {
    const int64_t t = monotonic_ns();
    for (size_t i = 0; i < routes.size(); ++i) {
      PspFailureBaseline& base = (*baselines)[i];
      base.observe(t, routes[i]->calls_failed_total());
      out.push_back(SignalSample{"psp_timeouts_sigma", {{"psp_route", routes[i]->route()}}, base.sigma(), true});
    }
  });
}

}  // namespace inplay
