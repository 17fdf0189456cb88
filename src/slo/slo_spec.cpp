#include "slo/slo_spec.h"

#include <fmt/format.h>

#include <set>

#include "core/yaml_reader.h"

namespace inplay {

namespace {

// Sources fed today, and those whose hop has not landed (no data yet).
const std::set<std::string> kLiveSources{"bet_accept",    "bet_requests",   "market_prices",     "feed_messages",
                                         "synthetic_bets", "settlement_lag", "settlement_correct",
                                         "cashout_quotes", "odds_updates",  "wallet_auth", "support_replies",
                                         "wallet_tx_unique", "kyc_screening"};
const std::set<std::string> kFutureSources{};
// Signals the incident loop samples, and those whose hop has not landed.
const std::set<std::string> kLiveSignals{
    "market_staleness_ratio", "feed_parse_error_ratio", "market_drift_flagged", "bet_accept_p99_seconds",
    "market_bet_rate", "market_engine_share", "synthetic_failed_rounds", "engine_queue_lag_seconds", "feed_down", "feed_schema_skew",
    "dlq_growth", "settlement_lag_seconds", "settlement_shadow_mismatches", "feed_delay_seconds",
    "reference_feed_problem", "journal_unwritable", "disk_used_ratio", "cashout_stale_ratio",
    "psp_route_unavailable", "psp_auth_failure_ratio",
    "support_tag_rate_ratio", "duplicate_tx", "psp_timeouts_sigma", "payment_reconciliation_mismatches",
    "kyc_backlog", "kyc_vendor_error_ratio", "high_exposure_price_age_seconds", "canary_staleness_ratio",
    "odds_update_p95_shift", "book_took_over", "standby_lost"};
const std::set<std::string> kFutureSignals{};

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return s[0] >= 'a' && s[0] <= 'z';
}

Severity read_severity(YamlReader& r, const char* dflt) {
  return r.choice("severity", {"page", "ticket"}, dflt) == "page" ? Severity::kPage : Severity::kTicket;
}

std::vector<BurnAlert> read_burn_alerts(YamlReader& r, int64_t period_s) {
  std::vector<BurnAlert> out;
  for (auto& b : r.list("burn_alerts")) {
    BurnAlert a;
    a.tier = b.str("tier", true);
    if (!valid_name(a.tier)) b.fail_key("tier", b.get("tier"), "must be lower-case letters, digits and _");
    a.severity = read_severity(b, "page");
    a.long_s = b.duration_ms("long", true, 0, 1000, period_s * 1000) / 1000;
    a.short_s = b.duration_ms("short", true, 0, 1000, period_s * 1000) / 1000;
    if (a.short_s >= a.long_s) b.fail_key("short", b.get("short"), "must be shorter than long");
    a.burn_rate = b.number("burn_rate", 0, 0.01, 100000);
    if (a.burn_rate <= 0) b.fail(b.node(), "missing required key 'burn_rate'");
    b.done();
    out.push_back(a);
  }
  return out;
}

SloSpec read_slo(YamlReader& r, const std::vector<BurnAlert>& default_alerts, int64_t default_period_s) {
  SloSpec s;
  s.name = r.str("name", true);
  if (!valid_name(s.name)) r.fail_key("name", r.get("name"), "must be lower-case letters, digits and _");
  s.path = r.str("path", true);
  s.description = r.str("description", false);
  s.service = r.str("service", true);
  if (!valid_name(s.service)) r.fail_key("service", r.get("service"), "must be lower-case letters, digits and _");
  s.runbook = r.str("runbook", true);
  s.target = r.number("target", -1, 0.5, 0.999999);
  if (s.target < 0) r.fail(r.node(), "missing required key 'target'");
  if (s.target >= 1.0) r.fail_key("target", r.get("target"), "must be below 1 (a 100% target has no budget)");
  s.period_s = r.duration_ms("period", false, default_period_s * 1000, 3600000, 90LL * 86400000) / 1000;
  s.slice_by = r.strings("slice_by");
  for (auto& l : s.slice_by)
    if (l != "market_id" && l != "league" && l != "event_id" && l != "feed" && l != "psp_route")
      r.fail_key("slice_by", r.get("slice_by"),
                 fmt::format("unknown label '{}' (market_id, league, event_id, feed, psp_route)", l));

  auto sli = r.child("sli");
  if (!r.has("sli")) r.fail(r.node(), "missing required key 'sli'");
  std::string kind = sli.choice("kind", {"latency", "availability", "freshness", "correctness"});
  s.sli.kind = kind == "latency"        ? SliKind::kLatency
               : kind == "availability" ? SliKind::kAvailability
               : kind == "freshness"    ? SliKind::kFreshness
                                        : SliKind::kCorrectness;
  s.sli.source = sli.str("source", true);
  if (!slo_source_known(s.sli.source))
    sli.fail_key("source", sli.get("source"), fmt::format("unknown source '{}'", s.sli.source));
  // A latency SLI and a quote-freshness one (cashout_quotes: the price's
  // age when the offer was made) are good up to a threshold.
  if (s.sli.kind == SliKind::kLatency || s.sli.source == "cashout_quotes" || s.sli.source == "odds_updates") {
    s.sli.threshold_ms = sli.duration_ms("threshold", true, 0, 1, 3600000);
  }
  s.sli.per_market_cap = sli.integer("per_market_cap", false, 0, 0, 1000000000);
  s.sli.cap_window_s = sli.duration_ms("cap_window", false, 600000, 60000, 3600000) / 1000;
  s.sli.stake_weighted = sli.choice("weight", {"count", "stake"}, "count") == "stake";
  if (s.sli.stake_weighted && s.sli.source != "bet_accept")
    sli.fail_key("weight", sli.get("weight"), "stake weighting needs the bet_accept source");
  sli.done();

  s.burn_alerts = r.has("burn_alerts") ? read_burn_alerts(r, s.period_s) : default_alerts;
  for (auto& a : s.burn_alerts)
    if (a.long_s > s.period_s)
      r.fail_key("burn_alerts", r.get("burn_alerts"), "a long window is longer than the period");
  r.done();
  return s;
}

ThresholdAlertSpec read_alert(YamlReader& r) {
  ThresholdAlertSpec a;
  a.name = r.str("name", true);
  if (!valid_name(a.name)) r.fail_key("name", r.get("name"), "must be lower-case letters, digits and _");
  a.signal = r.str("signal", true);
  if (!alert_signal_known(a.signal))
    r.fail_key("signal", r.get("signal"), fmt::format("unknown signal '{}'", a.signal));
  if (!r.has("above")) r.fail(r.node(), "missing required key 'above'");
  a.above = r.number("above", 0, -1e12, 1e12);
  a.for_s = r.duration_ms("for", false, 0, 0, 86400000) / 1000;
  a.severity = read_severity(r, "page");
  a.service = r.str("service", true);
  a.summary = r.str("summary", true);
  a.runbook = r.str("runbook", true);
  a.top_markets_only = r.boolean("top_markets_only", false);
  r.done();
  return a;
}

}  // namespace

const char* sli_kind_name(SliKind k) {
  switch (k) {
    case SliKind::kLatency: return "latency";
    case SliKind::kAvailability: return "availability";
    case SliKind::kFreshness: return "freshness";
    case SliKind::kCorrectness: return "correctness";
  }
  return "?";
}

const char* severity_name(Severity s) { return s == Severity::kPage ? "page" : "ticket"; }

std::vector<BurnAlert> workbook_burn_alerts() {
  return {BurnAlert{"fast", Severity::kPage, 3600, 300, 14.4},
          BurnAlert{"medium", Severity::kPage, 6 * 3600, 1800, 6.0},
          BurnAlert{"slow", Severity::kTicket, 3 * 86400, 6 * 3600, 1.0}};
}

bool slo_source_known(const std::string& source) {
  return kLiveSources.count(source) || kFutureSources.count(source);
}

bool alert_signal_known(const std::string& signal) {
  return kLiveSignals.count(signal) || kFutureSignals.count(signal);
}

bool slo_source_wired(const std::string& source) { return kLiveSources.count(source) > 0; }
bool alert_signal_wired(const std::string& signal) { return kLiveSignals.count(signal) > 0; }

const SloSpec* SloCatalogue::find(const std::string& name) const {
  for (auto& s : slos)
    if (s.name == name) return &s;
  return nullptr;
}

SloCatalogue parse_slo_catalogue(const std::string& yaml_text, const std::string& file_name) {
  YAML::Node root = load_yaml(yaml_text, file_name);
  if (!root.IsDefined() || root.IsNull()) throw YamlError(fmt::format("{}:1: the SLO file is empty", file_name));
  YamlReader r(root, "", file_name);
  SloCatalogue c;
  c.version = static_cast<int>(r.integer("version", true, 1, 1, 1));
  auto defaults = r.child("defaults");
  int64_t period_s = defaults.duration_ms("period", false, 28LL * 86400000, 3600000, 90LL * 86400000) / 1000;
  std::vector<BurnAlert> burn = defaults.has("burn_alerts") ? read_burn_alerts(defaults, period_s)
                                                            : workbook_burn_alerts();
  defaults.done();
  std::set<std::string> names;
  for (auto& s : r.list("slos")) {
    SloSpec spec = read_slo(s, burn, period_s);
    if (!names.insert(spec.name).second)
      s.fail_key("name", s.get("name"), fmt::format("SLO '{}' is defined twice", spec.name));
    c.slos.push_back(std::move(spec));
  }
  if (c.slos.empty()) r.fail(r.node(), "the file defines no SLO (key 'slos')");
  std::set<std::string> alert_names;
  for (auto& a : r.list("alerts")) {
    ThresholdAlertSpec spec = read_alert(a);
    if (!alert_names.insert(spec.name).second)
      a.fail_key("name", a.get("name"), fmt::format("alert '{}' is defined twice", spec.name));
    c.alerts.push_back(std::move(spec));
  }
  r.done();
  return c;
}

SloCatalogue load_slo_file(const std::string& path) {
  return parse_slo_catalogue(read_yaml_file(path, "SLO file"), path);
}

}  // namespace inplay
