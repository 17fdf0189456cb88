#include "gameday/gameday_runner.h"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "app/config.h"
#include "app/demo.h"
#include "app/book_desks.h"
#include "app/runtime.h"
#include "core/clock.h"
#include "sim/sim_engine_cost.h"
#include "sim/sim_extension.h"
#include "app/shipped_configs.h"
#include "core/time_format.h"
#include "core/yaml_reader.h"
#include "engine/engine.h"
#include "feed/feed_desk.h"
#include "gameday/expectations.h"
#include "gameday/gameday_record.h"
#include "gameday/settlement_audit.h"
#include "gameday/gameday_sampler.h"
#include "gameday/kyc_drill.h"
#include "gameday/psp_drill.h"
#include "gameday/report.h"
#include "http/auth.h"
#include "playbook/incident_loop.h"
#include "sim/bettors.h"
#include "sim/feed_provider.h"
#include "sim/sim_world.h"

namespace inplay {

namespace {


Config scenario_config(const Scenario& s, const std::string& data_dir) {
  Config c;
  c.port = 0;
  c.data_dir = data_dir;
  c.sim_clock = true;
  c.sim_start_ms = s.start_ms;
  c.fsync = FsyncPolicy::kNone;  // a drill: durability is not what it measures
  c.price_refresh_ms = 0;
  c.engine.inplay_delay["football"] = std::chrono::seconds(5);
  c.pseudonym_secret = random_token();
  c.audit_chain_secret = random_token();
  // The book's log goes beside the report, never onto the terminal the
  // progress line and the verdict are written to.
  c.log_file = (std::filesystem::path(data_dir).parent_path() / "book.log").string();
  c.tokens.push_back(TokenConfig{"gameday", Role::kOperator, sha256_hex(random_token())});
  uint64_t eid = 1;
  for (const ScenarioMatch& m : s.matches) {
    const Odds two{20000};  // opening prices are not used: the simulated feeds price the book
    EventConfig e = football_event(
        eid, m.league, m.home, m.away,
        m.minute >= 0 ? s.start_ms - m.minute * 60000 : s.start_ms + m.kickoff_in_s * 1000,
        m.minute >= 0 ? EventState::kInPlay : EventState::kPreMatch, {two, two, two, two, two, two, two});
    e.lambda_home = m.lambda_home;
    e.lambda_away = m.lambda_away;
    c.events.push_back(std::move(e));
    ++eid;
  }
  c.sim_world = true;
  c.sim_seed = s.seed;
  c.bettors.bets_per_s = s.bets_per_second;
  c.bettors.wave_factor = s.wave_factor;
  c.bettors.cashouts_per_s = s.cashouts_per_second;
  c.bettors.market_mix = s.market_mix;
  c.bettors.stake_median_minor = s.stake_median_minor;
  c.bettors.accounts = static_cast<int>(s.accounts);
  c.support_crowd.contacts_per_min = s.support_contacts_per_minute;
  if (s.payments()) {
    // Two simulated PSPs, psp-a active, as in the demo; terms short enough
    // that a slow route costs the drill little real time (gameday/psp_drill.h):
    // a call gives up after 250 ms, a payment after 2 calls, 3 failed calls
    // open the breaker for 10 s of book time.
    for (const char* name : {"psp-a", "psp-b"}) {
      PspRouteTerms r;
      r.name = name;
      r.url = "sim";
      r.timeout = std::chrono::milliseconds(250);
      r.attempts = 2;
      r.retry = std::chrono::milliseconds(50);
      r.breaker_failures = 3;
      r.breaker_open = std::chrono::seconds(10);
      r.threads = 4;
      c.payments.routes.push_back(r);
    }
    c.payments.active = "psp-a";
    c.payments.breaker_on_book_clock = true;
    // Reconciliation runs on book time, from the drill (every 30 s); the
    // book's own real-time loop runs only at start.
    c.payments.reconcile_every = std::chrono::hours(24);
    c.bettors.payments_per_min = s.payments_per_minute;
  }
  if (s.kyc()) {
    // Two simulated KYC vendors, kyc-a active; the crowd's withdrawals over
    // £20 are screened. Short terms as for the PSPs: a call gives up after
    // 250 ms, a vendor after 2 calls, 3 failed calls open its breaker.
    for (const char* name : {"kyc-a", "kyc-b"}) {
      KycVendorTerms v;
      v.name = name;
      v.url = "sim";
      v.timeout = std::chrono::milliseconds(250);
      v.attempts = 2;
      v.retry = std::chrono::milliseconds(20);
      v.breaker_failures = 3;
      v.breaker_open = std::chrono::seconds(10);
      c.kyc.vendors.push_back(v);
    }
    c.kyc.active = "kyc-a";
    c.kyc.withdrawal_threshold = 2000;
  }
  c.feeds = simulated_football_feeds();
  c.feed_options.canary_markets["football"] = 101;
  c.incidents.slos = scenario_slos(s);
  c.incidents.playbooks = s.playbook_file.empty()
                              ? parse_playbook_file(kShippedPlaybooksYaml, "config/playbooks.yaml (built in)")
                              : load_playbook_file(s.playbook_file);
  c.incidents.playbook_file = s.playbook_file.empty() ? "config/playbooks.yaml" : s.playbook_file;
  return c;
}

}  // namespace


int run_gameday(const Scenario& s, const GamedayOptions& o) {
  namespace fs = std::filesystem;
  fs::create_directories(o.out_dir);
  const std::string data_dir = (fs::path(o.out_dir) / "data").string();
  fs::remove_all(data_dir);
  fs::remove(fs::path(o.out_dir) / "book.log");
  auto wall0 = std::chrono::steady_clock::now();

  Config cfg = scenario_config(s, data_dir);
  check_scenario_names(s, cfg.incidents.slos);
  auto sim = std::make_unique<SimExtension>();
  SimExtension& ext = *sim;  // owned by the runtime
  std::optional<Runtime> runtime;  // reset before the audit (below)
  runtime.emplace(std::move(cfg), std::move(sim));
  Runtime& rt = *runtime;
  rt.start();
  Engine& engine = rt.engine();
  IncidentLoop* loop = rt.incidents();
  SimWorld* world = ext.world();
  Bettors* bettors = ext.bettors();
  FeedDesk* desk = rt.feed_desk();
  auto on_engine = [&](auto fn) {
    std::promise<void> done;
    while (!engine.submit([&] {
      fn();
      done.set_value();
    }))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    done.get_future().wait();
  };

  GamedayRecord rec;
  rec.start_ns = s.start_ms * 1'000'000;
  if (loop)
    for (const SloStatus& st : loop->evaluator().status()) rec.slos.push_back(GamedaySlo{st.spec->name, st.spec->target});
  uint64_t offered = 0;
  SimEngineCost engine_cost;  // the simulated engine's cost per bet (the CPU burn fault)
  PlacementDesk& bets = rt.desks().bets;
  std::unique_ptr<GamedaySampler> sampler_owner;
  on_engine([&] { sampler_owner = std::make_unique<GamedaySampler>(s, engine, loop, desk, rec); });
  GamedaySampler& sampler = *sampler_owner;
  std::unique_ptr<PspDrill> drill;  // the book pays through PSP routes
  if (s.payments()) {
    drill = std::make_unique<PspDrill>(ext, engine, rt.desks().payments, rt.reconciliation());
    sampler.set_payments(&rt.desks().payments);
  }
  std::unique_ptr<KycDrill> kyc_drill;  // the book screens big withdrawals
  if (s.kyc()) kyc_drill = std::make_unique<KycDrill>(ext, engine);
  on_engine([&] {
    engine_cost.set_cost(std::chrono::milliseconds(s.bet_cost_ms));
    bets.set_risk_turn(&engine_cost);
    bets.add_offer_observer([&](uint64_t, uint64_t) { ++offered; });
    // The money invariant "no bet accepted on a stale price", checked at the
    // moment of each decision, independently of the risk check.
    bets.add_decision_observer([&](const BetDecision& d) {
      sampler.on_decision(d);
      if (!d.accepted) {
        ++rec.refused[std::string(error_code_name(d.code))];
        return;
      }
      const Market* m = engine.state().book.market(d.market_id);
      const int64_t age = Book::price_age(*m, to_ns(engine.clock().now())).count();
      if (m->last_update_ns > 0 && age <= m->staleness_limit.count()) return;
      if (++rec.stale_accepts <= 5)
        rec.stale_examples.push_back(fmt::format("market {} at {:.1f} s, price age {} ms (limit {} ms)", d.market_id,
                                                 (to_ns(engine.clock().now()) - rec.start_ns) / 1e9, age / 1'000'000,
                                                 m->staleness_limit.count() / 1'000'000));
    });
    // Cash-outs: each accept checked at its decision against the book as it
    // stands, independently of the desk (CO-2..CO-4), and every refusal counted.
    CashoutDesk& cashout = rt.desks().cashout;
    cashout.add_quote_observer([&](const QuoteSeen& q) {
      if (!q.offered) ++rec.cashout.quotes_refused[std::string(error_code_name(q.code))];
    });
    cashout.add_decision_observer([&](const CashoutDecision& d) {
      if (!d.accepted) {
        ++rec.cashout.refused[std::string(error_code_name(d.code))];
        return;
      }
      ++rec.cashout.accepted;
      const BookState& st = engine.state();
      const Bet& b = st.bets.at(d.bet_id);
      const Market* m = st.book.market(b.market_id);
      const Price& p = st.book.selection(b.selection_id)->price;
      const int64_t now = to_ns(engine.clock().now());
      const int64_t age = now - price_time_ns(p);
      const char* why = m->status != MarketStatus::kOpen ? "not open"
                        : m->cashout_frozen              ? "cash-out frozen"
                        : age > m->staleness_limit.count() ? "price stale"
                                                           : nullptr;
      if (!why) return;
      if (++rec.cashout.unsafe <= 5)
        rec.cashout.unsafe_examples.push_back(fmt::format("bet {} on market {} at {:.3f} s: {} (price age {} ms)", d.bet_id,
                                                          b.market_id, (now - rec.start_ns) / 1e9, why, age / 1'000'000));
    });
  });

  size_t fault_i = 0, step_i = 0;
  for (int64_t t = 1; t <= s.duration_s; ++t) {
    while (step_i < s.load_steps.size() && s.load_steps[step_i].at_s <= t - 1) {
      const double rate = s.load_steps[step_i++].bets_per_second;
      if (bettors) on_engine([&] { bettors->set_rate(rate); });
      rec.marks.push_back(GamedayMark{s.load_steps[step_i - 1].at_s * 1000, "load", fmt::format("{} bets/s", rate)});
    }
    while (fault_i < s.faults.size() && s.faults[fault_i].at_s <= t - 1) {
      const ScenarioFault& f = s.faults[fault_i++];
      switch (f.kind) {
        case ScenarioFault::Kind::kFeed:
          if (FeedProvider* p = world ? world->provider(f.feed) : nullptr) p->apply(f.change);
          break;
        case ScenarioFault::Kind::kSurge:
          if (bettors)
            on_engine([&] {
              bettors->surge(f.match, surge_market_index(f.market), f.bets_per_s,
                             to_ms(engine.clock().now()) + f.for_s * 1000);
            });
          break;
        case ScenarioFault::Kind::kEngine:
          on_engine([&] { engine_cost.set_cost(std::chrono::milliseconds(f.bet_cost_ms)); });
          break;
        case ScenarioFault::Kind::kSupportSpike:
          if (SupportCrowd* crowd = ext.support_crowd())
            on_engine([&] { crowd->spike(f.tag, f.contacts_per_min, to_ms(engine.clock().now()) + f.for_s * 1000); });
          break;
        case ScenarioFault::Kind::kPsp:
          if (drill) drill->apply(f);
          break;
        case ScenarioFault::Kind::kKyc:
          if (kyc_drill) kyc_drill->apply(f);
          break;
      }
      rec.marks.push_back(GamedayMark{f.at_s * 1000, "fault", f.describe()});
    }
    if (drill) {
      for (std::string& what : drill->clear_due(t - 1)) rec.marks.push_back(GamedayMark{(t - 1) * 1000, "fault", what});
      drill->settle(rec);  // the PSP calls of the last second answered before the clock moves
      if ((t - 1) % 30 == 0) drill->reconcile();  // T+0 reconciliation every 30 s of book time
    }
    if (kyc_drill) {
      for (std::string& what : kyc_drill->clear_due(t - 1)) rec.marks.push_back(GamedayMark{(t - 1) * 1000, "fault", what});
      kyc_drill->settle();  // the screenings of the last second decided before the clock moves
    }
    on_engine([&] {
      engine.advance(*rt.sim_clock(), from_ns(rec.start_ns + t * kNsPerSecond));
      sampler.sample(t, offered);
    });
    if (o.progress && (t % 10 == 0 || t == s.duration_s)) {
      const GamedayPoint& p = rec.points.back();
      const int64_t pct = t * 100 / s.duration_s;
      const std::string clock = rfc3339_ms(rec.start_ns + t * kNsPerSecond).substr(11, 8);
      std::cerr << fmt::format("\r[{:<20}] {:>3}%  book {}  bets {}  alerts {}  open incidents {}   ",
                               std::string(static_cast<size_t>(pct / 5), '#'), pct, clock, p.bets, p.alerts,
                               p.incidents_open)
                << std::flush;
    }
    if (o.real_time) std::this_thread::sleep_until(wall0 + std::chrono::seconds(t));
  }
  if (o.progress) std::cerr << "\n";

  if (drill) drill->finish(rec);
  // The end state, read on the engine thread.
  SettlementFacts settlement;
  on_engine([&] {
    // The world's truth: the primary provider plays the same matches as the others.
    FeedProvider* truth = world ? world->provider("football-primary") : nullptr;
    FinalScores scores;
    for (uint64_t eid : engine.state().book.event_ids()) {
      std::optional<Score>& sc = scores[eid];
      if (truth && truth->phase(eid) == MatchPhase::kEnded) {
        const MatchScore ms = truth->score(eid);
        sc = Score{ms.home, ms.away};
      }
    }
    settlement = settlement_facts(engine.state(), scores);
    if (loop) rec.incidents = loop->runner().incidents();
    if (loop) rec.other_actions = loop->runner().manual_actions();
    const BookState& st = engine.state();
    rec.currency = st.ledger.currency();
    rec.ledger_sum = st.ledger.sum();
    rec.bets_accepted = st.bets.size();
    // What still rides: open bets' stakes (less any cashed out); settled,
    // cancelled and cashed-out bets hold nothing in reserve.
    for (const Bet& b : st.bets)
      if (b.status == BetStatus::kAccepted) rec.accepted_stakes_minor += b.stake_minor;
    for (size_t i = 0; i < st.ledger.size(); ++i)
      if (st.ledger.account(static_cast<uint32_t>(i)).kind == AccountKind::kUserReserved)
        rec.reserved_minor += st.ledger.account(static_cast<uint32_t>(i)).balance;
  });
  rt.stop();
  // Everything the report needs is out of the book (rec, settlement): it
  // goes before the audit reads the journal, so that the audit's journal
  // buffer (a segment, 64 MB) never sits on top of a day's book. Nothing of
  // the runtime (rt, engine, loop, world, bettors, desk) is touched below.
  kyc_drill.reset();
  drill.reset();
  sampler_owner.reset();
  runtime.reset();
  // glibc keeps freed heap resident for reuse, and the audit's segment
  // buffer is mapped apart from it: hand the book's pages back first, or
  // the two stack up all the same (a run's peak moved by ~40 MB with it).
  malloc_trim(0);
  rec.settlement = audit_settlement(settlement, std::filesystem::path(data_dir) / "journal");
  auto action_mark = [&](const IncidentAction& a) {
    if (a.at_ns)
      rec.marks.push_back(GamedayMark{(a.at_ns - rec.start_ns) / 1'000'000, "action",
                                      fmt::format("{} {} ({}, {})", action_type_name(a.spec.type), a.target.describe(),
                                                  a.status, a.actor)});
  };
  for (auto& [id, inc] : rec.incidents) {
    rec.marks.push_back(
        GamedayMark{(inc.opened_ns - rec.start_ns) / 1'000'000, "incident", fmt::format("incident {} opened", id)});
    for (auto& a : inc.actions) action_mark(a);
  }
  for (auto& a : rec.other_actions) action_mark(a);
  std::stable_sort(rec.marks.begin(), rec.marks.end(),
                   [](const GamedayMark& a, const GamedayMark& b) { return a.t_ms < b.t_ms; });

  std::vector<ExpectationResult> results = check_expectations(s, rec);
  const bool all = std::all_of(results.begin(), results.end(), [](const ExpectationResult& r) { return r.pass; });
  rec.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  write_gameday_report(o.out_dir, ReportContext{s, rec, results, o.real_time});

  for (auto& r : results)
    if (!r.pass)
      std::cerr << fmt::format("gameday {}: FAILED expectation (line {}): {}: seen {}\n", s.name, r.e->line,
                               r.e->describe(), r.seen);
  std::cout << fmt::format("gameday {}: {} ({} s of book time in {:.2f} s); report: {}/report.md\n", s.name,
                           all ? "PASS" : "FAIL", s.duration_s, rec.wall_s, o.out_dir);
  return all ? 0 : 1;
}

}  // namespace inplay
