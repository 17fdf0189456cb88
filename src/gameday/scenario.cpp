#include "gameday/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "app/shipped_configs.h"
#include "core/spelling.h"
#include "core/time_format.h"
#include "core/yaml_reader.h"
#include "slo/slo_spec.h"

namespace inplay {

size_t surge_market_index(const std::string& market) {
  return market == "total_goals" ? 1 : market == "btts" ? 2 : 0;
}

std::string ScenarioFault::describe() const {
  if (kind == Kind::kSurge)
    return fmt::format("{}s surge: match {} {} +{} bets/s for {} s", at_s, match, market, bets_per_s, for_s);
  if (kind == Kind::kEngine) return fmt::format("{}s engine: {} ms per bet", at_s, bet_cost_ms);
  const FeedFaultPatch& c = change;
  std::string s = fmt::format("{}s {}:", at_s, feed);
  if (c.stall) s += *c.stall ? " stall" : " resume";
  if (c.disconnect && *c.disconnect) s += " disconnect";
  if (c.latency_ms) s += fmt::format(" latency {} ms", *c.latency_ms);
  if (c.jitter_ms) s += fmt::format(" jitter {} ms", *c.jitter_ms);
  if (c.drop) s += fmt::format(" drop {}", *c.drop);
  if (c.duplicate) s += fmt::format(" duplicate {}", *c.duplicate);
  if (c.reorder) s += fmt::format(" reorder {}", *c.reorder);
  if (c.skew_leagues) {
    std::string l;
    for (auto& x : *c.skew_leagues) l += (l.empty() ? "" : ",") + x;
    s += l.empty() ? " skew off" : fmt::format(" schema skew {} -> {}", l, c.skew_version.value_or("2.0"));
  }
  return s;
}

std::string Expectation::describe() const {
  std::string with;
  for (auto& [k, v] : labels) with += fmt::format("{}{}={}", with.empty() ? " with " : ",", k, v);
  switch (kind) {
    case Kind::kAlert: return fmt::format("alert {}{} fires within {} s of the first fault", name, with, within_s);
    case Kind::kNoAlert: return fmt::format("alert {}{} never fires", name, with);
    case Kind::kIncidents: return fmt::format("exactly {} incident(s)", count);
    case Kind::kAction: return fmt::format("action {} runs within {} s of the first fault", name, within_s);
    case Kind::kSliceContains: return fmt::format("an incident's slice names {}", name);
    case Kind::kP99Below:
      return fmt::format("accept p99 (10 s window) under {} ms from {} s after the first fault", bound_ms, from_s);
    case Kind::kSli:
      return fmt::format("SLO {} {} its target from {} s to {}", name, within_target ? "meets" : "breaches", from_s,
                         to_s < 0 ? std::string("the end") : fmt::format("{} s", to_s));
    case Kind::kLedgerZero: return "the ledger sums to zero";
    case Kind::kNoStaleAccept: return "no bet is accepted on a price older than its market's limit";
    case Kind::kNoDuplicateTx: return "every accepted bet's stake is reserved exactly once";
    case Kind::kMarketsSuspendedAt: return fmt::format("every in-play market is suspended at {} s", from_s);
    case Kind::kMarketsOpenFrom: return fmt::format("every in-play market is open from {} s to the end", from_s);
  }
  return "?";
}

Scenario parse_scenario(const std::string& yaml_text, const std::string& file_name) {
  YAML::Node root = load_yaml(yaml_text, file_name);
  if (!root.IsDefined() || root.IsNull()) throw YamlError(fmt::format("{}:1: the scenario is empty", file_name));
  YamlReader r(root, "", file_name);
  Scenario s;
  s.file = file_name;
  s.name = r.str("name", true);
  s.description = r.str("description", false);
  s.seed = static_cast<uint64_t>(r.integer("seed", false, 42, 0, INT64_MAX));
  std::string start = r.str("start", false, "2026-11-28T15:00:00Z");
  if (!parse_rfc3339_ns(start, s.start_ms)) r.fail_key("start", r.get("start"), "must be an RFC 3339 time");
  s.start_ms /= 1000000;
  s.duration_s = r.duration_ms("duration", true, 0, 1000, 86400000) / 1000;
  s.slo_file = r.str("slo_file", false);
  s.playbook_file = r.str("playbook_file", false);
  for (auto& m : r.list("matches")) {
    ScenarioMatch sm;
    sm.league = m.str("league", true);
    sm.home = m.str("home", true);
    sm.away = m.str("away", true);
    if (m.has("minute") && m.has("kickoff_in")) m.fail(m.node(), "give minute (in play) or kickoff_in, not both");
    sm.minute = m.integer("minute", false, -1, 0, 95);
    sm.kickoff_in_s = m.duration_ms("kickoff_in", false, 0, 0, 86400000) / 1000;
    if (sm.minute < 0 && !m.has("kickoff_in")) m.missing({"minute", "kickoff_in"});
    sm.lambda_home = m.number("lambda_home", 1.5, 0.05, 6);
    sm.lambda_away = m.number("lambda_away", 1.2, 0.05, 6);
    m.done();
    s.matches.push_back(sm);
  }
  if (s.matches.empty()) r.fail(r.node(), "a scenario needs at least one match (key 'matches')");
  std::vector<std::string> leagues;
  for (const ScenarioMatch& m : s.matches)
    if (std::find(leagues.begin(), leagues.end(), m.league) == leagues.end()) leagues.push_back(m.league);
  // A league no match plays can never be skewed, alerted or sliced on.
  auto played = [&](YamlReader& y, std::string_view key, const YAML::Node& n, const std::string& league) {
    if (std::find(leagues.begin(), leagues.end(), league) != leagues.end()) return;
    std::string list;
    for (auto& l : leagues) list += (list.empty() ? "" : ", ") + l;
    y.fail_key(key, n, fmt::format("no match plays league '{}'{} (the scenario's leagues: {})", league,
                                   did_you_mean(league, leagues), list));
  };
  auto inside = [&](YamlReader& y, int64_t at_s) {
    if (at_s >= s.duration_s) y.fail_key("at", y.get("at"), "is not inside the scenario's duration");
  };
  auto load = r.child("load");
  s.bets_per_second = load.number("bets_per_second", 3, 0, 10000);
  s.wave_factor = load.number("wave_factor", 5, 1, 100);
  s.stake_median_minor = load.integer("stake_median_minor", false, 1000, 100, 50000);
  s.accounts = load.integer("accounts", false, 50, 1, 100000);
  if (load.has("market_mix")) {
    auto mix = load.child("market_mix");
    s.market_mix = {mix.number("match_result", 0, 0, 1000), mix.number("total_goals", 0, 0, 1000),
                    mix.number("btts", 0, 0, 1000)};
    mix.done();
    if (s.market_mix[0] + s.market_mix[1] + s.market_mix[2] <= 0)
      mix.fail(mix.node(), "at least one market needs a weight above 0");
  }
  for (auto& st : load.list("steps")) {
    Scenario::LoadStep ls{st.duration_ms("at", true, 0, 0, 86400000) / 1000, st.number("bets_per_second", 0, 0, 10000)};
    if (!st.has("bets_per_second")) st.missing({"bets_per_second"});
    inside(st, ls.at_s);
    st.done();
    s.load_steps.push_back(ls);
  }
  std::stable_sort(s.load_steps.begin(), s.load_steps.end(),
                   [](const Scenario::LoadStep& a, const Scenario::LoadStep& b) { return a.at_s < b.at_s; });
  load.done();
  auto engine = r.child("engine");
  s.bet_cost_ms = engine.duration_ms("bet_cost", false, 0, 0, 10000);
  engine.done();
  for (auto& f : r.list("faults")) {
    ScenarioFault sf;
    sf.at_s = f.duration_ms("at", true, 0, 0, 86400000) / 1000;
    inside(f, sf.at_s);
    int kinds = f.has("feed") + f.has("surge") + f.has("engine");
    if (kinds != 1) f.fail(f.node(), "a fault names exactly one of feed, surge, engine");
    if (f.has("surge")) {
      sf.kind = ScenarioFault::Kind::kSurge;
      auto g = f.child("surge");
      sf.match = static_cast<size_t>(g.integer("match", true, 0, 1, static_cast<int64_t>(s.matches.size())));
      sf.market = g.choice("market", {"match_result", "total_goals", "btts"}, "match_result");
      sf.bets_per_s = g.number("bets_per_second", 0, 0.1, 100000);
      if (!g.has("bets_per_second")) g.missing({"bets_per_second"});
      sf.for_s = g.duration_ms("for", true, 0, 1000, 86400000) / 1000;
      g.done();
      f.done();
      s.faults.push_back(sf);
      continue;
    }
    if (f.has("engine")) {
      sf.kind = ScenarioFault::Kind::kEngine;
      auto g = f.child("engine");
      sf.bet_cost_ms = g.duration_ms("bet_cost", true, 0, 0, 10000);
      g.done();
      f.done();
      s.faults.push_back(sf);
      continue;
    }
    sf.feed = f.choice("feed", {"football-primary", "football-backup", "football-reference"});
    FeedFaultPatch& c = sf.change;
    if (f.has("latency_ms")) c.latency_ms = f.integer("latency_ms", true, 0, 0, 60000);
    if (f.has("jitter_ms")) c.jitter_ms = f.integer("jitter_ms", true, 0, 0, 60000);
    if (f.has("stall")) c.stall = f.boolean("stall", false);
    if (f.has("disconnect")) c.disconnect = f.boolean("disconnect", false);
    if (f.has("drop")) c.drop = f.number("drop", 0, 0, 1);
    if (f.has("duplicate")) c.duplicate = f.number("duplicate", 0, 0, 1);
    if (f.has("reorder")) c.reorder = f.number("reorder", 0, 0, 1);
    if (f.has("skew_leagues")) {
      c.skew_leagues = f.strings("skew_leagues");
      for (size_t i = 0; i < c.skew_leagues->size(); ++i)
        played(f, "skew_leagues", f.get("skew_leagues")[i], (*c.skew_leagues)[i]);
      c.skew_mode = SkewMode::kVersion;
      c.skew_version = "2.0";
    }
    if (f.has("skew_version")) c.skew_version = f.str("skew_version", true);
    f.done();
    s.faults.push_back(sf);
  }
  std::stable_sort(s.faults.begin(), s.faults.end(),
                   [](const ScenarioFault& a, const ScenarioFault& b) { return a.at_s < b.at_s; });
  for (auto& e : r.list("expect")) {
    Expectation x;
    x.line = e.line_of(e.node());
    x.where = e.path();
    auto need_fault = [&] {
      if (s.faults.empty()) e.fail(e.node(), "a timing expectation needs a fault to measure from");
    };
    auto labels = [&] {
      if (!e.has("labels")) return;
      auto l = e.child("labels");
      for (auto& [k, v] : l.entries()) x.labels[k] = l.str(k, true);
      if (x.labels.count("league")) played(l, "league", l.get("league"), x.labels["league"]);
      l.done();
    };
    if (e.has("alert")) {
      x.kind = Expectation::Kind::kAlert;
      x.name = e.str("alert", true);
      x.within_s = e.duration_ms("within", true, 0, 0, 86400000) / 1000;
      labels();
      need_fault();
    } else if (e.has("no_alert")) {
      x.kind = Expectation::Kind::kNoAlert;
      x.name = e.str("no_alert", true);
      labels();
    } else if (e.has("sli")) {
      x.kind = Expectation::Kind::kSli;
      x.name = e.str("sli", true);
      x.within_target = e.boolean("within_target", true);
      x.from_s = e.duration_ms("from", false, 0, 0, 86400000) / 1000;
      x.to_s = e.has("to") ? e.duration_ms("to", true, 0, 0, 86400000) / 1000 : -1;
      if (x.to_s >= 0 && x.to_s <= x.from_s) e.fail_key("to", e.get("to"), "must be after 'from'");
      if (x.to_s > s.duration_s) e.fail_key("to", e.get("to"), "is after the scenario's end");
    } else if (e.has("incidents")) {
      x.kind = Expectation::Kind::kIncidents;
      x.count = e.integer("incidents", true, 0, 0, 100000);
    } else if (e.has("action")) {
      x.kind = Expectation::Kind::kAction;
      x.name = e.choice("action", {"switch_feed", "suspend_market", "freeze_cashout", "lower_stake_cap",
                                   "extend_delay", "shed_load"});
      x.within_s = e.duration_ms("within", true, 0, 0, 86400000) / 1000;
      need_fault();
    } else if (e.has("slice_contains")) {
      x.kind = Expectation::Kind::kSliceContains;
      x.name = e.str("slice_contains", true);
    } else if (e.has("p99_below")) {
      x.kind = Expectation::Kind::kP99Below;
      x.bound_ms = e.duration_ms("p99_below", true, 0, 1, 600000);
      x.from_s = e.duration_ms("from", false, 0, 0, 86400000) / 1000;
      need_fault();
    } else if (e.has("ledger_sums_to_zero")) {
      x.kind = Expectation::Kind::kLedgerZero;
      if (!e.boolean("ledger_sums_to_zero", true)) e.fail_key("ledger_sums_to_zero", e.get("ledger_sums_to_zero"), "must be true");
    } else if (e.has("markets_suspended_at") || e.has("markets_open_from")) {
      const bool open = e.has("markets_open_from");
      const char* key = open ? "markets_open_from" : "markets_suspended_at";
      x.kind = open ? Expectation::Kind::kMarketsOpenFrom : Expectation::Kind::kMarketsSuspendedAt;
      x.from_s = e.duration_ms(key, true, 0, 1000, 86400000) / 1000;
      if (x.from_s > s.duration_s) e.fail_key(key, e.get(key), "is after the scenario's end");
    } else if (e.has("no_stale_accept")) {
      x.kind = Expectation::Kind::kNoStaleAccept;
      if (!e.boolean("no_stale_accept", true)) e.fail_key("no_stale_accept", e.get("no_stale_accept"), "must be true");
    } else if (e.has("no_duplicate_tx")) {
      x.kind = Expectation::Kind::kNoDuplicateTx;
      if (!e.boolean("no_duplicate_tx", true)) e.fail_key("no_duplicate_tx", e.get("no_duplicate_tx"), "must be true");
    } else {
      e.fail(e.node(),
             "unknown expectation (alert, no_alert, incidents, action, slice_contains, p99_below, sli, "
             "ledger_sums_to_zero, no_stale_accept, no_duplicate_tx, markets_suspended_at, markets_open_from)");
    }
    e.done();
    s.expect.push_back(x);
  }
  r.done();
  return s;
}

Scenario load_scenario(const std::string& path) {
  Scenario s = parse_scenario(read_yaml_file(path, "scenario"), path);
  auto rel = [&](std::string& p) {
    if (!p.empty() && !std::filesystem::path(p).is_absolute())
      p = (std::filesystem::path(path).parent_path() / p).string();
  };
  rel(s.slo_file);
  rel(s.playbook_file);
  check_scenario_names(s, scenario_slos(s));
  return s;
}

SloCatalogue scenario_slos(const Scenario& s) {
  return s.slo_file.empty() ? parse_slo_catalogue(kShippedSlosYaml, "config/slos.yaml (built in)")
                            : load_slo_file(s.slo_file);
}

void check_scenario_names(const Scenario& s, const SloCatalogue& slos) {
  std::vector<std::string> alerts{"slo_burn"}, names;
  for (const ThresholdAlertSpec& a : slos.alerts) alerts.push_back(a.name);
  for (const SloSpec& x : slos.slos) names.push_back(x.name);
  const std::string from = s.slo_file.empty() ? "the shipped SLO file" : s.slo_file;
  for (const Expectation& e : s.expect) {
    const bool alert = e.kind == Expectation::Kind::kAlert || e.kind == Expectation::Kind::kNoAlert;
    const std::vector<std::string>* known = alert ? &alerts : e.kind == Expectation::Kind::kSli ? &names : nullptr;
    if (!known || std::find(known->begin(), known->end(), e.name) != known->end()) continue;
    const char* key = e.kind == Expectation::Kind::kAlert ? "alert" : alert ? "no_alert" : "sli";
    throw YamlError(fmt::format("{}:{}: {}.{}: no {} named '{}' in {}{}", s.file, e.line, e.where, key,
                                alert ? "alert" : "SLO", e.name, from, did_you_mean(e.name, *known)));
  }
}

}  // namespace inplay
