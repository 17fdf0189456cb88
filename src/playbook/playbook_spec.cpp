#include "playbook/playbook_spec.h"

#include <fmt/format.h>

#include <set>

#include "core/yaml_reader.h"

namespace inplay {

namespace {

struct ActionName {
  ActionType type;
  const char* name;
};
constexpr ActionName kActions[] = {
    {ActionType::kSwitchFeed, "switch_feed"},       {ActionType::kSuspendMarket, "suspend_market"},
    {ActionType::kFreezeCashout, "freeze_cashout"}, {ActionType::kLowerStakeCap, "lower_stake_cap"},
    {ActionType::kExtendDelay, "extend_delay"},     {ActionType::kShedLoad, "shed_load"},
    {ActionType::kSwitchPspRoute, "switch_psp_route"}, {ActionType::kSwitchKycVendor, "switch_kyc_vendor"},
    {ActionType::kPauseKycRule, "pause_kyc_rule"},
};

LabelSet read_matchers(YamlReader& r, std::string_view key) {
  LabelSet out;
  auto m = r.child(key);
  for (auto& [k, n] : m.entries()) out[k] = m.str(k, true);
  m.done();
  return out;
}

int clock_minute(YamlReader& r, std::string_view key) {
  std::string s = r.str(key, true);
  if (s.size() != 5 || s[2] != ':' || !isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[3]) || !isdigit(s[4]))
    r.fail_key(key, r.get(key), "must be a time of day like 23:00 (UTC)");
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) r.fail_key(key, r.get(key), "must be a time of day like 23:00 (UTC)");
  return h * 60 + m;
}

RoutingConfig read_routing(YamlReader r) {
  RoutingConfig c;
  if (r.has("group_by")) {
    c.group_by = r.strings("group_by");
    if (c.group_by.empty()) r.fail_key("group_by", r.get("group_by"), "must name at least one label");
  }
  c.group_wait_ns = r.duration_ms("group_wait", false, 1000, 0, 3600000) * 1000000;
  c.group_interval_ns = r.duration_ms("group_interval", false, 30000, 1000, 86400000) * 1000000;
  c.repeat_interval_ns = r.duration_ms("repeat_interval", false, 4 * 3600000, 1000, 7 * 86400000LL) * 1000000;
  c.max_notifications_per_minute =
      static_cast<int>(r.integer("max_notifications_per_minute", false, 30, 1, 100000));
  c.high_exposure_minor = r.integer("high_exposure_minor", false, c.high_exposure_minor, 0, INT64_MAX / 4);
  if (r.has("quiet_hours")) {
    auto q = r.child("quiet_hours");
    c.quiet_from_minute = clock_minute(q, "from");
    c.quiet_to_minute = clock_minute(q, "to");
    q.done();
  }
  if (r.has("inhibit")) {
    c.inhibit.clear();
    for (auto& i : r.list("inhibit")) {
      InhibitRule rule;
      rule.source = read_matchers(i, "source");
      rule.target = read_matchers(i, "target");
      if (rule.source.empty() || rule.target.empty())
        i.fail(i.node(), "an inhibit rule needs source and target matchers");
      rule.equal = i.strings("equal");
      i.done();
      c.inhibit.push_back(std::move(rule));
    }
  }
  r.done();
  return c;
}

}  // namespace

const char* action_type_name(ActionType t) {
  for (auto& a : kActions)
    if (a.type == t) return a.name;
  return "unknown";
}

bool market_scoped(ActionType t) {
  return t != ActionType::kSwitchFeed && t != ActionType::kSwitchPspRoute && t != ActionType::kSwitchKycVendor &&
         t != ActionType::kPauseKycRule;
}

bool parse_action_type(const std::string& s, ActionType& out) {
  for (auto& a : kActions)
    if (s == a.name) {
      out = a.type;
      return true;
    }
  return false;
}

PlaybookFile parse_playbook_file(const std::string& yaml_text, const std::string& file_name) {
  YAML::Node root = load_yaml(yaml_text, file_name);
  if (!root.IsDefined() || root.IsNull()) throw YamlError(fmt::format("{}:1: the playbook file is empty", file_name));
  YamlReader r(root, "", file_name);
  PlaybookFile f;
  r.integer("version", true, 1, 1, 1);
  f.routing = read_routing(r.child("routing"));
  for (auto& n : r.list("notifiers")) {
    NotifierSpec s;
    s.type = n.choice("type", {"webhook", "alertmanager"});
    s.url = n.str("url", true);
    if (s.url.rfind("http://", 0) != 0) n.fail_key("url", n.get("url"), "must be an http:// URL");
    n.done();
    f.notifiers.push_back(std::move(s));
  }
  auto g = r.child("guards");
  f.guards.max_actions = static_cast<int>(g.integer("max_actions", false, 20, 1, 10000));
  f.guards.window_s = g.duration_ms("window", false, 600000, 1000, 86400000) / 1000;
  f.guards.cooldown_s = g.duration_ms("cooldown", false, 60000, 0, 86400000) / 1000;
  f.guards.dry_run = g.boolean("dry_run", false);
  f.guards.revert_after_s = g.duration_ms("revert_after", false, 60000, 0, 86400000) / 1000;
  f.guards.feed_revert_hold_s = g.duration_ms("feed_revert_hold", false, 60000, 0, 86400000) / 1000;
  g.done();
  std::set<std::string> names;
  for (auto& p : r.list("playbooks")) {
    PlaybookSpec s;
    s.name = p.str("name", true);
    if (!names.insert(s.name).second) p.fail_key("name", p.get("name"), "is used twice");
    s.when = read_matchers(p, "when");
    if (s.when.empty()) p.fail(p.node(), "missing required key 'when' (label matchers)");
    for (auto& a : p.list("actions")) {
      ActionSpec as;
      std::string t = a.str("do", true);
      if (!parse_action_type(t, as.type))
        a.fail_key("do", a.get("do"),
                   "must be one of switch_feed, suspend_market, freeze_cashout, lower_stake_cap, "
                   "extend_delay, shed_load, switch_psp_route, switch_kyc_vendor, pause_kyc_rule");
      if (as.type == ActionType::kLowerStakeCap) as.value = a.integer("stake_cap_minor", true, 0, 1, INT64_MAX / 4);
      if (as.type == ActionType::kExtendDelay) as.value = a.duration_ms("delay", true, 0, 1, 60000);
      if (as.type == ActionType::kShedLoad) {
        as.share_pct = a.integer("share_of_decided", false, 0, 1, 100);
        as.value = a.integer("bets_per_second", as.share_pct == 0, 0, 1, 1000000);
      }
      if (market_scoped(as.type)) as.league_scope = a.choice("scope", {"alert", "league"}, "alert") == "league";
      as.fallback = a.boolean("if_previous_failed", false);
      if (as.fallback && s.actions.empty())
        a.fail_key("if_previous_failed", a.get("if_previous_failed"), "the first action has no previous one");
      a.done();
      s.actions.push_back(as);
    }
    if (s.actions.empty()) p.fail(p.node(), "a playbook needs at least one action");
    s.approval = p.boolean("approval", false);
    s.revert = p.boolean("revert", true);
    p.done();
    f.playbooks.push_back(std::move(s));
  }
  for (auto& c : r.list("correlate")) {
    CorrelationRule rule;
    rule.cause = read_matchers(c, "cause");
    rule.effect = read_matchers(c, "effect");
    if (rule.cause.empty() || rule.effect.empty()) c.fail(c.node(), "a rule needs cause and effect (label matchers)");
    if (c.has("equal")) rule.equal = c.strings("equal");
    rule.within_s = c.duration_ms("within", false, 600000, 1000, 86400000) / 1000;
    c.done();
    f.correlate.push_back(std::move(rule));
  }
  for (auto& b : r.list("budget_guards")) {
    BudgetGuardSpec s;
    s.slo = b.str("slo", true);
    s.tighten_above = b.number("tighten_above", 2.0, 0.01, 1e6);
    s.relax_below = b.number("relax_below", 1.0, 0.0, 1e6);
    if (s.relax_below >= s.tighten_above)
      b.fail_key("relax_below", b.get("relax_below"), "must be below tighten_above");
    s.relax_after_s = b.duration_ms("relax_after", false, 300000, 0, 86400000) / 1000;
    s.stake_cap_minor = b.integer("stake_cap_minor", false, 0, 0, INT64_MAX / 4);
    s.extra_delay_ms = b.duration_ms("extra_delay", false, 0, 0, 60000);
    if (!s.stake_cap_minor && !s.extra_delay_ms)
      b.fail(b.node(), "a budget guard needs stake_cap_minor or extra_delay");
    b.done();
    f.budget_guards.push_back(std::move(s));
  }
  r.done();
  return f;
}

PlaybookFile load_playbook_file(const std::string& path) {
  return parse_playbook_file(read_yaml_file(path, "playbook file"), path);
}

}  // namespace inplay
