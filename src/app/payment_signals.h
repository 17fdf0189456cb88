// Payment signals: what the incident loop samples of the PSP routes each
// tick (engine thread) — docs/observability.md, config/slos.yaml:
//   duplicate_tx{psp_route}                 book payments the route's PSP holds more than once
//                                           (last reconciliation; alert wallet_duplicate_tx)
//   payment_reconciliation_mismatches{psp_route}  every mismatch of the last reconciliation
//                                           (alert payment_reconciliation_mismatches, a ticket)
//   psp_timeouts_sigma{psp_route}           failed PSP calls a minute against the route's own
//                                           last hour (payment/psp_failure_baseline.h; alert psp_timeouts)
//   SLI wallet_tx_unique, per psp_route     good: book payments the PSP holds exactly once;
//                                           valid: book payments the PSP holds (SLO wallet_duplicate_tx)
// Before the incident loop starts.
#pragma once
#include <vector>

namespace inplay {

class IncidentLoop;
class PspClient;
class ReconciliationBoard;

void feed_payment_signals(IncidentLoop& loop, const ReconciliationBoard& board, std::vector<const PspClient*> routes);

}  // namespace inplay
