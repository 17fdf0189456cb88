// SqliteProjection (contract in projection/sqlite_projection.h).
#include "projection/sqlite_projection.h"

#include "projection/disk_reserve.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <system_error>
#include <variant>

#include "core/odds.h"
#include "core/time_format.h"
#include "journal/events.h"
#include "journal/journal.h"
#include "risk/risk_check.h"
#include "telemetry/log.h"
#include "telemetry/trace.h"
#include "payment/payment_book.h"
#include "wallet/ledger.h"

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
INSERT OR IGNORE INTO meta(key, value) VALUES('last_seq', 0);
INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', 1);
)sql";

constexpr const char* kHouseFunding = "house/funding";

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
  Stmt& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  // Steps to completion (statements that return no rows we need).
  void run() {
    int rc = sqlite3_step(s_);
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(rc);
  }
  // Steps once and returns column 0 as an integer, or `none` without a row.
  int64_t query_int(int64_t none) {
    int rc = sqlite3_step(s_);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s_, 0) : none;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(rc);
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
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(rc);
    return row;
  }

 private:
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

}  // namespace

// The connection, its statements and the row mapping. Used under db_mu_.
class SqliteProjection::Db {
 public:
  Db(const std::filesystem::path& file, std::string currency) : currency_(std::move(currency)) {
    int rc = sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
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
      begin_ = std::make_unique<Stmt>(db_, "BEGIN IMMEDIATE");
      commit_ = std::make_unique<Stmt>(db_, "COMMIT");
      get_meta_ = std::make_unique<Stmt>(db_, "SELECT value FROM meta WHERE key = ?1");
      set_meta_ = std::make_unique<Stmt>(db_, "UPDATE meta SET value = ?2 WHERE key = ?1");
      insert_bet_ = std::make_unique<Stmt>(
          db_,
          "INSERT OR IGNORE INTO bets(bet_id, seq, account, selection_id, stake_minor, odds, "
          "odds_requested, price_change, status, placed_at, accepted_at, trace_id) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'accepted', ?9, ?10, ?11)");
      insert_leg_ = std::make_unique<Stmt>(
          db_,
          "INSERT OR IGNORE INTO ledger_entries(seq, leg, account, amount_minor, currency, "
          "reason, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      get_bet_ = std::make_unique<Stmt>(db_, "SELECT account, stake_minor FROM bets WHERE bet_id = ?1");
      set_bet_status_ = std::make_unique<Stmt>(db_, "UPDATE bets SET status = ?2 WHERE bet_id = ?1");
      cash_out_bet_ = std::make_unique<Stmt>(
          db_,
          "UPDATE bets SET stake_minor = stake_minor - ?2, "
          "status = CASE WHEN stake_minor = ?2 THEN 'cashed_out' ELSE status END WHERE bet_id = ?1");
      insert_account_ = std::make_unique<Stmt>(
          db_, "INSERT OR IGNORE INTO accounts(account, seq, channel, opened_at) VALUES(?1, ?2, ?3, ?4)");
      insert_payment_ = std::make_unique<Stmt>(
          db_,
          "INSERT OR IGNORE INTO payments(payment_id, seq, account, kind, amount_minor, currency, route, status, "
          "requested_at, trace_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9)");
      // Idempotent by seq: an answer already projected is not applied again.
      answer_payment_ = std::make_unique<Stmt>(
          db_,
          "UPDATE payments SET status = ?2, reconciled = reconciled OR (status = 'timed_out'), "
          "psp_ref = CASE WHEN ?3 = '' THEN psp_ref ELSE ?3 END, answered_seq = ?4, answered_at = ?5 "
          "WHERE payment_id = ?1 AND (answered_seq IS NULL OR answered_seq < ?4)");
      insert_settlement_ = std::make_unique<Stmt>(
          db_,
          "INSERT OR IGNORE INTO settlements(seq, bet_id, market_id, kind, result_version, cancel_id, "
          "amount_minor, at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    } catch (...) {
      close();
      throw;
    }
  }
  ~Db() { close(); }

  uint64_t stored_last_seq() {
    return static_cast<uint64_t>(get_meta_->bind(1, "last_seq").query_int(0));
  }

  void begin() {
    // A failed ROLLBACK must not wedge every later batch.
    if (!sqlite3_get_autocommit(db_)) rollback();
    begin_->run();
  }
  void commit(uint64_t last_seq) {
    set_meta_->bind(1, "last_seq").bind(2, static_cast<int64_t>(last_seq)).run();
    commit_->run();
  }
  // Never throws: used on the error path. A no-op without a transaction.
  void rollback() noexcept { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  void apply(const JournalRecord& r) {
    BookEvent ev = decode_event(r.type, r.payload);
    if (auto* m = std::get_if<MoneyMoved>(&ev)) return money_moved(r.seq, *m);
    if (auto* b = std::get_if<BetAccepted>(&ev)) return bet_accepted(r.seq, *b);
    if (auto* p = std::get_if<BetPostings>(&ev)) return postings(r.seq, *p);
    if (auto* c = std::get_if<BetCashedOut>(&ev)) return cashed_out(r.seq, *c);
    if (auto* o = std::get_if<AccountOpened>(&ev)) return account_opened(r.seq, *o);
    if (auto* p = std::get_if<PaymentRequested>(&ev)) return payment_requested(r.seq, *p);
    if (auto* a = std::get_if<PaymentAnswered>(&ev)) return payment_answered(r.seq, *a);
    // Other events only advance last_seq.
  }

 private:
  void money_moved(uint64_t seq, const MoneyMoved& m) {
    // Same direction rule as BookState: only a withdrawal goes to funding.
    const bool out = m.reason == TransferReason::kWithdrawal;
    const std::string& funding = is_synthetic_account(m.account) ? synthetic_funding_ : funding_;
    const std::string& from = out ? m.account : funding;
    const std::string& to = out ? funding : m.account;
    transfer(seq, from, to, m.amount, m.reason, m.at_ns);
  }

  // The same money rule as BookState: a withdrawal is held at its request,
  // a deposit credited when authorised, a declined withdrawal given back.
  void payment_requested(uint64_t seq, const PaymentRequested& p) {
    insert_payment_->bind(1, static_cast<int64_t>(p.payment_id))
        .bind(2, static_cast<int64_t>(seq))
        .bind(3, p.account)
        .bind(4, transfer_reason_name(p.kind))
        .bind(5, p.amount)
        .bind(6, currency_)
        .bind(7, p.route)
        .bind(8, rfc3339_ms(p.at_ns))
        .bind(9, to_hex(p.trace_id))
        .run();
    if (p.kind == TransferReason::kWithdrawal) transfer(seq, p.account, funding_, p.amount, p.kind, p.at_ns);
  }

  void payment_answered(uint64_t seq, const PaymentAnswered& a) {
    const auto st = static_cast<PaymentStatus>(a.status);
    answer_payment_->bind(1, static_cast<int64_t>(a.payment_id))
        .bind(2, payment_status_name(st))
        .bind(3, a.psp_ref)
        .bind(4, static_cast<int64_t>(seq))
        .bind(5, rfc3339_ms(a.at_ns))
        .run();
    if (a.kind == TransferReason::kDeposit && st == PaymentStatus::kAuthorised)
      transfer(seq, funding_, a.account, a.amount, TransferReason::kDeposit, a.at_ns);
    else if (a.kind == TransferReason::kWithdrawal && st == PaymentStatus::kDeclined)
      transfer(seq, funding_, a.account, a.amount, TransferReason::kWithdrawalReturned, a.at_ns);
  }

  void account_opened(uint64_t seq, const AccountOpened& o) {
    insert_account_->bind(1, o.account)
        .bind(2, static_cast<int64_t>(seq))
        .bind(3, o.channel)
        .bind(4, rfc3339_ms(o.at_ns))
        .run();
  }

  void bet_accepted(uint64_t seq, const BetAccepted& b) {
    insert_bet_->bind(1, static_cast<int64_t>(b.bet_id))
        .bind(2, static_cast<int64_t>(seq))
        .bind(3, b.account)
        .bind(4, static_cast<int64_t>(b.selection_id))
        .bind(5, b.stake)
        .bind(6, Odds{b.odds}.str())
        .bind(7, Odds{b.odds_requested}.str())
        .bind(8, price_change_policy_name(static_cast<PriceChangePolicy>(b.policy)))
        .bind(9, rfc3339_ms(b.placed_ns))
        .bind(10, rfc3339_ms(b.accepted_ns))
        .bind(11, to_hex(b.trace_id))
        .run();
    transfer(seq, b.account, b.account + "/reserved", b.stake, TransferReason::kStakeReserve,
             b.accepted_ns);
  }

  // Settlement: per bet, the legs BookState's SettlementBook moves (a zero
  // amount moves nothing), its status, and a settlements row. A record's
  // legs are numbered in order: 4 per bet at most.
  void postings(uint64_t seq, const BetPostings& p) {
    const auto kind = static_cast<PostingKind>(p.kind);
    const std::string at = rfc3339_ms(p.at_ns);
    int next_leg = 0;
    for (auto [bet_id, amount] : p.bets) {
      std::string cash;
      int64_t stake = 0;
      if (!get_bet_->bind(1, static_cast<int64_t>(bet_id)).query_text_int(cash, stake))
        throw ProjectionError(fmt::format("postings at seq {}: bet {} is not projected", seq, bet_id));
      const std::string reserved = cash + "/reserved";
      const std::string house = is_synthetic_account(cash) ? "house/synthetic" : "house/revenue";
      auto move = [&](const std::string& from, const std::string& to, int64_t v, TransferReason r) {
        if (v <= 0) return;
        const char* why = transfer_reason_name(r);
        leg(seq, next_leg++, from, -v, why, at);
        leg(seq, next_leg++, to, v, why, at);
      };
      const char* status = "accepted";
      switch (kind) {
        case PostingKind::kPay:
          move(reserved, house, stake, TransferReason::kStakeSettle);
          move(house, cash, amount, TransferReason::kPayout);
          status = "settled";
          break;
        case PostingKind::kReverse:
          move(cash, house, amount, TransferReason::kReversal);
          move(house, reserved, stake, TransferReason::kReversal);
          break;
        case PostingKind::kRefund:
          move(reserved, cash, amount, TransferReason::kRefund);
          status = "cancelled";
          break;
        case PostingKind::kUnrefund:
          move(cash, reserved, amount, TransferReason::kReversal);
          break;
        default: throw ProjectionError(fmt::format("postings at seq {}: unknown kind {}", seq, p.kind));
      }
      set_bet_status_->bind(1, static_cast<int64_t>(bet_id)).bind(2, status).run();
      insert_settlement_->bind(1, static_cast<int64_t>(seq))
          .bind(2, static_cast<int64_t>(bet_id))
          .bind(3, static_cast<int64_t>(p.market_id))
          .bind(4, posting_kind_name(kind))
          .bind(5, static_cast<int64_t>(p.version))
          .bind(6, static_cast<int64_t>(p.cancel_id))
          .bind(7, amount)
          .bind(8, at)
          .run();
    }
  }

  // A cash-out: the cashed stake reserved -> house, its price house -> cash
  // (legs 0-3), the bet's riding stake less it (cashed_out when nothing is
  // left), and a settlements row of kind "cashout".
  void cashed_out(uint64_t seq, const BetCashedOut& c) {
    std::string cash;
    int64_t stake = 0;
    if (!get_bet_->bind(1, static_cast<int64_t>(c.bet_id)).query_text_int(cash, stake))
      throw ProjectionError(fmt::format("cash-out at seq {}: bet {} is not projected", seq, c.bet_id));
    const std::string at = rfc3339_ms(c.at_ns);
    const std::string house = is_synthetic_account(cash) ? "house/synthetic" : "house/revenue";
    int next_leg = 0;
    auto move = [&](const std::string& from, const std::string& to, int64_t v, TransferReason r) {
      if (v <= 0) return;
      leg(seq, next_leg++, from, -v, transfer_reason_name(r), at);
      leg(seq, next_leg++, to, v, transfer_reason_name(r), at);
    };
    move(cash + "/reserved", house, c.stake, TransferReason::kStakeSettle);
    move(house, cash, c.amount, TransferReason::kCashout);
    cash_out_bet_->bind(1, static_cast<int64_t>(c.bet_id)).bind(2, c.stake).run();
    insert_settlement_->bind(1, static_cast<int64_t>(seq))
        .bind(2, static_cast<int64_t>(c.bet_id))
        .bind(3, static_cast<int64_t>(c.market_id))
        .bind(4, "cashout")
        .bind(5, 0)
        .bind(6, 0)
        .bind(7, c.amount)
        .bind(8, at)
        .run();
  }

  // Two legs summing to zero: leg 0 debits `from`, leg 1 credits `to`.
  void transfer(uint64_t seq, const std::string& from, const std::string& to, int64_t amount,
                TransferReason reason, int64_t at_ns) {
    const std::string at = rfc3339_ms(at_ns);
    const char* why = transfer_reason_name(reason);
    leg(seq, 0, from, -amount, why, at);
    leg(seq, 1, to, amount, why, at);
  }

  void leg(uint64_t seq, int leg, const std::string& account, int64_t amount, const char* reason,
           const std::string& at) {
    insert_leg_->bind(1, static_cast<int64_t>(seq))
        .bind(2, leg)
        .bind(3, account)
        .bind(4, amount)
        .bind(5, currency_)
        .bind(6, reason)
        .bind(7, at)
        .run();
  }

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw ProjectionError(fmt::format("exec '{}': {}", sql, msg));
    }
  }

  void close() noexcept {
    begin_.reset();
    commit_.reset();
    get_meta_.reset();
    set_meta_.reset();
    insert_bet_.reset();
    insert_leg_.reset();
    get_bet_.reset();
    set_bet_status_.reset();
    cash_out_bet_.reset();
    insert_account_.reset();
    insert_settlement_.reset();
    sqlite3_close(db_);
    db_ = nullptr;
  }

  sqlite3* db_ = nullptr;
  const std::string currency_;
  const std::string funding_ = kHouseFunding;
  const std::string synthetic_funding_ = "house/synthetic";
  std::unique_ptr<Stmt> begin_, commit_, get_meta_, set_meta_, insert_bet_, insert_payment_, answer_payment_, insert_leg_, get_bet_, set_bet_status_,
      cash_out_bet_, insert_account_, insert_settlement_;
};

SqliteProjection::SqliteProjection(std::filesystem::path db_file, std::filesystem::path journal_dir,
                                   std::string currency, ProjectionOptions opts)
    : journal_dir_(std::move(journal_dir)),
      opts_(opts),
      db_(std::make_unique<Db>(db_file, std::move(currency))),
      reader_(std::make_unique<JournalReader>(journal_dir_)),
      loop_("projection", opts.poll_interval, opts.backoff_min, opts.backoff_max,
            {[this] { apply_new(); },
             [this](std::exception_ptr e, uint64_t n, std::chrono::milliseconds retry) { log_failure(e, n, retry); },
             [this](uint64_t n) {
               log::info("projection", "projection recovered", {{"failures", n}, {"last_seq", last_seq()}});
             }}) {
  last_seq_.store(db_->stored_last_seq(), std::memory_order_release);
  seen_seq_.store(last_seq(), std::memory_order_relaxed);
}

SqliteProjection::~SqliteProjection() { stop(); }

void SqliteProjection::start() { loop_.start(); }
void SqliteProjection::poke() { loop_.poke(); }
void SqliteProjection::stop() { loop_.stop(); }

uint64_t SqliteProjection::catch_up() { return apply_new(); }

uint64_t SqliteProjection::lag_records() const {
  uint64_t seen = seen_seq_.load(std::memory_order_relaxed), done = last_seq();
  return seen > done ? seen - done : 0;
}

uint64_t SqliteProjection::apply_new() {
  std::lock_guard lk(db_mu_);
  Db& db = *db_;
  // Every pass, idle ones included, asks the reader: it resumes after the
  // last record it scanned, so an idle poll reads one record's bytes.
  uint64_t done = last_seq();
  size_t in_batch = 0;
  try {
    reader_->read_from(done, [&](const JournalRecord& r) {
      if (r.seq <= done) return;
      if (r.seq > seen_seq_.load(std::memory_order_relaxed))
        seen_seq_.store(r.seq, std::memory_order_relaxed);
      if (in_batch == 0) {
        check_disk_reserve(opts_.may_write, "sqlite projection");
        db.begin();
      }
      db.apply(r);
      done = r.seq;
      if (++in_batch == opts_.batch_records) {
        db.commit(done);
        in_batch = 0;
        last_seq_.store(done, std::memory_order_release);
      }
    });
    if (in_batch > 0) {
      db.commit(done);
      in_batch = 0;
      last_seq_.store(done, std::memory_order_release);
    }
  } catch (...) {
    if (in_batch > 0) db.rollback();
    throw;
  }
  return last_seq();
}

// Never lets anything escape: the projection must not crash the process.
void SqliteProjection::log_failure(std::exception_ptr failure, uint64_t failures,
                                   std::chrono::milliseconds retry) noexcept {
  const int64_t retry_ms = retry.count();
  try {
    try {
      std::rethrow_exception(failure);
    } catch (const JournalCorrupt& e) {
      log::error("projection", "journal corrupt, projection stalled",
                 {{"segment", e.segment}, {"offset", e.offset}, {"reason", e.reason},
                  {"last_seq", last_seq()}, {"failures", failures}, {"retry_ms", retry_ms}});
    } catch (const ProjectionError& e) {
      log::error("projection", "sqlite error, projection stalled",
                 {{"error", e.what()}, {"last_seq", last_seq()}, {"failures", failures},
                  {"retry_ms", retry_ms}});
    } catch (const std::exception& e) {
      // An undecodable record, or an I/O error reading a segment.
      log::error("projection", "journal record not projected, projection stalled",
                 {{"error", e.what()}, {"last_seq", last_seq()}, {"failures", failures},
                  {"retry_ms", retry_ms}});
    } catch (...) {
      log::error("projection", "unknown error, projection stalled",
                 {{"last_seq", last_seq()}, {"failures", failures}, {"retry_ms", retry_ms}});
    }
  } catch (...) {
    // Logging itself failed; the retry still happens.
  }
}

}  // namespace inplay
