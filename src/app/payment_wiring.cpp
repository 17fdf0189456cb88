// Payment wiring (contract in app/payment_wiring.h).
#include "app/payment_wiring.h"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "app/config.h"
#include "app/payment_signals.h"
#include "app/runtime_extension.h"
#include "core/clock.h"
#include "engine/engine.h"
#include "payment/auth_failure_window.h"
#include "payment/payment_desk.h"
#include "playbook/incident_loop.h"
#include "telemetry/log.h"
#include "telemetry/metrics.h"
#include "telemetry/pseudonym.h"

namespace inplay {

std::vector<std::pair<std::string, std::string>> psp_callback_secrets(const Config& cfg) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const PspRouteTerms& t : cfg.payments.routes) out.emplace_back(t.name, t.callback_secret);
  return out;
}

PaymentRoutes connect_payment_routes(const Config& cfg, const RuntimeExtension* ext, Engine& engine, Clock& clock,
                                     MetricsRegistry& metrics, PaymentDesk& desk) {
  PaymentRoutes out;
  std::vector<PspPort*> ports;
  std::vector<Reconciler::Route> reports;
  std::vector<std::string> names;
  for (const PspRouteTerms& t : cfg.payments.routes) {
    std::string url = t.url;
    if (url == "sim") url = ext ? ext->psp_url(t.name) : "";
    if (url.empty())
      throw std::runtime_error(fmt::format("payments.routes[{}].url: sim needs the simulated world; else http://host:port", t.name));
    out.clients.push_back(
        std::make_unique<PspClient>(t, url, metrics, cfg.payments.breaker_on_book_clock ? &clock : nullptr));
    PspClient* c = out.clients.back().get();
    c->start();
    ports.push_back(c);
    reports.push_back({t.name, url});
    names.push_back(t.name);
    log::info("runtime", "payment route", {{"route", t.name}, {"url", url}});
  }
  out.reconciliation = std::make_unique<ReconciliationBoard>(std::move(names));
  out.reconciler = std::make_unique<Reconciler>(
      engine, clock, *out.reconciliation, metrics, std::move(reports),
      std::chrono::duration_cast<std::chrono::milliseconds>(cfg.payments.reconcile_every), cfg.engine.currency.code(),
      10000);
  desk.set_routes(std::move(ports), cfg.payments.active,
                  [p = Pseudonymizer(cfg.pseudonym_secret)](std::string_view a) { return p.mask(a); });
  desk.resume();
  return out;
}

void watch_payments(IncidentLoop& loop, PaymentDesk& desk, const PaymentRoutes& routes, const Clock& book_clock) {
  // Engine thread only: the windows live in the source.
  auto windows = std::make_shared<std::map<std::string, AuthFailureWindow, std::less<>>>();
  loop.add_signal_source([desk = &desk, windows, clock = &book_clock](std::vector<SignalSample>& out) {
    if (!desk->enabled()) return;
    // The book's clock: in a game day a minute of book time, however fast
    // the day runs (the drill settles each second's calls before it moves).
    const int64_t now = to_ns(clock->now());
    desk->each_route_auth([&](const PaymentDesk::RouteAuth& r) {
      out.push_back(SignalSample{"psp_route_unavailable", {{"psp_route", r.name}}, r.available ? 0.0 : 1.0, true});
      auto w = windows->find(r.name);
      if (w == windows->end()) w = windows->emplace(r.name, AuthFailureWindow{}).first;
      const double ratio = w->second.observe(now, r.auth_good, r.auth_valid);
      out.push_back(SignalSample{"psp_auth_failure_ratio", {{"psp_route", r.name}}, ratio, true});
    });
  });
  if (routes.reconciliation) {
    std::vector<const PspClient*> clients;
    for (auto& c : routes.clients) clients.push_back(c.get());
    feed_payment_signals(loop, *routes.reconciliation, std::move(clients));
  }
  loop.add_totals_source([desk = &desk](std::vector<IncidentLoop::TotalsSample>& out) {
    if (!desk->enabled()) return;
    desk->each_route_auth([&](const PaymentDesk::RouteAuth& r) {
      out.push_back(IncidentLoop::TotalsSample{"wallet_auth", r.name, r.auth_good, r.auth_valid});
    });
  });
}

}  // namespace inplay
