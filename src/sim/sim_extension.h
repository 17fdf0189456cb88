// SimExtension: the simulated world plugged into a Runtime
// (app/runtime_extension.h) — a book whose config has `sim_world: true` or a
// simulated clock. It owns the simulated providers (one per configured
// feed, all playing the configured matches), the crowd of bettors, the
// customers who write in to support (sim/support_crowd.h), the simulated
// exchange that takes hedge orders (hedging on, venue_url sim), the
// simulated PSPs of the payment routes and the simulated KYC vendors whose url is sim, and, on
// the simulated clock, the links that hand the providers' lines to the feed
// desk without sockets; it adds the fault hooks to the API
// (sim/sim_routes.h). The CLI and the game days make one; the core never
// names it. Engine thread for the world and crowd (their timers), except
// where noted.
#pragma once
#include <memory>
#include <vector>

#include "app/config.h"
#include "app/runtime_extension.h"
#include "sim/bettors.h"
#include "sim/exchange_venue.h"
#include "sim/local_feed_link.h"
#include "sim/kyc_vendor.h"
#include "sim/psp_server.h"
#include "sim/sim_world.h"
#include "sim/support_crowd.h"

namespace inplay {

class SimExtension final : public RuntimeExtension {
 public:
  SimExtension() = default;
  ~SimExtension() override;

  void start_world(const Config& cfg, Engine& engine, BookDesks& desks, Clock& clock,
                   std::vector<FeedConfig>& feeds) override;
  bool connect_feeds(FeedDesk& desk, DeadLetterFile* dead_letters, Clock& clock,
                     const std::vector<FeedConfig>& feeds) override;
  void add_routes(Api& api, Engine& engine) override;
  std::string hedge_venue_url() const override { return venue_ ? venue_->url() : std::string(); }
  void start_partners(const Config& cfg) override;
  std::string psp_url(const std::string& route) const override;
  std::string kyc_url(const std::string& vendor) const override;
  void stop() override;

  SimWorld* world() { return world_.get(); }        // nullptr without sim_world
  Bettors* bettors() { return bettors_.get(); }      // nullptr without a crowd
  ExchangeVenue* venue() { return venue_.get(); }    // nullptr unless hedging on the simulated exchange
  SupportCrowd* support_crowd() { return support_crowd_.get(); }  // nullptr without sim_world
  // The simulated PSP of a route whose url is sim (nullptr: none). Thread-safe.
  PspServer* psp(const std::string& route);
  // The simulated vendor of a KYC vendor whose url is sim (nullptr: none). Thread-safe.
  KycVendor* kyc_vendor(const std::string& vendor);

 private:
  std::unique_ptr<SimWorld> world_;
  std::unique_ptr<Bettors> bettors_;
  std::unique_ptr<ExchangeVenue> venue_;  // hedging.venue_url: sim
  std::unique_ptr<SupportCrowd> support_crowd_;  // sim_world; quiet at contacts_per_min 0
  std::vector<std::unique_ptr<LocalFeedLink>> links_;  // simulated clock: no sockets
  std::vector<std::unique_ptr<PspServer>> psps_;  // payments.routes with url: sim
  std::vector<std::unique_ptr<KycVendor>> kyc_vendors_;  // kyc.vendors with url: sim
};

// Whether a book runs simulated (and so gets a SimExtension).
inline bool runs_simulated(const Config& c) {
  for (const PspRouteTerms& r : c.payments.routes)
    if (r.url == "sim") return true;
  for (const KycVendorTerms& v : c.kyc.vendors)
    if (v.url == "sim") return true;
  return c.sim_world || c.sim_clock;
}

}  // namespace inplay
