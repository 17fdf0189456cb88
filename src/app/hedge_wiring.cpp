// Hedging wiring (contract in app/hedge_wiring.h).
#include "app/hedge_wiring.h"

#include <stdexcept>

#include "app/config.h"
#include "app/runtime_extension.h"
#include "hedge/hedge_desk.h"
#include "telemetry/log.h"

namespace inplay {

std::unique_ptr<HedgeVenueClient> connect_hedge_venue(const Config& cfg, const RuntimeExtension* ext, HedgeDesk& desk) {
  if (cfg.sim_clock)
    throw std::runtime_error("hedging: the venue answers in real time; a book on the simulated clock cannot hedge");
  std::string url = cfg.hedge_venue_url;
  if (url == "sim") url = ext ? ext->hedge_venue_url() : "";
  if (url.empty())
    throw std::runtime_error("hedging.venue_url: sim needs the simulated world (sim_world: true); else http://host:port");
  auto port = std::make_unique<HedgeVenueClient>(url, cfg.engine.hedging.timeout);
  port->start();
  desk.set_port(port.get());
  desk.resume();
  log::info("runtime", "hedging on", {{"venue", cfg.engine.hedging.venue}, {"url", url},
                                      {"threshold", cfg.engine.hedging.threshold_minor}});
  return port;
}

}  // namespace inplay
