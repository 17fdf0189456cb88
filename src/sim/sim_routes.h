// Sim routes: the fault hooks of a simulated book, added to its API only
// when the book runs simulated (a simulated clock or the simulated world) —
// fault injection beside the path it breaks, never in a real book's API:
//   POST /v1/sim/feeds/{name}/faults      a simulated provider's faults
//                                         (latency, jitter, drops, stall,
//                                         schema skew...; absent fields stay)
//   POST /v1/sim/venue/faults             the simulated exchange's faults
//                                         (latency_ms, jitter_ms, error_rate,
//                                         reject_rate, fill_ratio, down)
//   GET  /v1/sim/venue/orders             the exchange's own record of orders
//   POST /v1/sim/psps/{route}/faults      a simulated PSP's faults (sim/psp_server.h)
//   GET  /v1/sim/psps/{route}/transactions  the PSP's own record
//   GET  /v1/sim/psps/{route}/settlement-report  its T+0 report (CSV)
//   POST /v1/sim/kyc/{vendor}/faults      a simulated KYC vendor's faults (sim/kyc_vendor.h)
//   GET  /v1/sim/kyc/{vendor}/screenings  the vendor's own record
//   POST /v1/admin/faults/engine-stall    burns the engine thread for up to
//                                         10 s, as a CPU-starved risk engine
//                                         would: requests queue behind it
//                                         and, past the inbox, are shed
//   POST /v1/admin/faults/engine-throw    a task that throws on the engine
//                                         thread: refused (500 INTERNAL)
//                                         with a log line, the book lives on
// Operator only; routes are added before the server starts.
#pragma once
#include <vector>

#include "engine/engine.h"
#include "http/api.h"
#include "sim/exchange_venue.h"
#include "sim/kyc_vendor.h"
#include "sim/psp_server.h"
#include "sim/sim_world.h"

namespace inplay {

// world: nullptr when the book has no simulated world (then only the
// engine stall and throw are added); venue: nullptr without the exchange.
// psps: the simulated PSPs (none: no PSP routes); kyc: the simulated KYC
// vendors (none: no KYC vendor routes).
void add_sim_routes(Api& api, Engine& engine, SimWorld* world, ExchangeVenue* venue = nullptr,
                    std::vector<PspServer*> psps = {}, std::vector<KycVendor*> kyc = {});

}  // namespace inplay
