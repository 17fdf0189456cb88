#include "gameday/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "app/shipped_configs.h"
#include "core/spelling.h"
#include "core/time_format.h"
#include "core/yaml_reader.h"
#include "slo/slo_spec.h"
#include "support/support_terms.h"

namespace inplay {

size_t surge_market_index(const std::string& market) {
  return market == "total_goals" ? 1 : market == "btts" ? 2 : 0;
}

bool Scenario::kyc() const {
  return std::any_of(faults.begin(), faults.end(), [](const ScenarioFault& f) { return f.kind == ScenarioFault::Kind::kKyc; });
}

bool Scenario::payments() const {
  return payments_per_minute > 0 || kyc() ||
         std::any_of(faults.begin(), faults.end(), [](const ScenarioFault& f) { return f.kind == ScenarioFault::Kind::kPsp; });
}

namespace {

std::string describe_psp(const PspFaultPatch& p) {
  std::string s;
  auto num = [&](const char* k, const auto& v) {
    if (v) s += fmt::format(" {} {}", k, *v);
  };
  num("latency_ms", p.latency_ms);
  num("jitter_ms", p.jitter_ms);
  num("error_rate", p.error_rate);
  num("timeout_rate", p.timeout_rate);
  num("hang_ms", p.hang_ms);
  num("decline_rate", p.decline_rate);
  num("async_rate", p.async_rate);
  num("callback_delay_ms", p.callback_delay_ms);
  num("duplicate_callback_rate", p.duplicate_callback_rate);
  num("out_of_order_rate", p.out_of_order_rate);
  if (p.down) s += *p.down ? " down" : " up";
  return s;
}

// psp: {route, <PSP faults>, for}; at least one fault.
void read_psp_fault(YamlReader& g, ScenarioFault& sf) {
  sf.kind = ScenarioFault::Kind::kPsp;
  sf.route = g.choice("route", {"psp-a", "psp-b"});
  PspFaultPatch& p = sf.psp;
  auto ms = [&](const char* k, std::optional<int64_t>& v) {
    if (g.has(k)) v = g.integer(k, true, 0, 0, 600000);
  };
  auto rate = [&](const char* k, std::optional<double>& v) {
    if (g.has(k)) v = g.number(k, 0, 0, 1);
  };
  ms("latency_ms", p.latency_ms);
  ms("jitter_ms", p.jitter_ms);
  rate("error_rate", p.error_rate);
  rate("timeout_rate", p.timeout_rate);
  ms("hang_ms", p.hang_ms);
  rate("decline_rate", p.decline_rate);
  rate("async_rate", p.async_rate);
  ms("callback_delay_ms", p.callback_delay_ms);
  rate("duplicate_callback_rate", p.duplicate_callback_rate);
  rate("out_of_order_rate", p.out_of_order_rate);
  if (g.has("down")) p.down = g.boolean("down", false);
  sf.for_s = g.duration_ms("for", true, 0, 1000, 86400000) / 1000;
  if (describe_psp(p).empty())
    g.missing({"latency_ms", "jitter_ms", "error_rate", "timeout_rate", "hang_ms", "decline_rate", "async_rate",
               "callback_delay_ms", "duplicate_callback_rate", "out_of_order_rate", "down"});
  g.done();
}

std::string describe_kyc(const KycVendorFaultPatch& p) {
  std::string s;
  auto num = [&](const char* k, const auto& v) {
    if (v) s += fmt::format(" {} {}", k, *v);
  };
  num("latency_ms", p.latency_ms);
  num("jitter_ms", p.jitter_ms);
  num("error_rate", p.error_rate);
  num("refer_rate", p.refer_rate);
  num("reject_rate", p.reject_rate);
  num("false_positive_rate", p.false_positive_rate);
  if (p.down) s += *p.down ? " down" : " up";
  return s;
}

// kyc: {vendor, <vendor faults>, for}; at least one fault.
void read_kyc_fault(YamlReader& g, ScenarioFault& sf) {
  sf.kind = ScenarioFault::Kind::kKyc;
  sf.vendor = g.choice("vendor", {"kyc-a", "kyc-b"});
  KycVendorFaultPatch& p = sf.kyc;
  auto ms = [&](const char* k, std::optional<int64_t>& v) {
    if (g.has(k)) v = g.integer(k, true, 0, 0, 600000);
  };
  auto rate = [&](const char* k, std::optional<double>& v) {
    if (g.has(k)) v = g.number(k, 0, 0, 1);
  };
  ms("latency_ms", p.latency_ms);
  ms("jitter_ms", p.jitter_ms);
  rate("error_rate", p.error_rate);
  rate("refer_rate", p.refer_rate);
  rate("reject_rate", p.reject_rate);
  rate("false_positive_rate", p.false_positive_rate);
  if (g.has("down")) p.down = g.boolean("down", false);
  sf.for_s = g.duration_ms("for", true, 0, 1000, 86400000) / 1000;
  if (describe_kyc(p).empty())
    g.missing({"latency_ms", "jitter_ms", "error_rate", "refer_rate", "reject_rate", "false_positive_rate", "down"});
  g.done();
}

}  // namespace

std::string ScenarioFault::describe() const {
  if (kind == Kind::kKyc) return fmt::format("{}s kyc {}:{} for {} s", at_s, vendor, describe_kyc(kyc), for_s);
  if (kind == Kind::kPsp) return fmt::format("{}s psp {}:{} for {} s", at_s, route, describe_psp(psp), for_s);
  if (kind == Kind::kSurge)
    return fmt::format("{}s surge: match {} {} +{} bets/s for {} s", at_s, match, market, bets_per_s, for_s);
  if (kind == Kind::kEngine) return fmt::format("{}s engine: {} ms per bet", at_s, bet_cost_ms);
  if (kind == Kind::kSupportSpike)
    return fmt::format("{}s support_tag_spike: +{} contacts/min tagged {} for {} s", at_s, contacts_per_min, tag, for_s);
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
  if (c.results_late_ms) s += fmt::format(" results late {} ms", *c.results_late_ms);
  if (c.results_wrong_first) s += *c.results_wrong_first ? " results wrong first" : " results right first";
  if (c.results_withheld) s += *c.results_withheld ? " results withheld" : " results sent";
  if (c.results_skew) s += *c.results_skew ? " results schema skew -> 2.0" : " results skew off";
  return s;
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
    sm.minute = m.integer("minute", false, -1, 0, 104);  // since kick-off, half-time included: full time at 105
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
  s.cashouts_per_second = load.number("cashouts_per_second", s.cashouts_per_second, 0, 10000);
  s.stake_median_minor = load.integer("stake_median_minor", false, 1000, 100, 50000);
  s.accounts = load.integer("accounts", false, 50, 1, 100000);
  s.support_contacts_per_minute = load.number("support_contacts_per_minute", 0, 0, 100000);
  s.payments_per_minute = load.number("payments_per_minute", 0, 0, 100000);
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
    int kinds =
        f.has("feed") + f.has("surge") + f.has("engine") + f.has("support_tag_spike") + f.has("psp") + f.has("kyc");
    if (kinds != 1) f.fail(f.node(), "a fault names exactly one of feed, surge, engine, support_tag_spike, psp, kyc");
    if (f.has("psp") || f.has("kyc")) {
      auto g = f.child(f.has("psp") ? "psp" : "kyc");
      if (f.has("psp")) read_psp_fault(g, sf);
      else read_kyc_fault(g, sf);
      f.done();
      s.faults.push_back(sf);
      continue;
    }
    if (f.has("support_tag_spike")) {
      sf.kind = ScenarioFault::Kind::kSupportSpike;
      auto g = f.child("support_tag_spike");
      sf.tag = g.str("tag", true);
      // The scenario's book counts the default support tags by name; any
      // other would be "other" and its alert would not say the tag.
      const std::vector<std::string> tags = SupportTerms{}.tags;
      if (std::find(tags.begin(), tags.end(), sf.tag) == tags.end()) {
        std::string list;
        for (auto& t : tags) list += (list.empty() ? "" : ", ") + t;
        g.fail_key("tag", g.get("tag"), fmt::format("'{}' is not a support tag{} ({})", sf.tag, did_you_mean(sf.tag, tags), list));
      }
      sf.contacts_per_min = g.number("contacts_per_minute", 0, 0.1, 100000);
      if (!g.has("contacts_per_minute")) g.missing({"contacts_per_minute"});
      sf.for_s = g.duration_ms("for", true, 0, 1000, 86400000) / 1000;
      g.done();
      f.done();
      s.faults.push_back(sf);
      continue;
    }
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
    if (f.has("results_late")) c.results_late_ms = f.duration_ms("results_late", true, 0, 0, 3600000);
    if (f.has("results_wrong_first")) c.results_wrong_first = f.boolean("results_wrong_first", false);
    if (f.has("results_withheld")) c.results_withheld = f.boolean("results_withheld", false);
    if (f.has("results_skew")) c.results_skew = f.boolean("results_skew", false);
    f.done();
    s.faults.push_back(sf);
  }
  std::stable_sort(s.faults.begin(), s.faults.end(),
                   [](const ScenarioFault& a, const ScenarioFault& b) { return a.at_s < b.at_s; });
  for (auto& e : r.list("expect")) {
    if (e.has("labels") && (e.has("alert") || e.has("no_alert"))) {  // an alert's league is one the scenario plays
      auto l = e.child("labels");
      if (l.has("league")) played(l, "league", l.get("league"), l.str("league", true));
    }
    s.expect.push_back(read_expectation(e, s.duration_s, !s.faults.empty()));
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
