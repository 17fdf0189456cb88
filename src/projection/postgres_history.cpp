// PostgresHistory (contract in projection/postgres_history.h and history_store.h).
#include "projection/postgres_history.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <array>
#include <cstring>
#include <exception>
#include <string_view>
#include <vector>

namespace inplay {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BIGINT);
CREATE TABLE IF NOT EXISTS bets(
  bet_id BIGINT PRIMARY KEY,
  seq BIGINT NOT NULL UNIQUE,
  account TEXT,
  selection_id BIGINT,
  stake_minor BIGINT,
  odds TEXT,
  odds_requested TEXT,
  price_change TEXT,
  status TEXT,
  placed_at TEXT,
  accepted_at TEXT,
  trace_id TEXT);
CREATE TABLE IF NOT EXISTS ledger_entries(
  seq BIGINT,
  leg INTEGER,
  account TEXT,
  amount_minor BIGINT,
  currency TEXT,
  reason TEXT,
  at TEXT,
  PRIMARY KEY(seq, leg));
CREATE TABLE IF NOT EXISTS settlements(
  seq BIGINT,
  bet_id BIGINT,
  market_id BIGINT,
  kind TEXT,
  result_version BIGINT,
  cancel_id BIGINT,
  amount_minor BIGINT,
  at TEXT,
  PRIMARY KEY(seq, bet_id));
CREATE TABLE IF NOT EXISTS accounts(
  account TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  channel TEXT,
  opened_at TEXT);
CREATE TABLE IF NOT EXISTS payments(
  payment_id BIGINT PRIMARY KEY,
  seq BIGINT NOT NULL,
  account TEXT,
  kind TEXT,
  amount_minor BIGINT,
  currency TEXT,
  route TEXT,
  status TEXT,
  reconciled INTEGER DEFAULT 0,
  psp_ref TEXT,
  requested_at TEXT,
  answered_seq BIGINT,
  answered_at TEXT,
  trace_id TEXT);
CREATE TABLE IF NOT EXISTS audit(
  seq BIGINT PRIMARY KEY,
  action TEXT,
  at TEXT,
  fields TEXT);
INSERT INTO meta(key, value) VALUES('last_seq', 0) ON CONFLICT DO NOTHING;
INSERT INTO meta(key, value) VALUES('schema_version', 1) ON CONFLICT DO NOTHING;
INSERT INTO meta(key, value) SELECT 'audit_since', value FROM meta WHERE key = 'last_seq' ON CONFLICT DO NOTHING;
)sql";

struct Statement {
  const char* name;
  const char* sql;
};

// Prepared on every new connection (named, so a statement is parsed once
// per connection, not once per row).
constexpr std::array kStatements{
    Statement{"last_seq", "SELECT value FROM meta WHERE key = 'last_seq'"},
    Statement{"lock_last_seq", "SELECT value FROM meta WHERE key = 'last_seq' FOR UPDATE"},
    Statement{"set_last_seq", "UPDATE meta SET value = $1 WHERE key = 'last_seq'"},
    Statement{"add_bet",
              "INSERT INTO bets(bet_id, seq, account, selection_id, stake_minor, odds, odds_requested, "
              "price_change, status, placed_at, accepted_at, trace_id) "
              "VALUES($1, $2, $3, $4, $5, $6, $7, $8, 'accepted', $9, $10, $11) ON CONFLICT DO NOTHING"},
    Statement{"add_leg",
              "INSERT INTO ledger_entries(seq, leg, account, amount_minor, currency, reason, at) "
              "VALUES($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"},
    Statement{"add_settlement",
              "INSERT INTO settlements(seq, bet_id, market_id, kind, result_version, cancel_id, amount_minor, at) "
              "VALUES($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"},
    Statement{"add_account",
              "INSERT INTO accounts(account, seq, channel, opened_at) VALUES($1, $2, $3, $4) "
              "ON CONFLICT DO NOTHING"},
    Statement{"add_payment",
              "INSERT INTO payments(payment_id, seq, account, kind, amount_minor, currency, route, status, "
              "requested_at, trace_id) VALUES($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) "
              "ON CONFLICT DO NOTHING"},
    // Idempotent by seq: an answer already projected is not applied again.
    Statement{"answer_payment",
              "UPDATE payments SET status = $2, "
              "reconciled = CASE WHEN reconciled = 1 OR status = 'timed_out' THEN 1 ELSE 0 END, "
              "psp_ref = CASE WHEN $3::text = '' THEN psp_ref ELSE $3::text END, answered_seq = $4, "
              "answered_at = $5 WHERE payment_id = $1 AND (answered_seq IS NULL OR answered_seq < $4)"},
    Statement{"add_audit",
              "INSERT INTO audit(seq, action, at, fields) VALUES($1, $2, $3, $4) ON CONFLICT DO NOTHING"},
    Statement{"find_bet", "SELECT account, stake_minor FROM bets WHERE bet_id = $1"},
    Statement{"set_bet_status", "UPDATE bets SET status = $2 WHERE bet_id = $1"},
    Statement{"cash_out_bet",
              "UPDATE bets SET stake_minor = stake_minor - $2, "
              "status = CASE WHEN stake_minor = $2 THEN 'cashed_out' ELSE status END WHERE bet_id = $1"},
};

// A result that clears itself.
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Text-format parameters of one statement.
class Params {
 public:
  Params& add(std::string v) {
    values_.push_back(std::move(v));
    return *this;
  }
  Params& add(int64_t v) { return add(std::to_string(v)); }
  Params& add(uint64_t v) { return add(std::to_string(v)); }
  Params& add(int v) { return add(std::to_string(v)); }
  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const {
    std::vector<const char*> p;
    p.reserve(values_.size());
    for (const std::string& v : values_) p.push_back(v.c_str());
    return p;
  }

 private:
  std::vector<std::string> values_;
};

// libpq's messages span lines ("...failed: ...\n\tIs the server running...");
// a log field is one line.
std::string trimmed(const char* message) {
  std::string m;
  for (const char* c = message ? message : ""; *c; ++c) {
    const bool space = *c == '\n' || *c == '\t' || *c == ' ';
    if (space && (m.empty() || m.back() == ' ')) continue;
    m += space ? ' ' : *c;
  }
  if (!m.empty() && m.back() == ' ') m.pop_back();
  return m;
}

class PostgresHistory final : public HistoryStore {
 public:
  explicit PostgresHistory(std::string dsn) : dsn_(std::move(dsn)) {}
  ~PostgresHistory() override { PQfinish(conn_); }

  uint64_t last_seq() override { return read_last_seq("last_seq"); }

  uint64_t begin_batch() override {
    connect();
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) abandon_batch();
    exec("BEGIN");
    const uint64_t stored = read_last_seq("lock_last_seq");
    enter_pipeline();
    return stored;
  }
  void commit_batch(uint64_t last_seq) override {
    send("set_last_seq", Params().add(last_seq));
    leave_pipeline();
    Result r = exec("COMMIT");
    // COMMIT of a transaction that failed answers ROLLBACK, not an error.
    if (std::strcmp(PQcmdStatus(r.get()), "COMMIT") != 0)
      throw ProjectionError(fmt::format("COMMIT answered {}", PQcmdStatus(r.get())));
  }
  void abandon_batch() noexcept override {
    if (!conn_) return;
    try {
      leave_pipeline();  // what was in flight failed or does not matter now
    } catch (...) {
    }
    // leave_pipeline drops a connection it cannot bring back in step.
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) PQclear(PQexec(conn_, "ROLLBACK"));
  }

  void add_bet(const BetRow& b) override {
    send("add_bet", Params()
                       .add(b.bet_id)
                       .add(b.seq)
                       .add(b.account)
                       .add(b.selection_id)
                       .add(b.stake_minor)
                       .add(b.odds)
                       .add(b.odds_requested)
                       .add(b.price_change)
                       .add(b.placed_at)
                       .add(b.accepted_at)
                       .add(b.trace_id));
  }
  void add_leg(const LedgerLeg& l) override {
    send("add_leg",
        Params().add(l.seq).add(l.leg).add(l.account).add(l.amount_minor).add(l.currency).add(l.reason).add(l.at));
  }
  void add_settlement(const SettledBetRow& s) override {
    send("add_settlement", Params()
                              .add(s.seq)
                              .add(s.bet_id)
                              .add(s.market_id)
                              .add(s.kind)
                              .add(s.result_version)
                              .add(s.cancel_id)
                              .add(s.amount_minor)
                              .add(s.at));
  }
  void add_account(const AccountRow& a) override {
    send("add_account", Params().add(a.account).add(a.seq).add(a.channel).add(a.opened_at));
  }
  void add_payment(const PaymentRow& p) override {
    send("add_payment", Params()
                           .add(p.payment_id)
                           .add(p.seq)
                           .add(p.account)
                           .add(p.kind)
                           .add(p.amount_minor)
                           .add(p.currency)
                           .add(p.route)
                           .add(p.requested_at)
                           .add(p.trace_id));
  }
  void answer_payment(const PaymentAnswer& a) override {
    send("answer_payment", Params().add(a.payment_id).add(a.status).add(a.psp_ref).add(a.seq).add(a.answered_at));
  }
  void add_audit(const AuditRow& a) override {
    send("add_audit", Params().add(a.seq).add(a.action).add(a.at).add(a.fields));
  }
  std::optional<BetStake> find_bet(uint64_t bet_id) override {
    // A read sees the writes sent before it: those in flight land first.
    leave_pipeline();
    Result r = run("find_bet", Params().add(bet_id));
    enter_pipeline();
    if (PQntuples(r.get()) == 0) return std::nullopt;
    return BetStake{PQgetvalue(r.get(), 0, 0), std::stoll(PQgetvalue(r.get(), 0, 1))};
  }
  void set_bet_status(uint64_t bet_id, const std::string& status) override {
    send("set_bet_status", Params().add(bet_id).add(status));
  }
  void cash_out_bet(uint64_t bet_id, int64_t stake_minor) override {
    send("cash_out_bet", Params().add(bet_id).add(stake_minor));
  }

 private:
  // A connection with the schema and the statements, or ProjectionError.
  void connect() {
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return;
    drop_connection();
    // Keywords after dbname override what the DSN says; those before it are
    // defaults the DSN may override.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"5", "inplay-history", dsn_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = trimmed(PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      throw ProjectionError(fmt::format("postgres connect: {}", why));
    }
    // CREATE TABLE IF NOT EXISTS notices ("already exists, skipping") are not news.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    try {
      // The first store on a new database creates the tables; two at once
      // must not both try (CREATE TABLE IF NOT EXISTS races on the catalogue).
      exec("SELECT pg_advisory_lock(7215)");
      exec(kSchema);
      exec("SELECT pg_advisory_unlock(7215)");
      for (const Statement& s : kStatements) {
        Result r(PQprepare(conn_, s.name, s.sql, 0, nullptr), &PQclear);
        check(r, s.sql);
      }
    } catch (...) {
      PQfinish(conn_);
      conn_ = nullptr;
      throw;
    }
  }

  // Writes of a batch go out pipelined, without waiting for each answer
  // (one round trip per kSyncEvery statements instead of one each); their
  // answers are read, and the first error thrown, at the next sync.
  static constexpr int kSyncEvery = 512;

  void send(const char* statement, const Params& params) {
    if (!conn_ || PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) {
      run(statement, params);  // outside a batch: one at a time
      return;
    }
    std::vector<const char*> values = params.pointers();
    if (PQsendQueryPrepared(conn_, statement, params.size(), values.data(), nullptr, nullptr, 0) != 1)
      throw ProjectionError(fmt::format("'{}': {}", statement, trimmed(PQerrorMessage(conn_))));
    if (++in_flight_ >= kSyncEvery) sync();
  }

  // Sends a sync and reads every answer up to it. Throws the first error;
  // the connection is dropped when the answers do not end in the sync.
  void sync() {
    if (PQpipelineSync(conn_) != 1) {
      drop_connection();
      throw ProjectionError("pipeline sync failed");
    }
    std::string first_error;
    bool synced = false;
    // Every statement's answers end in a null result; the sync's does not.
    for (int nulls = 0; !synced && nulls <= in_flight_ + 1;) {
      Result r(PQgetResult(conn_), &PQclear);
      if (!r) {
        ++nulls;
        continue;
      }
      const ExecStatusType st = PQresultStatus(r.get());
      if (st == PGRES_PIPELINE_SYNC) synced = true;
      else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_PIPELINE_ABORTED && first_error.empty())
        first_error = trimmed(PQresultErrorMessage(r.get()));
    }
    in_flight_ = 0;
    if (!synced) {
      if (first_error.empty()) first_error = trimmed(PQerrorMessage(conn_));
      drop_connection();
    }
    if (!first_error.empty()) throw ProjectionError(fmt::format("pipelined write: {}", first_error));
    if (!synced) throw ProjectionError("pipelined write: no answer to the sync");
  }

  void enter_pipeline() {
    if (PQenterPipelineMode(conn_) != 1)
      throw ProjectionError("cannot enter pipeline mode: " + trimmed(PQerrorMessage(conn_)));
  }

  // Reads what is in flight and leaves pipeline mode (no-op outside it);
  // then throws the first error of what was in flight, if any.
  void leave_pipeline() {
    if (!conn_ || PQpipelineStatus(conn_) == PQ_PIPELINE_OFF) return;
    std::exception_ptr failed;
    try {
      sync();
    } catch (...) {
      failed = std::current_exception();
    }
    if (conn_ && PQexitPipelineMode(conn_) != 1) {
      std::string why = trimmed(PQerrorMessage(conn_));
      drop_connection();
      throw ProjectionError("cannot leave pipeline mode: " + why);
    }
    if (failed) std::rethrow_exception(failed);
  }

  void drop_connection() noexcept {
    PQfinish(conn_);
    conn_ = nullptr;
    in_flight_ = 0;
  }

  uint64_t read_last_seq(const char* statement) {
    connect();
    Result r = run(statement, Params());
    if (PQntuples(r.get()) != 1) throw ProjectionError("meta holds no last_seq");
    return std::stoull(PQgetvalue(r.get(), 0, 0));
  }

  Result exec(const char* sql) {
    Result r(PQexec(conn_, sql), &PQclear);
    check(r, sql);
    return r;
  }

  Result run(const char* statement, const Params& params) {
    if (!conn_) throw ProjectionError(fmt::format("'{}': not connected", statement));
    std::vector<const char*> values = params.pointers();
    Result r(PQexecPrepared(conn_, statement, params.size(), values.data(), nullptr, nullptr, 0), &PQclear);
    check(r, statement);
    return r;
  }

  // Throws unless the statement ran (with or without rows).
  void check(const Result& r, std::string_view what) {
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
    std::string why = r ? trimmed(PQresultErrorMessage(r.get())) : "";
    if (why.empty()) why = trimmed(PQerrorMessage(conn_));
    throw ProjectionError(fmt::format("'{}': {}", what.substr(0, 120), why));
  }

  const std::string dsn_;
  PGconn* conn_ = nullptr;
  int in_flight_ = 0;  // pipelined statements sent since the last sync
};

}  // namespace

std::optional<std::string> postgres_dsn_error(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (opts) {
    PQconninfoFree(opts);
    return std::nullopt;
  }
  std::string why = err ? trimmed(err) : "does not parse";
  PQfreemem(err);
  return why;
}

std::unique_ptr<HistoryStore> open_postgres_history(const std::string& dsn) {
  if (auto why = postgres_dsn_error(dsn)) throw ProjectionError(fmt::format("postgres dsn: {}", *why));
  return std::make_unique<PostgresHistory>(dsn);
}

}  // namespace inplay
