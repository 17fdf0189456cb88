#include "app/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "telemetry/audit_key.h"
#include "telemetry/otlp_exporter.h"
#include "app/shipped_configs.h"
#include "core/time_format.h"
#include "core/yaml_reader.h"
#include "projection/postgres_history.h"
#include "settle/market_result.h"
#include "settle/rules.h"
#include "support/support_terms.h"
#include "http/body.h"

namespace inplay {

namespace {

// Strict YAML reading (file:line: key: reason) is core/yaml_reader.h's;
// parse_config turns its YamlError into ConfigError.
using Reader = YamlReader;

// Ids are unique across events, markets and selections; a repeat is reported
// at its own line (the first use is the one that stands).
class IdRegistry {
 public:
  void claim(Reader& r, uint64_t id, std::string_view what) {
    if (!ids_.insert(id).second)
      r.fail_key("id", r.get("id"),
                 fmt::format("{} id {} is used twice (ids are unique across events, markets and selections)",
                             what, id));
  }

 private:
  std::set<uint64_t> ids_;
};

// incidents: {enabled, slo_file, playbook_file, external_url}. The SLO and
// playbook files are read and validated here, so a mistake in them stops
// start-up like any config error (their own file:line: key: reason).
void read_incidents(Reader r, Config& c, const std::string& file) {
  auto& inc = c.incidents;
  inc.enabled = r.boolean("enabled", true);
  inc.builtin_alerts = r.boolean("builtin_alerts", true);
  inc.slo_file = r.str("slo_file", false);
  inc.playbook_file = r.str("playbook_file", false);
  inc.external_url = r.str("external_url", false);
  if (!inc.external_url.empty() && inc.external_url.rfind("http://", 0) != 0 &&
      inc.external_url.rfind("https://", 0) != 0)
    r.fail_key("external_url", r.get("external_url"), "must be an http:// or https:// URL");
  r.done();
  auto relative = [&](const std::string& p) {
    std::filesystem::path fp(p);
    return fp.is_absolute() ? fp : std::filesystem::path(file).parent_path() / fp;
  };
  try {
    inc.slos = inc.slo_file.empty() ? parse_slo_catalogue(kShippedSlosYaml, "config/slos.yaml (built in)")
                                    : load_slo_file(relative(inc.slo_file).string());
    inc.playbooks = inc.playbook_file.empty()
                        ? parse_playbook_file(kShippedPlaybooksYaml, "config/playbooks.yaml (built in)")
                        : load_playbook_file(relative(inc.playbook_file).string());
  } catch (const YamlError& e) {
    throw ConfigError(e.what());
  }
}

int64_t parse_rfc3339_ms(const Reader& r, const std::string& key, const std::string& s, const YAML::Node& n) {
  int64_t ns = 0;
  const bool zulu = !s.empty() && (s.back() == 'Z' || s.back() == 'z');
  if (!parse_rfc3339_ns(s, ns)) {
    // Without its zone a time would read as local: say what is missing.
    if (!zulu && parse_rfc3339_ns(s + "Z", ns)) r.fail_key(key, n, "must end in Z (UTC)");
    r.fail_key(key, n, "must be an RFC 3339 UTC time like 2026-11-28T15:00:00Z");
  }
  if (!zulu) r.fail_key(key, n, "must end in Z (UTC)");
  return ns / 1000000;
}

std::map<std::string, Nanos> millis_map(Reader r) {
  std::map<std::string, Nanos> out;
  for (auto& [k, n] : r.entries()) {
    int64_t v = r.integer(k, true, 0, 0, 3600000);
    out[k] = std::chrono::milliseconds(v);
  }
  r.done();
  return out;
}

// The newer market types settle only selections the rules know (a
// correct score up to 3-3 or "other", "home_draw", ...): a name the rules
// cannot settle would leave its bets open forever, so it is refused here.
void check_selection_names(Reader& m, const MarketConfig& mc) {
  static constexpr MarketType kChecked[] = {MarketType::kAsianHandicap, MarketType::kDoubleChance,
                                            MarketType::kDrawNoBet, MarketType::kCorrectScore};
  if (std::find(std::begin(kChecked), std::end(kChecked), mc.type) == std::end(kChecked)) return;
  Market probe;
  probe.type = mc.type;
  probe.line_quarters = mc.line_quarters;
  const std::optional<RuleMarket> rm = rule_market(probe);
  for (const SelectionConfig& sc : mc.selections)
    if (!rm || !settle_selection(rm->market, rm->line_for(sc.name), sc.name, Score{0, 0}))
      m.fail(m.node(), fmt::format("selection '{}' is not one a {} market settles", sc.name, market_type_name(mc.type)));
}

MarketConfig read_market(Reader m, IdRegistry& ids) {
  MarketConfig mc;
  mc.id = static_cast<uint64_t>(m.integer("id", true, 0, 1, INT64_MAX));
  ids.claim(m, mc.id, "market");
  std::string type = m.str("type", true);
  if (!parse_market_type(type, mc.type))
    m.fail_key("type", m.get("type"),
               "must be match_result, total_goals, btts, asian_handicap, double_chance, draw_no_bet or correct_score");
  if (market_type_has_line(mc.type)) {
    // Exact, in quarter goals: totals on half, whole and quarter lines
    // (2.5, 2, 2.25); a handicap is the home side's (-0.75, 0, +1).
    Line line{10};
    if (m.has("line") && !Line::parse(m.str("line", true), line))
      m.fail_key("line", m.get("line"), "must be a multiple of 0.25 within 20 goals, like 2.5, 2.25 or -0.75");
    if (mc.type == MarketType::kTotalGoals && line.quarters <= 0)
      m.fail_key("line", m.get("line"), "a total goals line must be above 0");
    if (mc.type == MarketType::kAsianHandicap && !m.has("line")) line.quarters = 0;
    mc.line_quarters = line.quarters;
  } else if (m.has("line")) {
    m.fail_key("line", m.get("line"), "only total_goals and asian_handicap markets have a line");
  }
  if (m.choice("period", {"full_time", "first_half"}, "full_time") == "first_half")
    mc.period = MarketPeriod::kFirstHalf;
  for (auto& s : m.list("selections")) {
    SelectionConfig sc;
    sc.id = static_cast<uint64_t>(s.integer("id", true, 0, 1, INT64_MAX));
    ids.claim(s, sc.id, "selection");
    sc.name = s.str("name", true);
    std::string odds = s.str("odds", true);
    if (!Odds::parse(odds, sc.odds))
      s.fail_key("odds", s.get("odds"), "must be decimal odds between 1.01 and 1000");
    s.done();
    mc.selections.push_back(sc);
  }
  if (mc.selections.empty()) m.fail(m.node(), "a market needs selections");
  check_selection_names(m, mc);
  m.done();
  return mc;
}

// One of: kickoff (an RFC 3339 time: a real fixture's date), kickoff_in
// ("20m", "-30m": relative to the book's start) or minute (in play, that
// many minutes in at the start). Fixtures on the real clock use the relative
// forms: a fixed date is long past a week later (book_start.h).
void read_kickoff(Reader& e, EventConfig& ec) {
  std::vector<const char*> given;
  for (const char* k : {"kickoff", "kickoff_in", "minute"})
    if (e.has(k)) given.push_back(k);
  if (given.size() != 1) {
    const char* at = given.empty() ? "id" : given[1];  // point at the second one given
    e.fail_key(at, e.get(at),
               "give exactly one of kickoff (RFC 3339 time), kickoff_in (e.g. 20m or -30m) or minute (0-120)");
  }
  if (e.has("kickoff")) {
    std::string ko = e.str("kickoff", true);
    ec.kickoff_ms = parse_rfc3339_ms(e, "kickoff", ko, e.get("kickoff"));
  } else if (e.has("kickoff_in")) {
    std::string in = e.str("kickoff_in", true);
    const bool before = !in.empty() && in[0] == '-';
    int64_t ms = 0;
    if (!parse_duration_ms(before ? std::string_view(in).substr(1) : std::string_view(in), ms) ||
        ms > 30LL * 86400 * 1000)
      e.fail_key("kickoff_in", e.get("kickoff_in"),
                 "must be a duration from the book's start like 20m, 2h or -30m (at most 30d either way)");
    ec.kickoff_in_ms = before ? -ms : ms;
  } else {
    ec.kickoff_in_ms = -e.integer("minute", true, 0, 0, 120) * 60000;
  }
}

EventConfig read_event(Reader e, IdRegistry& ids) {
  EventConfig ec;
  ec.id = static_cast<uint64_t>(e.integer("id", true, 0, 1, INT64_MAX));
  ids.claim(e, ec.id, "event");
  ec.sport = e.str("sport", false, "football");
  ec.league = e.str("league", true);
  ec.home = e.str("home", true);
  ec.away = e.str("away", true);
  read_kickoff(e, ec);
  std::string st = e.str("state", false, ec.kickoff_in_ms && e.has("minute") ? "in_play" : "pre_match");
  if (st == "pre_match") ec.state = EventState::kPreMatch;
  else if (st == "in_play") ec.state = EventState::kInPlay;
  else if (st == "ended") ec.state = EventState::kEnded;
  else e.fail_key("state", e.get("state"), "must be pre_match, in_play or ended");
  for (auto& m : e.list("markets")) ec.markets.push_back(read_market(m, ids));
  ec.lambda_home = e.number("lambda_home", ec.lambda_home, 0.05, 10.0);
  ec.lambda_away = e.number("lambda_away", ec.lambda_away, 0.05, 10.0);
  e.done();
  return ec;
}

void read_feeds(Reader& r, Config& c) {
  std::set<std::string> names;
  for (auto& f : r.list("feeds")) {
    FeedConfig fc;
    fc.name = f.str("name", true);
    if (!names.insert(fc.name).second) f.fail_key("name", f.get("name"), "is used twice");
    fc.sport = f.str("sport", false, fc.sport);
    std::string role = f.str("role", true);
    if (!parse_feed_role(role, fc.role))
      f.fail_key("role", f.get("role"), "must be primary, backup or reference");
    fc.host = f.str("host", false, fc.host);
    fc.port = static_cast<uint16_t>(f.integer("port", false, 0, 0, 65535));
    fc.alive_timeout = std::chrono::milliseconds(f.integer("alive_timeout_ms", false, 3000, 100, 600000));
    if (f.has("schemas")) {
      auto n = f.get("schemas");
      if (!n.IsSequence() || n.size() == 0) f.fail_key("schemas", n, "must be a non-empty list of versions");
      fc.accepted_schemas.clear();
      for (const auto& v : n) fc.accepted_schemas.push_back(v.as<std::string>());
    }
    f.done();
    c.feeds.push_back(fc);
  }
  auto fo = r.child("feed_options");
  c.feed_options.drift_band = fo.number("drift_band", c.feed_options.drift_band, 0.0, 10.0);
  c.feed_options.drift_hold_ns = fo.integer("drift_hold_ms", false, 60000, 0, 3600000) * 1000000;
  c.feed_options.fresh_within_ns = fo.integer("fresh_within_ms", false, 1000, 1, 60000) * 1000000;
  if (fo.has("canary_markets")) {
    auto cm = fo.child("canary_markets");
    for (auto& [sport, n] : cm.entries())
      c.feed_options.canary_markets[sport] = static_cast<uint64_t>(cm.integer(sport, true, 0, 1, INT64_MAX));
    cm.done();
  }
  if (fo.has("active")) {
    auto act = fo.child("active");
    for (auto& [sport, n] : act.entries()) {
      FeedRole role;
      std::string v = act.str(sport, true);
      if (!parse_feed_role(v, role) || role == FeedRole::kReference)
        act.fail_key(sport, n, "must be primary or backup");
      c.feed_options.initial_active[sport] = role;
    }
    act.done();
  }
  fo.done();
  c.sim_world = r.boolean("sim_world", false);
  c.sim_seed = static_cast<uint64_t>(r.integer("sim_seed", false, 42, 0, INT64_MAX));
  c.sim_refresh_ms = r.integer("sim_refresh_ms", false, c.sim_refresh_ms, 10, 60000);
  c.bettors.bets_per_s = r.number("bettors_per_s", 0.0, 0.0, 100000.0);
  c.bettors.cashouts_per_s = r.number("bettors_cashouts_per_s", 0.0, 0.0, 100000.0);
  c.bettors.payments_per_min = r.number("bettors_payments_per_min", 0.0, 0.0, 100000.0);
  c.support_crowd.contacts_per_min = r.number("sim_support_contacts_per_min", 0.0, 0.0, 100000.0);
  if (r.has("dead_letter_file")) c.dead_letter_file = r.str("dead_letter_file", true);
}

// Trace sampling, log rate and file, and the retention plan (telemetry.*).
void read_telemetry(Reader& tel, Config& c) {
  SamplerOptions& smp = c.sampling;
  smp.ratio = tel.number("sample_ratio", smp.ratio, 0.0, 1.0);
  smp.slow_trace_ns = tel.integer("slow_trace_ms", false, smp.slow_trace_ns / 1000000, 0, 86400000) * 1000000;
  smp.slow_p99 = tel.boolean("slow_p99", smp.slow_p99);
  smp.exemplar_refresh_ns =
      tel.integer("exemplar_refresh_ms", false, smp.exemplar_refresh_ns / 1000000, 100, 86400000) * 1000000;
  c.metrics_max_age_ms = tel.integer("metrics_max_age_ms", false, c.metrics_max_age_ms, 0, 60000);
  c.metrics_scrapes_per_s = tel.integer("metrics_scrapes_per_s", false, c.metrics_scrapes_per_s, 0, 100000);
  c.log_file = tel.str("log_file", false);
  if (tel.has("log_file") && c.log_file.empty())
    tel.fail_key("log_file", tel.get("log_file"), "must be a file path (leave it out for stderr)");

  auto rate = tel.child("log_rate");
  c.log_burst = static_cast<uint32_t>(rate.integer("burst", false, c.log_burst, 1, 1000000));
  c.log_per_s = rate.number("per_s", c.log_per_s, 0.0, 1000000.0);
  rate.done();

  auto ret = tel.child("retention");
  RetentionPlan& plan = c.retention;
  auto traces = ret.child("traces");
  plan.trace_max_age_s = traces.integer("max_age_s", false, plan.trace_max_age_s, 0, 30 * 86400);
  if (plan.trace_max_age_s > 0 && plan.trace_max_age_s < 60)
    traces.fail_key("max_age_s", traces.get("max_age_s"), "must be 0 (count cap only) or at least 60");
  traces.done();
  if (ret.has("logs")) {
    if (c.log_file.empty())
      ret.fail_key("logs", ret.get("logs"), "needs telemetry.log_file (without it logs go to stderr)");
    auto logs = ret.child("logs");
    plan.log_max_bytes = static_cast<uint64_t>(logs.integer("max_mb", false, plan.log_max_bytes >> 20, 1, 65536)) << 20;
    plan.log_keep = static_cast<unsigned>(logs.integer("keep", false, plan.log_keep, 1, 1000));
    logs.done();
  }
  auto audit = ret.child("audit");
  plan.audit_min_days = audit.integer("min_days", false, plan.audit_min_days, 1, 36500);
  if (plan.audit_min_days < kAuditMinDaysFloor)
    audit.fail_key("min_days", audit.get("min_days"),
                   fmt::format("must be at least {} (audit records are kept five years or more)",
                               kAuditMinDaysFloor));
  audit.done();
  ret.done();
}

}  // namespace

Config parse_config_yaml(const std::string& text, const std::string& file);

Config parse_config(const std::string& text, const std::string& file) {
  try {
    return parse_config_yaml(text, file);
  } catch (const YamlError& e) {
    throw ConfigError(e.what());
  }
}

Config parse_config_yaml(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) throw ConfigError(fmt::format("{}:1: the file must be a YAML mapping", file));
  Config c;
  Reader r(root, "", file);

  auto listen = r.child("listen");
  c.address = listen.str("address", false, c.address);
  c.port = static_cast<uint16_t>(listen.integer("port", false, c.port, 0, 65535));
  c.io_threads = static_cast<int>(listen.integer("io_threads", false, c.io_threads, 1, 64));
  c.body_limit = static_cast<size_t>(listen.integer("body_limit", false, c.body_limit, 256, 16 << 20));
  listen.done();

  c.data_dir = r.str("data_dir", false, c.data_dir.string());
  std::string clock = r.str("clock", false, "real");
  if (clock == "sim") c.sim_clock = true;
  else if (clock != "real") r.fail_key("clock", r.get("clock"), "must be real or sim");
  if (r.has("sim_start")) c.sim_start_ms = parse_rfc3339_ms(r, "sim_start", r.str("sim_start", true), r.get("sim_start"));

  auto journal = r.child("journal");
  if (journal.choice("kind", {"file", "kafka"}, "file") == "kafka") {
    c.kafka_journal = true;
    c.kafka.brokers = journal.str("brokers", true);
    c.kafka.topic = journal.str("topic", false, "inplay-journal");
    c.kafka.transactional_id = journal.str("transactional_id", false, "inplay-book");
    c.kafka.open_timeout_ms = journal.duration_ms("open_timeout", false, 60000, 1000, 3600000);
    c.kafka.lease_ms = journal.duration_ms("lease", false, 5000, 500, 60000);
    if (journal.has("client")) {
      auto client = journal.child("client");
      for (auto& [k, n] : client.entries()) c.kafka.client[k] = client.str(k, true);
      client.done();
    }
  }
  std::string fsync = journal.str("fsync", false, "group");
  if (fsync == "group") c.fsync = FsyncPolicy::kGroup;
  else if (fsync == "none") c.fsync = FsyncPolicy::kNone;
  else journal.fail_key("fsync", journal.get("fsync"), "must be group or none");
  c.segment_bytes = static_cast<uint64_t>(journal.integer("segment_mb", false, 64, 1, 4096)) << 20;
  c.journal_reserve_bytes =
      static_cast<uint64_t>(journal.integer("reserve_mb", false, static_cast<int64_t>(c.journal_reserve_bytes >> 20), 0, 65536)) << 20;
  c.engine.max_undurable_bytes =
      static_cast<uint64_t>(journal.integer("max_backlog_mb", false,
                                            static_cast<int64_t>(c.engine.max_undurable_bytes >> 20), 1, 65536))
      << 20;
  journal.done();

  auto history = r.child("history");
  std::string kind = history.str("kind", false, "sqlite");
  if (kind == "sqlite") {
    c.history.kind = HistoryConfig::Kind::kSqlite;
  } else if (kind == "postgres") {
    c.history.kind = HistoryConfig::Kind::kPostgres;
    c.history.dsn = history.str("dsn", true);
    if (auto why = postgres_dsn_error(c.history.dsn)) history.fail_key("dsn", history.get("dsn"), *why);
  } else {
    history.fail_key("kind", history.get("kind"), "must be sqlite or postgres");
  }
  history.done();

  auto book = r.child("book");
  std::string ccy = book.str("currency", false, "GBP");
  if (!Currency::parse(ccy, c.engine.currency))
    book.fail_key("currency", book.get("currency"), "must be a 3-letter ISO 4217 code");
  auto limits = book.child("limits");
  auto& L = c.engine.limits;
  L.min_stake_minor = limits.integer("min_stake", false, L.min_stake_minor, 1, 1000000000000);
  L.max_stake_minor = limits.integer("max_stake", false, L.max_stake_minor, 1, 1000000000000);
  L.max_account_market_minor = limits.integer("max_account_market", false, L.max_account_market_minor, 1, 1000000000000);
  L.max_market_liability_minor = limits.integer("max_market_liability", false, L.max_market_liability_minor, 1, 1000000000000000);
  limits.done();
  if (book.has("inplay_delay_ms")) c.engine.inplay_delay = millis_map(book.child("inplay_delay_ms"));
  else c.engine.inplay_delay["football"] = std::chrono::seconds(5);
  c.engine.price_confirm_timeout = std::chrono::milliseconds(
      book.integer("price_confirm_timeout_ms", false, 2000, 0, 60000));
  c.engine.queue_capacity = static_cast<size_t>(book.integer("queue_capacity", false, 65536, 1, 1 << 24));
  c.engine.idempotency_ttl = std::chrono::seconds(book.integer("idempotency_ttl_s", false, 86400, 1, 30 * 86400));
  c.engine.reserve_bets = static_cast<size_t>(
      book.integer("reserve_bets", false, static_cast<int64_t>(EngineConfig::kDefaultReserveBets), 0, int64_t{1} << 28));
  auto stale = book.child("staleness_ms");
  c.default_staleness = std::chrono::milliseconds(stale.integer("default", false, 3000, 1, 3600000));
  if (stale.has("leagues")) c.league_staleness = millis_map(stale.child("leagues"));
  stale.done();
  auto settlement = book.child("settlement");
  std::string pay_on = settlement.str("pay_on", false, "confirmed");
  if (!parse_certainty(pay_on, c.engine.settlement.pay_on))
    settlement.fail_key("pay_on", settlement.get("pay_on"), "must be live or confirmed");
  settlement.done();
  auto cashout = book.child("cashout");
  auto& T = c.engine.cashout;
  T.margin_bp = static_cast<int32_t>(cashout.integer("margin_bp", false, T.margin_bp, 0, 5000));
  T.quote_ttl = std::chrono::milliseconds(cashout.integer("quote_ttl_ms", false, 2000, 100, 60000));
  T.max_price_age = std::chrono::milliseconds(cashout.integer("max_price_age_ms", false, 0, 0, 3600000));
  cashout.done();
  book.done();

  // Hedging (CO-4): when liability is laid off on an exchange venue.
  auto hedging = r.child("hedging");
  HedgeTerms& H = c.engine.hedging;
  H.enabled = hedging.boolean("enabled", false);
  H.venue = hedging.str("venue", false, H.venue);
  c.hedge_venue_url = hedging.str("venue_url", false, c.hedge_venue_url);
  H.threshold_minor = hedging.integer("threshold", false, H.threshold_minor, 1, 1000000000000000);
  H.target_minor = hedging.integer("target", false, std::min(H.target_minor, H.threshold_minor), 0, H.threshold_minor);
  H.min_stake_minor = hedging.integer("min_stake", false, H.min_stake_minor, 1, 1000000000000);
  H.max_stake_minor = hedging.integer("max_stake", false, H.max_stake_minor, H.min_stake_minor, 1000000000000000);
  H.timeout = std::chrono::milliseconds(hedging.integer("timeout_ms", false, 1000, 10, 60000));
  H.retry = std::chrono::milliseconds(hedging.integer("retry_ms", false, 2000, 50, 600000));
  H.backoff = std::chrono::milliseconds(hedging.integer("backoff_ms", false, 10000, 0, 3600000));
  H.check_every = std::chrono::milliseconds(hedging.integer("check_ms", false, 250, 10, 60000));
  if (c.hedge_venue_url != "sim" && c.hedge_venue_url.rfind("http://", 0) != 0)
    hedging.fail_key("venue_url", hedging.get("venue_url"), "must be sim or http://host:port");
  hedging.done();
  read_support_terms(r.child("support"), c.engine.support);  // SUP-1: tags and the spike alert's windows

  // Admission control (issue 18, item 2): deadlines and the queue-delay gate.
  auto adm = r.child("admission");
  AdmissionConfig& A = c.engine.admission;
  A.default_deadline = std::chrono::milliseconds(
      adm.integer("deadline_ms", false, A.default_deadline.count() / 1000000, 0, 86400000));
  A.max_deadline = std::chrono::milliseconds(
      adm.integer("max_deadline_ms", false, A.max_deadline.count() / 1000000, 1, 86400000));
  A.queue_delay_target = std::chrono::milliseconds(
      adm.integer("queue_delay_target_ms", false, A.queue_delay_target.count() / 1000000, 0, 60000));
  A.queue_delay_interval = std::chrono::milliseconds(
      adm.integer("queue_delay_interval_ms", false, A.queue_delay_interval.count() / 1000000, 1, 60000));
  adm.done();

  auto prices = r.child("prices");
  c.price_refresh_ms = prices.integer("refresh_ms", false, c.price_refresh_ms, 0, 3600000);
  c.price_jitter = prices.number("jitter", c.price_jitter, 0.0, 1.0);
  c.seed = static_cast<uint64_t>(prices.integer("seed", false, 42, 0, INT64_MAX));
  c.prices_ready_within_ms = prices.integer("ready_within_ms", false, c.prices_ready_within_ms, 0, 600000);
  prices.done();

  auto payments = r.child("payments");
  std::set<std::string> route_names;
  for (auto& rt : payments.list("routes")) {
    PspRouteTerms t;
    t.name = rt.str("name", true);
    if (!valid_channel_name(t.name)) rt.fail_key("name", rt.get("name"), "must match [A-Za-z0-9_.-]{1,64}");
    if (!route_names.insert(t.name).second) rt.fail_key("name", rt.get("name"), fmt::format("'{}' is used twice", t.name));
    t.url = rt.str("url", true);
    if (t.url != "sim" && t.url.rfind("http://", 0) != 0) rt.fail_key("url", rt.get("url"), "must be sim or http://host:port");
    t.timeout = std::chrono::milliseconds(rt.integer("timeout_ms", false, 2000, 10, 60000));
    t.attempts = static_cast<int>(rt.integer("attempts", false, 3, 1, 10));
    t.retry = std::chrono::milliseconds(rt.integer("retry_ms", false, 100, 1, 60000));
    t.breaker_failures = static_cast<int>(rt.integer("breaker_failures", false, 5, 1, 1000));
    t.breaker_open = std::chrono::milliseconds(rt.integer("breaker_open_ms", false, 10000, 10, 3600000));
    t.threads = static_cast<int>(rt.integer("threads", false, 64, 1, 256));
    t.callback_secret = rt.str("callback_secret", t.url != "sim");
    if (t.url != "sim" && t.callback_secret.size() < 32)
      rt.fail_key("callback_secret", rt.get("callback_secret"), "must be at least 32 characters (`inplay token` makes one)");
    rt.done();
    c.payments.routes.push_back(std::move(t));
  }
  c.payments.active = payments.str("active", false, c.payments.routes.empty() ? "" : c.payments.routes.front().name);
  if (!c.payments.routes.empty() && !route_names.count(c.payments.active))
    payments.fail_key("active", payments.get("active"), "must name one of payments.routes");
  c.payments.reconcile_every = std::chrono::milliseconds(payments.integer("reconcile_every_ms", false, 60000, 1000, 86400000));
  payments.done();

  auto kyc = r.child("kyc");
  std::set<std::string> vendor_names;
  for (auto& vn : kyc.list("vendors")) {
    KycVendorTerms t;
    t.name = vn.str("name", true);
    if (!valid_channel_name(t.name)) vn.fail_key("name", vn.get("name"), "must match [A-Za-z0-9_.-]{1,64}");
    if (!vendor_names.insert(t.name).second) vn.fail_key("name", vn.get("name"), fmt::format("'{}' is used twice", t.name));
    t.url = vn.str("url", true);
    if (t.url != "sim" && t.url.rfind("http://", 0) != 0) vn.fail_key("url", vn.get("url"), "must be sim or http://host:port");
    t.timeout = std::chrono::milliseconds(vn.integer("timeout_ms", false, 800, 10, 60000));
    t.attempts = static_cast<int>(vn.integer("attempts", false, 2, 1, 10));
    t.retry = std::chrono::milliseconds(vn.integer("retry_ms", false, 50, 1, 60000));
    t.breaker_failures = static_cast<int>(vn.integer("breaker_failures", false, 5, 1, 1000));
    t.breaker_open = std::chrono::milliseconds(vn.integer("breaker_open_ms", false, 10000, 10, 3600000));
    t.threads = static_cast<int>(vn.integer("threads", false, 4, 1, 256));
    vn.done();
    c.kyc.vendors.push_back(std::move(t));
  }
  c.kyc.active = kyc.str("active", false, c.kyc.vendors.empty() ? "" : c.kyc.vendors.front().name);
  if (!c.kyc.vendors.empty() && !vendor_names.count(c.kyc.active))
    kyc.fail_key("active", kyc.get("active"), "must name one of kyc.vendors");
  c.kyc.screen_new_accounts = kyc.boolean("screen_new_accounts", true);
  c.kyc.withdrawal_threshold = kyc.integer("withdrawal_threshold", false, 100000, 0, 1'000'000'000'000LL);
  c.kyc.review_within = std::chrono::milliseconds(kyc.integer("review_within_ms", false, 72LL * 3600 * 1000, 1000, 365LL * 86400 * 1000));
  kyc.done();

  auto auth = r.child("auth");
  std::set<std::string> token_names;
  for (auto& t : auth.list("tokens")) {
    TokenConfig tc;
    tc.name = t.str("name", true);
    if (!token_names.insert(tc.name).second)
      t.fail_key("name", t.get("name"), fmt::format("'{}' is used twice", tc.name));
    std::string role = t.str("role", true);
    if (!parse_role(role, tc.role)) t.fail_key("role", t.get("role"), "must be channel, operator, synthetic or support");
    tc.channel = t.str("channel", false, tc.name);
    if (!valid_channel_name(tc.channel))
      t.fail_key("channel", t.get("channel"), "must match [A-Za-z0-9_.-]{1,64}");
    tc.sha256 = t.str("sha256", true);
    if (tc.sha256.size() != 64 || tc.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      t.fail_key("sha256", t.get("sha256"), "must be 64 lower-case hex characters (sha256 of the token)");
    t.done();
    c.tokens.push_back(tc);
  }
  if (c.tokens.empty()) auth.fail_key("tokens", auth.get("tokens"), "at least one token is required");
  auth.done();

  auto tel = r.child("telemetry");
  c.pseudonym_secret = tel.str("pseudonym_secret", true);
  if (c.pseudonym_secret.size() < 16)
    tel.fail_key("pseudonym_secret", tel.get("pseudonym_secret"), "must be at least 16 characters");
  c.max_spans = static_cast<size_t>(tel.integer("max_spans", false, 200000, 1000, 100000000));
  c.otlp_endpoint = tel.str("otlp_endpoint", false);
  if (!c.otlp_endpoint.empty()) {
    std::string host, path, err;
    uint16_t port = 0;
    if (!OtlpExporter::parse_endpoint(c.otlp_endpoint, host, port, path, err))
      tel.fail_key("otlp_endpoint", tel.get("otlp_endpoint"), err);
  }
  read_telemetry(tel, c);
  tel.done();

  // The audit chain's key (telemetry/audit_key.h): required like the
  // pseudonym secret, long enough to key HMAC-SHA256, and a key of its own.
  auto aud = r.child("audit");
  c.audit_chain_secret = aud.str("chain_secret", true);
  if (c.audit_chain_secret.size() < kAuditSecretMinChars)
    aud.fail_key("chain_secret", aud.get("chain_secret"),
                 fmt::format("must be at least {} characters (`inplay token` makes one)", kAuditSecretMinChars));
  if (c.audit_chain_secret == c.pseudonym_secret)
    aud.fail_key("chain_secret", aud.get("chain_secret"), "must differ from telemetry.pseudonym_secret");
  aud.done();

  IdRegistry ids;
  for (auto& e : r.list("events")) c.events.push_back(read_event(e, ids));
  for (auto& a : r.list("accounts")) {
    AccountSeed s;
    s.id = a.str("id", true);
    s.deposit = a.integer("deposit", false, 0, 0, 1000000000000);
    s.channel = a.str("channel", false, "");
    if (!s.channel.empty() && !valid_channel_name(s.channel))
      a.fail_key("channel", a.get("channel"), "must match [A-Za-z0-9_.-]{1,64}");
    a.done();
    c.accounts.push_back(s);
  }
  read_feeds(r, c);
  read_incidents(r.child("incidents"), c, file);
  auto syn = r.child("synthetic");
  c.synthetic.enabled = syn.boolean("enabled", false);
  c.synthetic.every = std::chrono::milliseconds(syn.duration_ms("every", false, 60000, 1000, 86400000));
  c.synthetic.markets = static_cast<size_t>(syn.integer("markets", false, 3, 1, 100));
  c.synthetic.stake_minor = syn.integer("stake_minor", false, 100, 1, 100000000);
  c.synthetic.account = syn.str("account", false, c.synthetic.account);
  if (!is_synthetic_account(c.synthetic.account) || !valid_account_id(c.synthetic.account))
    syn.fail_key("account", syn.get("account"), "must start with \"synthetic-\" and match [A-Za-z0-9_.-]{1,64}");
  syn.done();
  r.done();
  validate(c, file);
  return c;
}

void validate(const Config& c, const std::string& file) {
  std::set<uint64_t> ids;
  auto unique = [&](uint64_t id, const std::string& what) {
    if (!ids.insert(id).second)
      throw ConfigError(fmt::format("{}: {} id {} is used twice (ids are unique across events, markets and selections)", file, what, id));
  };
  for (auto& e : c.events) {
    unique(e.id, "event");
    for (auto& m : e.markets) {
      unique(m.id, "market");
      for (auto& s : m.selections) unique(s.id, "selection");
    }
  }
  if (c.tokens.empty()) throw ConfigError(fmt::format("{}: auth.tokens: at least one token is required", file));
  std::set<std::string> names;
  for (auto& t : c.tokens)
    if (!names.insert(t.name).second)
      throw ConfigError(fmt::format("{}: auth.tokens: name '{}' is used twice", file, t.name));
}

std::string seed_channel(const Config& c, const AccountSeed& a) {
  if (!a.channel.empty()) return a.channel;
  for (const TokenConfig& t : c.tokens)
    if (t.role == Role::kChannel) return t.channel_name();
  return "config";
}

Config load_config(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the file", file.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), file.string());
}

}  // namespace inplay
