// Config: the whole configuration of a book, loaded from YAML (`inplay serve
// --config FILE`) or built in code (`inplay demo`).
//
// Loading is strict: an unknown key, a missing required key, a value of the
// wrong type or out of range fails with ConfigError whose message names the
// file, line and reason ("book.yaml:12: book.limits.max_stake: must be a
// positive integer"). Nothing starts with a config that did not load.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/engine_config.h"
#include "feed/feed_desk.h"
#include "journal/journal.h"
#include "journal/kafka_journal.h"
#include "feed/feed_config.h"
#include "kyc/kyc_terms.h"
#include "payment/payment_terms.h"
#include "http/auth.h"
#include "market/book.h"
#include "playbook/playbook_spec.h"
#include "slo/slo_spec.h"
#include "app/sim_config.h"
#include "synthetic/synthetic_checks.h"
#include "telemetry/retention.h"
#include "telemetry/sampler.h"

namespace inplay {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SelectionConfig {
  uint64_t id = 0;
  std::string name;
  Odds odds;  // the fixture's opening price
};

struct MarketConfig {
  uint64_t id = 0;
  MarketType type = MarketType::kMatchResult;
  int32_t line_quarters = 0;  // total goals, Asian handicap: the line in quarter goals
  std::vector<SelectionConfig> selections;
  MarketPeriod period = MarketPeriod::kFullTime;
};

struct EventConfig {
  uint64_t id = 0;
  std::string sport, league, home, away;
  int64_t kickoff_ms = 0;
  // Set when the file gives the kick-off relative to the book's start
  // (kickoff_in, minute): placed by place_fixtures() (app/book_start.h).
  std::optional<int64_t> kickoff_in_ms;
  EventState state = EventState::kPreMatch;
  std::vector<MarketConfig> markets;
  // Expected goals for the simulated world's goal model (sim_world only).
  double lambda_home = 1.4, lambda_away = 1.1;
};

struct TokenConfig {
  std::string name;
  Role role = Role::kChannel;
  std::string sha256;  // hex of the token
  // The channel the token acts for (SEC-1: its accounts are the channel's);
  // tokens of one channel share them. "": the token's name.
  std::string channel;
  const std::string& channel_name() const { return channel.empty() ? name : channel; }
};

struct AccountSeed {
  std::string id;
  int64_t deposit = 0;  // minor units, deposited once (idempotent)
  // The channel that owns it; "": the channel of the first token with role
  // channel (seed_channel).
  std::string channel;
};

// history: where the history projection keeps bets, ledger legs and
// settlements (projection/history_store.h).
struct HistoryConfig {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;  // sqlite: <data_dir>/book.sqlite
  std::string dsn;            // postgres: a libpq connection string or URI
};

struct Config {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  int io_threads = 1;
  size_t body_limit = 64 * 1024;
  // telemetry.metrics_max_age_ms: /metrics is rendered again at most this
  // often; scrapes in between get the last body (a scrape flood, issue 18).
  int64_t metrics_max_age_ms = 1000;
  // telemetry.metrics_scrapes_per_s: /metrics answers per second; 0: no limit.
  int64_t metrics_scrapes_per_s = 20;
  std::filesystem::path data_dir = "inplay-data";
  bool sim_clock = false;
  int64_t sim_start_ms = 1798812000000;  // 2027-01-01T... only with sim_clock
  FsyncPolicy fsync = FsyncPolicy::kGroup;
  uint64_t segment_bytes = 64ull << 20;
  // journal.kind: file (segment files under data_dir/journal, the default)
  // or kafka (journal/kafka_journal.h: the topic is the truth, the segment
  // files a local mirror written after each commit).
  bool kafka_journal = false;
  KafkaJournalOptions kafka;  // journal.{brokers, topic, transactional_id, open_timeout, lease, client}
  // `inplay serve --standby` (kafka only): follow the leader's journal and
  // take over when its lease runs out (journal/kafka_journal.h).
  bool standby = false;
  // journal.reserve_mb: the data dir's last free space, kept for the
  // journal: followers (SQLite, audit, dead letters) pause below it.
  uint64_t journal_reserve_bytes = 64ull << 20;
  HistoryConfig history;
  EngineConfig engine;
  // hedging.venue_url: the hedging venue (http://host:port), or "sim": the
  // simulated exchange the simulated world runs (engine.hedging: the terms).
  std::string hedge_venue_url = "sim";
  // payments: the PSP routes deposits and withdrawals go through (a route's
  // url "sim": a simulated PSP the simulated world runs on loopback).
  PaymentTerms payments;
  // kyc: the KYC/AML vendors new accounts and big withdrawals are screened
  // by (a vendor's url "sim": a simulated vendor on loopback).
  KycTerms kyc;
  Nanos default_staleness{std::chrono::milliseconds(3000)};
  std::map<std::string, Nanos> league_staleness{{"EPL", std::chrono::milliseconds(1500)}};
  std::vector<std::string> top_leagues;
  int64_t price_refresh_ms = 500;  // 0: prices only change by hand
  double price_jitter = 0.0;       // share of selections that move a tick per refresh
  // prices.ready_within_ms: after a start (real clock), /readyz waits this
  // long at most for every open market's price to be fresh.
  int64_t prices_ready_within_ms = 5000;
  uint64_t seed = 42;
  std::vector<TokenConfig> tokens;
  std::string pseudonym_secret;
  // audit.chain_secret: keys the audit log's chain and its anchors
  // (telemetry/audit_key.h); at least kAuditSecretMinChars characters.
  std::string audit_chain_secret;
  size_t max_spans = 200000;
  // telemetry.otlp_endpoint: OTLP/HTTP JSON trace export (http://host:port/v1/traces); empty = off.
  std::string otlp_endpoint;
  // telemetry.sample_ratio, slow_trace_ms, slow_p99, exemplar_refresh_ms
  // (telemetry/sampler.h).
  SamplerOptions sampling;
  // telemetry.retention.{traces,logs,audit} (telemetry/retention.h).
  RetentionPlan retention;
  // telemetry.log_file: log lines go here (rotated) instead of stderr; empty = stderr.
  std::filesystem::path log_file;
  // telemetry.log_rate.{burst,per_s}: per log call site; per_s 0 = no limit.
  uint32_t log_burst = 20;
  double log_per_s = 10.0;
  std::vector<EventConfig> events;
  std::vector<AccountSeed> accounts;
  // Odds feeds (ODDS-1..8). Empty: prices come from the fixture source.
  std::vector<FeedConfig> feeds;
  FeedDeskOptions feed_options;
  std::filesystem::path dead_letter_file;  // default: <data_dir>/feed-dead-letters.jsonl
  // Run the simulated providers in-process and point the feeds at them
  // (feed names must be <sport>-primary, -backup, -reference).
  bool sim_world = false;
  uint64_t sim_seed = 42;
  // How often the simulated providers re-send every market's price, changed
  // or not (SimWorldConfig::refresh_ms): 100 gives 10 updates/s per market.
  int64_t sim_refresh_ms = 200;
  // The simulated crowd (sim_world only; bets_per_s 0: none). Its seed is
  // sim_seed.
  BettorsConfig bettors{.bets_per_s = 0};
  // The simulated customers who write in to support (sim_world only).
  SupportCrowdConfig support_crowd;
  // The incident loop (SLOs, alerts, playbooks): `incidents:` in the file.
  struct Incidents {
    bool enabled = true;
    // false: the built-in rules only feed the SLO metrics; alerts come from
    // Prometheus through Alertmanager's webhook (POST /v1/alerts/webhook).
    bool builtin_alerts = true;
    std::string slo_file;       // empty: the shipped config/slos.yaml
    std::string playbook_file;  // empty: the shipped config/playbooks.yaml
    std::string external_url;   // links in notifications; default http://<address>:<port>
    SloCatalogue slos;          // parsed and validated at load
    PlaybookFile playbooks;
  } incidents;
  // Synthetic checks (src/synthetic): `synthetic:` in the file. Their token
  // (role synthetic) is made at start-up and never leaves the process.
  SyntheticOptions synthetic;
};

// The channel that owns a seeded account: its own `channel`, else the first
// channel token's, else "config" (no token acts for it: operators only).
std::string seed_channel(const Config& c, const AccountSeed& a);

// Throws ConfigError.
Config load_config(const std::filesystem::path& file);
Config parse_config(const std::string& yaml_text, const std::string& file_name);
// Cross-checks (unique ids, tokens present, ...); throws ConfigError.
void validate(const Config& c, const std::string& file_name);

}  // namespace inplay
