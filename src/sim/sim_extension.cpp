#include "sim/sim_extension.h"

#include "app/book_desks.h"
#include "settle/market_result.h"
#include "sim/sim_routes.h"

namespace inplay {

SimExtension::~SimExtension() { stop(); }

void SimExtension::start_world(const Config& cfg, Engine& engine, BookDesks& desks, Clock& clock,
                               std::vector<FeedConfig>& feeds) {
  if (!cfg.sim_world) return;
  SimWorldConfig sw;
  sw.seed = cfg.sim_seed;
  sw.refresh_ms = cfg.sim_refresh_ms;
  for (const EventConfig& e : cfg.events) {
    SimMatchConfig mc{e.id, e.league, e.lambda_home, e.lambda_away, e.kickoff_ms, {}};
    // Beyond the three markets every simulated match has (ids event*100+1..3),
    // the providers offer each market of the event the rules can settle.
    for (const MarketConfig& m : e.markets) {
      if (m.id > e.id * 100 && m.id <= e.id * 100 + 3) continue;
      Market probe;
      probe.type = m.type;
      probe.line_quarters = m.line_quarters;
      probe.period = m.period;
      const std::optional<RuleMarket> rm = rule_market(probe);
      if (!rm) continue;
      SimMarketSpec spec{m.id, rm->market, rm->line, rm->first_half, {}};
      for (const SelectionConfig& sc : m.selections) spec.selections.emplace_back(sc.id, sc.name);
      mc.more_markets.push_back(std::move(spec));
    }
    sw.matches.push_back(std::move(mc));
  }
  for (const FeedConfig& f : feeds) {
    SimWorldConfig::Role r;
    r.feed_name = f.name;
    r.producer = "sim-" + std::string(feed_role_name(f.role));
    r.noise = f.role == FeedRole::kPrimary ? 0.0 : f.role == FeedRole::kBackup ? 0.005 : 0.01;
    r.latency_ms = f.role == FeedRole::kBackup ? 20 : 0;
    sw.roles.push_back(r);
  }
  if (cfg.engine.hedging.enabled && cfg.hedge_venue_url == "sim") {
    venue_ = std::make_unique<ExchangeVenue>(cfg.sim_seed);
    venue_->start();
  }
  world_ = std::make_unique<SimWorld>(sw);
  world_->start(engine, clock);
  for (FeedConfig& f : feeds) f.port = world_->port(f.name);
  if (cfg.bettors.bets_per_s > 0) {
    const FeedProvider* primary = nullptr;
    for (const FeedConfig& f : feeds)
      if (f.role == FeedRole::kPrimary) primary = world_->provider(f.name);
    BettorsConfig bc = cfg.bettors;
    bc.seed = cfg.sim_seed;
    bettors_ = std::make_unique<Bettors>(desks.bets, desks.wallet, engine, primary, bc, &desks.cashout);
    bettors_->set_payments(&desks.payments);
    bettors_->start();
  }
  // At contacts_per_min 0 it stays quiet until a game day's spike.
  support_crowd_ = std::make_unique<SupportCrowd>(desks.support, engine, cfg.support_crowd, cfg.sim_seed);
  support_crowd_->start();
}

bool SimExtension::connect_feeds(FeedDesk& desk, DeadLetterFile* dead_letters, Clock& clock,
                                 const std::vector<FeedConfig>& feeds) {
  if (!world_ || !clock.simulated()) return false;
  // Simulated time: the providers hand their lines straight to the desk
  // from the engine timer that ticks them (deterministic, no sockets).
  for (size_t i = 0; i < feeds.size(); ++i) {
    links_.push_back(std::make_unique<LocalFeedLink>(desk, i, *world_->provider(feeds[i].name), dead_letters, clock));
    links_.back()->connect();
  }
  return true;
}

void SimExtension::start_partners(const Config& cfg) {
  uint64_t seed = cfg.sim_seed;
  for (const PspRouteTerms& r : cfg.payments.routes) {
    if (r.url != "sim") continue;
    psps_.push_back(std::make_unique<PspServer>(r.name, r.callback_secret, ++seed));
    psps_.back()->start();
  }
  for (const KycVendorTerms& v : cfg.kyc.vendors) {
    if (v.url != "sim") continue;
    kyc_vendors_.push_back(std::make_unique<KycVendor>(v.name, ++seed));
    kyc_vendors_.back()->start();
  }
}

std::string SimExtension::kyc_url(const std::string& vendor) const {
  for (const auto& k : kyc_vendors_)
    if (k->name() == vendor) return k->url();
  return {};
}

std::string SimExtension::psp_url(const std::string& route) const {
  for (const auto& p : psps_)
    if (p->name() == route) return p->url();
  return {};
}

PspServer* SimExtension::psp(const std::string& route) {
  for (auto& p : psps_)
    if (p->name() == route) return p.get();
  return nullptr;
}

KycVendor* SimExtension::kyc_vendor(const std::string& vendor) {
  for (auto& k : kyc_vendors_)
    if (k->name() == vendor) return k.get();
  return nullptr;
}

void SimExtension::add_routes(Api& api, Engine& engine) {
  std::vector<PspServer*> psps;
  for (auto& p : psps_) psps.push_back(p.get());
  std::vector<KycVendor*> kyc;
  for (auto& k : kyc_vendors_) kyc.push_back(k.get());
  add_sim_routes(api, engine, world_.get(), venue_.get(), std::move(psps), std::move(kyc));
}

void SimExtension::stop() {
  if (world_) world_->stop();
  if (venue_) venue_->stop();
  for (auto& p : psps_) p->stop();
  for (auto& k : kyc_vendors_) k->stop();
}

}  // namespace inplay
