// KYC wiring (contract in app/kyc_wiring.h).
#include "app/kyc_wiring.h"

#include <fmt/format.h>

#include <stdexcept>

#include "app/config.h"
#include "app/runtime_extension.h"
#include "kyc/kyc_desk.h"
#include "playbook/incident_loop.h"
#include "telemetry/log.h"
#include "telemetry/pseudonym.h"

namespace inplay {

std::vector<std::unique_ptr<KycClient>> connect_kyc_vendors(const Config& cfg, const RuntimeExtension* ext,
                                                            MetricsRegistry& metrics, KycDesk& desk) {
  std::vector<std::unique_ptr<KycClient>> clients;
  std::vector<KycVendorPort*> ports;
  for (const KycVendorTerms& t : cfg.kyc.vendors) {
    std::string url = t.url;
    if (url == "sim") url = ext ? ext->kyc_url(t.name) : "";
    if (url.empty())
      throw std::runtime_error(fmt::format("kyc.vendors[{}].url: sim needs the simulated world; else http://host:port", t.name));
    clients.push_back(std::make_unique<KycClient>(t, url, metrics));
    KycClient* c = clients.back().get();
    c->start();
    ports.push_back(c);
    log::info("runtime", "kyc vendor", {{"vendor", t.name}, {"url", url}});
  }
  desk.set_vendors(cfg.kyc, std::move(ports),
                   [p = Pseudonymizer(cfg.pseudonym_secret)](std::string_view a) { return p.mask(a); });
  desk.resume();
  return clients;
}

void watch_kyc(IncidentLoop& loop, KycDesk& desk) {
  IncidentLoop* l = &loop;
  KycDesk* kyc = &desk;
  kyc->add_latency_observer([l](int64_t took_ns) { l->on_kyc_screening(took_ns); });
  loop.add_signal_source([kyc](std::vector<SignalSample>& out) {
    if (!kyc->enabled()) return;
    out.push_back(SignalSample{"kyc_backlog", {}, static_cast<double>(kyc->backlog()), true});
    for (const KycDesk::VendorSeen& v : kyc->vendors_seen())
      out.push_back(SignalSample{"kyc_vendor_error_ratio", {{"kyc_vendor", v.name}}, kyc->recent_error_ratio(v.name), true});
  });
}

}  // namespace inplay
