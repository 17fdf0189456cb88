// SqliteHistory (contract in projection/sqlite_history.h and history_store.h).
#include "projection/sqlite_history.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <string_view>

namespace inplay {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER);
CREATE TABLE IF NOT EXISTS bets(
  bet_id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  account TEXT,
  selection_id INTEGER,
  stake_minor INTEGER,
  odds TEXT,
  odds_requested TEXT,
  price_change TEXT,
  status TEXT,
  placed_at TEXT,
  accepted_at TEXT,
  trace_id TEXT);
CREATE TABLE IF NOT EXISTS ledger_entries(
  seq INTEGER,
  leg INTEGER,
  account TEXT,
  amount_minor INTEGER,
  currency TEXT,
  reason TEXT,
  at TEXT,
  PRIMARY KEY(seq, leg));
CREATE TABLE IF NOT EXISTS settlements(
  seq INTEGER,
  bet_id INTEGER,
  market_id INTEGER,
  kind TEXT,
  result_version INTEGER,
  cancel_id INTEGER,
  amount_minor INTEGER,
  at TEXT,
  PRIMARY KEY(seq, bet_id));
CREATE TABLE IF NOT EXISTS accounts(
  account TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  channel TEXT,
  opened_at TEXT);
CREATE TABLE IF NOT EXISTS payments(
  payment_id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  account TEXT,
  kind TEXT,
  amount_minor INTEGER,
  currency TEXT,
  route TEXT,
  status TEXT,
  reconciled INTEGER DEFAULT 0,
  psp_ref TEXT,
  requested_at TEXT,
  answered_seq INTEGER,
  answered_at TEXT,
  trace_id TEXT);
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY,
  action TEXT,
  at TEXT,
  fields TEXT);
INSERT OR IGNORE INTO meta(key, value) VALUES('last_seq', 0);
INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', 1);
INSERT OR IGNORE INTO meta(key, value) SELECT 'audit_since', value FROM meta WHERE key = 'last_seq';
)sql";

// One prepared statement, reset after every use.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
      throw ProjectionError(fmt::format("prepare '{}': {}", sql, sqlite3_errmsg(db)));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v) { return check(sqlite3_bind_int64(s_, i, v)); }
  Stmt& bind(int i, uint64_t v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  // Steps to completion (statements that return no rows we need).
  void run() {
    int rc = sqlite3_step(s_);
    finish(rc);
  }
  // Steps once and returns column 0 as an integer, or `none` without a row.
  int64_t query_int(int64_t none) {
    int rc = sqlite3_step(s_);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s_, 0) : none;
    finish(rc);
    return v;
  }
  // Steps once: column 0 as text and column 1 as an integer; false without a row.
  bool query_text_int(std::string& text, int64_t& value) {
    int rc = sqlite3_step(s_);
    const bool row = rc == SQLITE_ROW;
    if (row) {
      const unsigned char* t = sqlite3_column_text(s_, 0);
      text = t ? reinterpret_cast<const char*>(t) : "";
      value = sqlite3_column_int64(s_, 1);
    }
    finish(rc);
    return row;
  }

 private:
  void finish(int rc) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(rc);
  }
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) fail(rc);
    return *this;
  }
  [[noreturn]] void fail(int rc) {
    throw ProjectionError(fmt::format("'{}': {} ({})", sqlite3_sql(s_), sqlite3_errmsg(db_), rc));
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

// The open file with its tables. The store declares its statements after
// it, so they are finalized before sqlite3_close.
class Connection {
 public:
  explicit Connection(const std::filesystem::path& file) {
    int rc = sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw ProjectionError(fmt::format("open {}: {}", file.string(), msg));
    }
    try {
      // Readers of the projection (views, operators) must not fail our writes.
      sqlite3_busy_timeout(db_, 5000);
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=NORMAL");
      exec(kSchema);
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }
  ~Connection() { sqlite3_close(db_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  sqlite3* get() const { return db_; }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw ProjectionError(fmt::format("exec '{}': {}", sql, msg));
    }
  }
 private:
  sqlite3* db_ = nullptr;
};

class SqliteHistory final : public HistoryStore {
 public:
  explicit SqliteHistory(const std::filesystem::path& file) : conn_(file) {}

  uint64_t last_seq() override { return static_cast<uint64_t>(get_meta_.bind(1, "last_seq").query_int(0)); }

  uint64_t begin_batch() override {
    // A failed ROLLBACK must not wedge every later batch.
    if (!sqlite3_get_autocommit(conn_.get())) abandon_batch();
    begin_.run();
    return last_seq();
  }
  void commit_batch(uint64_t last_seq) override {
    set_meta_.bind(1, "last_seq").bind(2, static_cast<int64_t>(last_seq)).run();
    commit_.run();
  }
  void abandon_batch() noexcept override { sqlite3_exec(conn_.get(), "ROLLBACK", nullptr, nullptr, nullptr); }

  void add_bet(const BetRow& b) override {
    insert_bet_.bind(1, b.bet_id)
        .bind(2, b.seq)
        .bind(3, b.account)
        .bind(4, b.selection_id)
        .bind(5, b.stake_minor)
        .bind(6, b.odds)
        .bind(7, b.odds_requested)
        .bind(8, b.price_change)
        .bind(9, b.placed_at)
        .bind(10, b.accepted_at)
        .bind(11, b.trace_id)
        .run();
  }
  void add_leg(const LedgerLeg& l) override {
    insert_leg_.bind(1, l.seq)
        .bind(2, l.leg)
        .bind(3, l.account)
        .bind(4, l.amount_minor)
        .bind(5, l.currency)
        .bind(6, l.reason)
        .bind(7, l.at)
        .run();
  }
  void add_settlement(const SettledBetRow& s) override {
    insert_settlement_.bind(1, s.seq)
        .bind(2, s.bet_id)
        .bind(3, s.market_id)
        .bind(4, s.kind)
        .bind(5, s.result_version)
        .bind(6, s.cancel_id)
        .bind(7, s.amount_minor)
        .bind(8, s.at)
        .run();
  }
  void add_account(const AccountRow& a) override {
    insert_account_.bind(1, a.account).bind(2, a.seq).bind(3, a.channel).bind(4, a.opened_at).run();
  }
  void add_payment(const PaymentRow& p) override {
    insert_payment_.bind(1, p.payment_id)
        .bind(2, p.seq)
        .bind(3, p.account)
        .bind(4, p.kind)
        .bind(5, p.amount_minor)
        .bind(6, p.currency)
        .bind(7, p.route)
        .bind(8, p.requested_at)
        .bind(9, p.trace_id)
        .run();
  }
  void answer_payment(const PaymentAnswer& a) override {
    answer_payment_.bind(1, a.payment_id)
        .bind(2, a.status)
        .bind(3, a.psp_ref)
        .bind(4, a.seq)
        .bind(5, a.answered_at)
        .run();
  }
  void add_audit(const AuditRow& a) override {
    insert_audit_.bind(1, a.seq).bind(2, a.action).bind(3, a.at).bind(4, a.fields).run();
  }
  std::optional<BetStake> find_bet(uint64_t bet_id) override {
    BetStake b;
    if (!get_bet_.bind(1, bet_id).query_text_int(b.account, b.stake_minor)) return std::nullopt;
    return b;
  }
  void set_bet_status(uint64_t bet_id, const std::string& status) override {
    set_bet_status_.bind(1, bet_id).bind(2, status).run();
  }
  void cash_out_bet(uint64_t bet_id, int64_t stake_minor) override {
    cash_out_bet_.bind(1, bet_id).bind(2, stake_minor).run();
  }

 private:
  Connection conn_;
  Stmt begin_{conn_.get(), "BEGIN IMMEDIATE"};
  Stmt commit_{conn_.get(), "COMMIT"};
  Stmt get_meta_{conn_.get(), "SELECT value FROM meta WHERE key = ?1"};
  Stmt set_meta_{conn_.get(), "UPDATE meta SET value = ?2 WHERE key = ?1"};
  Stmt insert_bet_{conn_.get(),
                   "INSERT OR IGNORE INTO bets(bet_id, seq, account, selection_id, stake_minor, odds, "
                   "odds_requested, price_change, status, placed_at, accepted_at, trace_id) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'accepted', ?9, ?10, ?11)"};
  Stmt insert_leg_{conn_.get(),
                   "INSERT OR IGNORE INTO ledger_entries(seq, leg, account, amount_minor, currency, "
                   "reason, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
  Stmt get_bet_{conn_.get(), "SELECT account, stake_minor FROM bets WHERE bet_id = ?1"};
  Stmt set_bet_status_{conn_.get(), "UPDATE bets SET status = ?2 WHERE bet_id = ?1"};
  Stmt cash_out_bet_{conn_.get(),
                     "UPDATE bets SET stake_minor = stake_minor - ?2, "
                     "status = CASE WHEN stake_minor = ?2 THEN 'cashed_out' ELSE status END WHERE bet_id = ?1"};
  Stmt insert_account_{conn_.get(),
                       "INSERT OR IGNORE INTO accounts(account, seq, channel, opened_at) VALUES(?1, ?2, ?3, ?4)"};
  Stmt insert_payment_{conn_.get(),
                       "INSERT OR IGNORE INTO payments(payment_id, seq, account, kind, amount_minor, currency, "
                       "route, status, requested_at, trace_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9)"};
  // Idempotent by seq: an answer already projected is not applied again.
  Stmt answer_payment_{conn_.get(),
                       "UPDATE payments SET status = ?2, reconciled = reconciled OR (status = 'timed_out'), "
                       "psp_ref = CASE WHEN ?3 = '' THEN psp_ref ELSE ?3 END, answered_seq = ?4, answered_at = ?5 "
                       "WHERE payment_id = ?1 AND (answered_seq IS NULL OR answered_seq < ?4)"};
  Stmt insert_audit_{conn_.get(), "INSERT OR IGNORE INTO audit(seq, action, at, fields) VALUES(?1, ?2, ?3, ?4)"};
  Stmt insert_settlement_{conn_.get(),
                          "INSERT OR IGNORE INTO settlements(seq, bet_id, market_id, kind, result_version, "
                          "cancel_id, amount_minor, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
};

}  // namespace

std::unique_ptr<HistoryStore> open_sqlite_history(const std::filesystem::path& file) {
  return std::make_unique<SqliteHistory>(file);
}

}  // namespace inplay
