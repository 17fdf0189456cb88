// Hedging wiring (CO-4): the venue's client as the hedge desk's port. The
// Runtime owns what it returns and keeps the order of start and stop
// (app/runtime.cpp).
//
// connect_hedge_venue(): hedging.venue_url ("sim": the simulated world's
// exchange; none there throws), the client started and given to the desk;
// the orders a restart left unanswered go again (under their ids). A book
// on the simulated clock cannot hedge (the venue answers in real time):
// throws. Before the engine thread runs (the calling thread acts as it).
#pragma once
#include <memory>

#include "app/hedge_venue_client.h"

namespace inplay {

struct Config;
class HedgeDesk;
class RuntimeExtension;

std::unique_ptr<HedgeVenueClient> connect_hedge_venue(const Config& cfg, const RuntimeExtension* ext, HedgeDesk& desk);

}  // namespace inplay
