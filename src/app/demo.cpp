#include "app/demo.h"

#include "telemetry/audit_key.h"

#include <cmath>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "app/shipped_configs.h"
#include "core/small_file.h"
#include "pricing/margin.h"
#include "pricing/score_grid.h"
#include "settle/market_result.h"
#include "http/auth.h"
#include "telemetry/audit_key.h"

namespace inplay {

namespace {

struct Fixture {
  const char* league;
  const char* home;
  const char* away;
  double p_home, p_draw;  // fair probabilities of the 1X2 market
  double p_over, p_btts;
  int kickoff_offset_min;  // negative: already in play
};

const Fixture kFixtures[] = {
    {"EPL", "Arsenal", "Chelsea", 0.48, 0.26, 0.55, 0.56, -30},
    {"EPL", "Liverpool", "Everton", 0.62, 0.21, 0.60, 0.52, -70},
    {"EPL", "Manchester City", "Tottenham", 0.58, 0.22, 0.64, 0.58, 20},
    {"EPL", "Newcastle", "Aston Villa", 0.44, 0.27, 0.54, 0.57, 45},
    {"EPL", "Brighton", "West Ham", 0.45, 0.26, 0.56, 0.59, 120},
    {"Championship", "Leeds", "Sunderland", 0.50, 0.27, 0.49, 0.50, -15},
    {"Championship", "Norwich", "Watford", 0.42, 0.28, 0.52, 0.55, 60},
    {"Championship", "Coventry", "Middlesbrough", 0.40, 0.28, 0.51, 0.54, 150},
    // Four minutes from the full-time whistle at start: its result pays
    // within the README's tour (live at the whistle, confirmed 10 s later).
    {"Championship", "Hull", "Stoke", 0.44, 0.28, 0.50, 0.52, -101},
};

// Proportional margin: odds = 1 / (p * (1 + margin)), to 2 decimals.
Odds price(double p, double margin) {
  double o = 1.0 / (p * (1.0 + margin));
  int64_t hundredths = static_cast<int64_t>(std::floor(o * 100.0));
  if (hundredths < 101) hundredths = 101;
  Odds out;
  out.scaled = static_cast<int32_t>(hundredths * 100);
  return out;
}

}  // namespace

std::vector<MarketConfig> football_markets(uint64_t event_id, const std::array<Odds, 7>& o) {
  const uint64_t base = event_id * 100;
  return {MarketConfig{base + 1, MarketType::kMatchResult, 0,
                       {{(base + 1) * 10 + 1, "home", o[0]}, {(base + 1) * 10 + 2, "draw", o[1]},
                        {(base + 1) * 10 + 3, "away", o[2]}}},
          MarketConfig{base + 2, MarketType::kTotalGoals, 10,
                       {{(base + 2) * 10 + 1, "over", o[3]}, {(base + 2) * 10 + 2, "under", o[4]}}},
          MarketConfig{base + 3, MarketType::kBothTeamsToScore, 0,
                       {{(base + 3) * 10 + 1, "yes", o[5]}, {(base + 3) * 10 + 2, "no", o[6]}}}};
}

// Ids unique across events, markets and selections for events up to 99:
// the three standard markets are e*100+1..3 with selections market*10+1..3
// (up to 99,033), so these markets take e*100+40.. (no standard selection id
// has that form) and their selections 1,000,000 + market*100 + 1...
constexpr uint64_t kMoreMarketsFrom = 40;
constexpr uint64_t kMoreSelectionsFrom = 1'000'000;

std::vector<MarketConfig> more_football_markets(uint64_t event_id, double lambda_home, double lambda_away) {
  struct Shape {
    MarketType type;
    int32_t line_quarters;
    MarketPeriod period;
    std::vector<std::string> names;
  };
  std::vector<std::string> scores;
  for (int h = 0; h <= 3; ++h)
    for (int a = 0; a <= 3; ++a) scores.push_back(std::to_string(h) + "-" + std::to_string(a));
  scores.push_back("other");
  const MarketPeriod ft = MarketPeriod::kFullTime, fh = MarketPeriod::kFirstHalf;
  const std::vector<Shape> shapes = {
      {MarketType::kAsianHandicap, -1, ft, {"home", "away"}},
      {MarketType::kAsianHandicap, -4, ft, {"home", "away"}},
      {MarketType::kTotalGoals, 9, ft, {"over", "under"}},
      {MarketType::kDoubleChance, 0, ft, {"home_draw", "home_away", "draw_away"}},
      {MarketType::kDrawNoBet, 0, ft, {"home", "away"}},
      {MarketType::kCorrectScore, 0, ft, scores},
      {MarketType::kMatchResult, 0, fh, {"home", "draw", "away"}},
      {MarketType::kTotalGoals, 6, fh, {"over", "under"}},
  };
  const double first_half_share = 0.45;
  const ScoreGrid full = ScoreGrid::poisson(Score{}, lambda_home, lambda_away);
  const ScoreGrid half = ScoreGrid::poisson(Score{}, lambda_home * first_half_share, lambda_away * first_half_share);
  const MarginConfig margins;
  std::vector<MarketConfig> out;
  uint64_t id = event_id * 100 + kMoreMarketsFrom;
  for (const Shape& sh : shapes) {
    MarketConfig mc;
    mc.id = id++;
    mc.type = sh.type;
    mc.line_quarters = sh.line_quarters;
    mc.period = sh.period;
    Market probe;
    probe.type = sh.type;
    probe.line_quarters = sh.line_quarters;
    const RuleMarket rm = *rule_market(probe);
    const ScoreGrid& grid = sh.period == fh ? half : full;
    std::vector<double> fair;
    for (const std::string& n : sh.names)
      fair.push_back(fair_probability(grid.split([&](Score s) { return settle_selection(rm.market, rm.line_for(n), n, s); })));
    const std::vector<Odds> opening = price_market(sh.type, fair, margins);
    for (size_t i = 0; i < sh.names.size(); ++i)
      mc.selections.push_back(SelectionConfig{kMoreSelectionsFrom + mc.id * 100 + i + 1, sh.names[i], opening[i]});
    out.push_back(std::move(mc));
  }
  return out;
}

EventConfig football_event(uint64_t event_id, std::string league, std::string home, std::string away,
                           int64_t kickoff_ms, EventState state, const std::array<Odds, 7>& opening) {
  EventConfig e;
  e.id = event_id;
  e.sport = "football";
  e.league = std::move(league);
  e.home = std::move(home);
  e.away = std::move(away);
  e.kickoff_ms = kickoff_ms;
  e.state = state;
  e.markets = football_markets(event_id, opening);
  return e;
}

std::vector<FeedConfig> simulated_football_feeds() {
  std::vector<FeedConfig> feeds;
  for (auto [name, role] : {std::pair{"football-primary", FeedRole::kPrimary},
                            std::pair{"football-backup", FeedRole::kBackup},
                            std::pair{"football-reference", FeedRole::kReference}}) {
    FeedConfig f;
    f.name = name;
    f.sport = "football";
    f.role = role;
    feeds.push_back(f);
  }
  return feeds;
}

namespace {

void keep_demo_tokens(const std::filesystem::path& file, const DemoTokens& t) {
  write_small_file(file,
                   "channel " + t.channel + "\noperator " + t.operator_ + "\npseudonym_secret " +
                       t.pseudonym_secret + "\naudit_chain_secret " + t.audit_chain_secret + "\n",
                   0600);
}

}  // namespace

DemoTokens demo_tokens(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_dir / "demo-tokens";
  DemoTokens t;
  if (std::optional<std::string> text = read_small_file(file)) {
    std::istringstream in(*text);
    std::string key, value;
    while (in >> key >> value) {
      if (key == "channel") t.channel = value;
      else if (key == "operator") t.operator_ = value;
      else if (key == "pseudonym_secret") t.pseudonym_secret = value;
      else if (key == "audit_chain_secret") t.audit_chain_secret = value;
    }
    if (t.channel.empty() || t.operator_.empty() || t.pseudonym_secret.size() < 16 ||
        (!t.audit_chain_secret.empty() && t.audit_chain_secret.size() < kAuditSecretMinChars))
      throw std::runtime_error(file.string() + ": not the demo's tokens (remove it, or start with --fresh)");
    if (t.audit_chain_secret.empty()) {
      // Kept by a version before the audit chain was keyed: add its key.
      t.audit_chain_secret = random_token();
      keep_demo_tokens(file, t);
    }
    return t;
  }
  t.channel = random_token();
  t.operator_ = random_token();
  t.pseudonym_secret = random_token();
  t.audit_chain_secret = random_token();
  std::filesystem::create_directories(data_dir);
  keep_demo_tokens(file, t);
  return t;
}

Config demo_config(const DemoTokens& tokens) {
  Config c;
  c.port = 0;
  c.data_dir = "inplay-demo-data";
  c.price_refresh_ms = 500;
  c.price_jitter = 0.05;
  c.top_leagues = {"EPL"};
  c.engine.inplay_delay["football"] = std::chrono::seconds(5);
  c.pseudonym_secret = tokens.pseudonym_secret;
  c.audit_chain_secret = tokens.audit_chain_secret;
  c.tokens.push_back(TokenConfig{"demo-channel", Role::kChannel, sha256_hex(tokens.channel)});
  c.tokens.push_back(TokenConfig{"demo-operator", Role::kOperator, sha256_hex(tokens.operator_)});
  const double margin = 0.05;
  uint64_t eid = 1;
  for (const Fixture& f : kFixtures) {
    const double p_away = 1.0 - f.p_home - f.p_draw;
    EventConfig e = football_event(
        eid, f.league, f.home, f.away, 0, f.kickoff_offset_min < 0 ? EventState::kInPlay : EventState::kPreMatch,
        {price(f.p_home, margin), price(f.p_draw, margin), price(p_away, margin), price(f.p_over, margin),
         price(1 - f.p_over, margin), price(f.p_btts, margin), price(1 - f.p_btts, margin)});
    e.kickoff_in_ms = int64_t{f.kickoff_offset_min} * 60000;
    // Expected goals for the simulated world, roughly matching the prices.
    e.lambda_home = 0.6 + 2.0 * f.p_home;
    e.lambda_away = 0.6 + 2.0 * p_away;
    for (MarketConfig& m : more_football_markets(eid, e.lambda_home, e.lambda_away))
      e.markets.push_back(std::move(m));
    c.events.push_back(std::move(e));
    ++eid;
  }
  // Odds come from the simulated world: a primary, a backup and a reference
  // provider (in-process TCP servers), the book connected to all three.
  c.sim_world = true;
  c.synthetic.enabled = true;  // a scripted in-play bet on the top markets every minute
  c.bettors.bets_per_s = 3;  // a crowd that bets in waves at kick-offs, goals and half-time
  c.bettors.cashouts_per_s = 0.2;  // and cashes some of its bets out (quote, then take it)
  c.bettors.payments_per_min = 6;  // and tops up or withdraws through the simulated PSPs
  c.support_crowd.contacts_per_min = 6;  // customers write in to support (the support_first_reply SLO's data)
  c.feeds = simulated_football_feeds();
  // Hedging on the simulated exchange, at the crowd's scale: a market whose
  // worst case passes £500 backs it down to £300.
  c.engine.hedging.enabled = true;
  c.engine.hedging.threshold_minor = 50000;
  c.engine.hedging.target_minor = 30000;
  // Deposits and withdrawals through two simulated PSPs (docs/payments.md):
  // psp-a active, psp-b where payments go while psp-a's breaker is open.
  for (const char* name : {"psp-a", "psp-b"}) {
    PspRouteTerms r;
    r.name = name;
    r.url = "sim";
    c.payments.routes.push_back(r);
  }
  c.payments.active = "psp-a";
  // KYC/AML screening by two simulated vendors (docs/kyc.md): every account
  // the demo's channel and its crowd open, and withdrawals over £1,000.
  for (const char* name : {"kyc-a", "kyc-b"}) {
    KycVendorTerms v;
    v.name = name;
    v.url = "sim";
    c.kyc.vendors.push_back(v);
  }
  c.kyc.active = "kyc-a";
  c.feed_options.canary_markets["football"] = 101;  // Arsenal v Chelsea, match result
  // The shipped playbooks, with High Exposure at the demo's scale: its
  // crowd's liabilities are hundreds to thousands of pounds, so the shipped
  // £100,000 could never show; £250 on an incident's markets does.
  c.incidents.playbooks = parse_playbook_file(kShippedPlaybooksYaml, "config/playbooks.yaml (built in)");
  c.incidents.playbooks.routing.high_exposure_minor = kDemoHighExposureMinor;
  // The demo's accounts are its channel's (SEC-1): the channel token sees them.
  for (const char* a : {"alice", "bob", "carol", "dave"}) c.accounts.push_back(AccountSeed{a, 100000, "demo-channel"});
  return c;
}

}  // namespace inplay
