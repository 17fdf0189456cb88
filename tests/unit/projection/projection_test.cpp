// The history projection's suite, run against both stores (SQLite and a
// real PostgreSQL 15 started by the suite: postgres_server.h), plus the
// few tests only one of them can have.
#include "projection/history_projection.h"

#include <gtest/gtest.h>

#include "telemetry/trace.h"
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "journal/events.h"
#include "journal/journal.h"
#include "journal/settlement_events.h"
#include "payment/payment_book.h"
#include "projection/postgres_history.h"
#include "projection/sqlite_history.h"
#include "postgres_server.h"
#include "risk/risk_check.h"
#include "telemetry/log.h"

namespace inplay {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info->name();  // "Case/1" for a parametrised test
    std::replace(name.begin(), name.end(), '/', '_');
    path_ = fs::temp_directory_path() / ("inplay_projection_" + std::to_string(::getpid()) + "_" + name + "_" +
                                         std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path journal() const { return path_ / "journal"; }
  fs::path db() const { return path_ / "book.sqlite"; }

 private:
  fs::path path_;
};

Journal::Options journal_opts(const fs::path& dir) {
  Journal::Options o;
  o.dir = dir;
  o.fsync = FsyncPolicy::kNone;
  return o;
}

uint64_t append(Journal& j, const BookEvent& e) {
  std::string payload;
  encode_event(e, payload);
  return j.append(static_cast<uint16_t>(event_type(e)), payload, {});
}

// Appends events to the journal in dir (a journal session: open, start,
// append, stop) and returns the last seq.
uint64_t write_journal(const fs::path& dir, const std::vector<BookEvent>& events) {
  auto j = Journal::open(journal_opts(dir));
  j->start();
  uint64_t last = j->last_seq();
  for (const BookEvent& e : events) last = append(*j, e);
  j->stop();
  return last;
}

constexpr int64_t kT0 = 1795809600000000000;  // 2026-11-27T20:00:00Z

MoneyMoved deposit(std::string account, int64_t amount, int64_t at_ns = kT0) {
  return MoneyMoved{std::move(account), amount, TransferReason::kDeposit, at_ns, {},
                    IdemTag{"wallet:d-" + std::to_string(amount), {}}};
}

MoneyMoved withdrawal(std::string account, int64_t amount, int64_t at_ns = kT0) {
  return MoneyMoved{std::move(account), amount, TransferReason::kWithdrawal, at_ns, {},
                    IdemTag{"wallet:w-" + std::to_string(amount), {}}};
}

BetAccepted bet(uint64_t id, std::string account, int64_t stake, int32_t odds = 25000) {
  BetAccepted b;
  b.bet_id = id;
  b.account = std::move(account);
  b.selection_id = 101;
  b.stake = stake;
  b.odds = odds;
  b.odds_requested = 24000;
  b.policy = static_cast<uint8_t>(PriceChangePolicy::kBetter);
  b.placed_ns = kT0 + 1'500'000'000;  // 20:00:01.500
  b.accepted_ns = kT0 + 6'250'000'000;  // 20:00:06.250 (after the in-play delay)
  parse_trace_id("4bf92f3577b34da6a3ce929d0e0e4736", b.trace_id);
  b.idem = IdemTag{"bettor:k" + std::to_string(id), {}};
  return b;
}

// The first journal of most tests: 7 records, 2 bets' worth of money.
std::vector<BookEvent> opening_events() {
  return {
      deposit("alice", 10000),                              // 1
      deposit("bob", 5000),                                 // 2
      bet(1, "alice", 500),                                 // 3
      PriceApplied{101, 26000, 1795809601000, kT0 + 7},     // 4
      Rejected{7, "refused", kT0 + 8, IdemTag{"bettor:k9", {}}},  // 5
      withdrawal("bob", 2000, kT0 + 9'000'000),             // 6
      MarketStatusSet{11, 1, "goal", "operator:ops", kT0},  // 7
  };
}

// A store under test: opens the HistoryStore and reads it back, each row
// as "col|col|..." (NULL for a null), in the order the query gives.
class StoreView {
 public:
  virtual ~StoreView() = default;
  virtual std::unique_ptr<HistoryStore> open() = 0;
  virtual std::vector<std::string> rows(const std::string& sql) = 0;
  // Deletes the store as an operator would (the file, the database).
  virtual void erase() = 0;
  int64_t scalar(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() || r[0] == "NULL" ? -1 : std::stoll(r[0]);
  }
};

class SqliteView : public StoreView {
 public:
  explicit SqliteView(fs::path file) : file_(std::move(file)) {}
  std::unique_ptr<HistoryStore> open() override { return open_sqlite_history(file_); }
  std::vector<std::string> rows(const std::string& sql) override {
    std::vector<std::string> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << file_ << ": " << sqlite3_errmsg(db);
      sqlite3_close(db);
      return out;
    }
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    while (s && sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        if (i) row += '|';
        const unsigned char* t = sqlite3_column_text(s, i);
        row += t ? reinterpret_cast<const char*>(t) : "NULL";
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  }
  // The database and its WAL side files.
  void erase() override {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(file_.string() + suffix);
    ASSERT_FALSE(fs::exists(file_));
  }

 private:
  fs::path file_;
};

class PostgresView : public StoreView {
 public:
  explicit PostgresView(testing::PostgresServer& server) : server_(server), database_(server.fresh_database()) {}
  ~PostgresView() override { server_.drop_database(database_); }
  std::unique_ptr<HistoryStore> open() override { return open_postgres_history(dsn()); }
  std::string dsn() const { return server_.dsn(database_); }
  const std::string& database() const { return database_; }
  std::vector<std::string> rows(const std::string& sql) override {
    std::vector<std::string> out;
    PGconn* c = PQconnectdb(dsn().c_str());
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string row;
      for (int j = 0; j < PQnfields(r); ++j) {
        if (j) row += '|';
        row += PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j);
      }
      out.push_back(std::move(row));
    }
    PQclear(r);
    PQfinish(c);
    return out;
  }
  void erase() override {
    server_.drop_database(database_);
    server_.admin("CREATE DATABASE " + database_);
  }
  // Runs a statement that returns no rows (DDL in a test).
  void exec(const std::string& sql) {
    PGconn* c = PQconnectdb(dsn().c_str());
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }

 private:
  testing::PostgresServer& server_;
  std::string database_;
};

// The rows every store must give alike.
std::vector<std::string> all_rows(StoreView& v) {
  std::vector<std::string> out;
  for (auto* sql : {"SELECT * FROM bets ORDER BY bet_id", "SELECT * FROM ledger_entries ORDER BY seq, leg",
                    "SELECT * FROM settlements ORDER BY seq, bet_id", "SELECT * FROM accounts ORDER BY account",
                    "SELECT * FROM payments ORDER BY payment_id", "SELECT * FROM audit ORDER BY seq",
                    "SELECT * FROM meta ORDER BY key"})
    for (auto& r : v.rows(sql)) out.push_back(r);
  return out;
}

// Waits (bounded) for cond; the projection's thread runs on its own time.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

// Collects log lines for the life of the object.
class LogCapture {
 public:
  LogCapture() {
    log::set_sink([this](std::string_view line) {
      std::lock_guard lk(mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { log::set_sink({}); }
  size_t count(std::string_view needle) {
    std::lock_guard lk(mu_);
    size_t n = 0;
    for (auto& l : lines_) n += l.find(needle) != std::string::npos;
    return n;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

enum class StoreKind { kSqlite, kPostgres };

// Under CI=true a test that needs a missing PostgreSQL fails instead of skipping.
bool ci() {
  const char* v = std::getenv("CI");
  return v && std::string(v) == "true";
}

// Each test of the suite runs once per store.
class HistoryProjectionTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    if (GetParam() == StoreKind::kSqlite) {
      store_ = std::make_unique<SqliteView>(d.db());
      return;
    }
    testing::PostgresServer& pg = testing::PostgresServer::get();
    if (!pg.available()) {
      if (pg.broken() || ci()) FAIL() << "no PostgreSQL: " << pg.why();
      GTEST_SKIP() << pg.why();
    }
    store_ = std::make_unique<PostgresView>(pg);
  }

  std::unique_ptr<HistoryProjection> projection(ProjectionOptions o = {}) {
    return std::make_unique<HistoryProjection>(store_->open(), d.journal(), "EUR", o);
  }
  StoreView& q() { return *store_; }

  TempDir d;
  std::unique_ptr<StoreView> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, HistoryProjectionTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& i) {
                           return i.param == StoreKind::kSqlite ? "Sqlite" : "Postgres";
                         });

TEST_P(HistoryProjectionTest, CatchUpProjectsBetsAndLedgerEntries) {
  ASSERT_EQ(write_journal(d.journal(), opening_events()), 7u);
  auto p = projection();
  EXPECT_EQ(p->last_seq(), 0u);
  EXPECT_EQ(p->catch_up(), 7u);
  EXPECT_EQ(p->last_seq(), 7u);
  EXPECT_EQ(p->lag_records(), 0u);

  EXPECT_EQ(q().rows("SELECT * FROM bets"),
            std::vector<std::string>{"1|3|alice|101|500|2.5|2.4|better|accepted|"
                                     "2026-11-27T20:00:01.500Z|2026-11-27T20:00:06.250Z|"
                                     "4bf92f3577b34da6a3ce929d0e0e4736"});
  EXPECT_EQ(q().rows("SELECT * FROM ledger_entries ORDER BY seq, leg"),
            (std::vector<std::string>{
                "1|0|house/funding|-10000|EUR|deposit|2026-11-27T20:00:00.000Z",
                "1|1|alice|10000|EUR|deposit|2026-11-27T20:00:00.000Z",
                "2|0|house/funding|-5000|EUR|deposit|2026-11-27T20:00:00.000Z",
                "2|1|bob|5000|EUR|deposit|2026-11-27T20:00:00.000Z",
                "3|0|alice|-500|EUR|stake_reserve|2026-11-27T20:00:06.250Z",
                "3|1|alice/reserved|500|EUR|stake_reserve|2026-11-27T20:00:06.250Z",
                "6|0|bob|-2000|EUR|withdrawal|2026-11-27T20:00:00.009Z",
                "6|1|house/funding|2000|EUR|withdrawal|2026-11-27T20:00:00.009Z",
            }));
  EXPECT_EQ(q().scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM (SELECT seq FROM ledger_entries GROUP BY seq "
                       "HAVING SUM(amount_minor) != 0 OR COUNT(*) != 2) AS unbalanced"),
            0);
  EXPECT_EQ(q().scalar("SELECT value FROM meta WHERE key = 'last_seq'"), 7);
  EXPECT_EQ(q().scalar("SELECT value FROM meta WHERE key = 'audit_since'"), 0);
  // Balances fall out of the entries: alice 10000 - 500, bob 5000 - 2000.
  EXPECT_EQ(q().rows("SELECT account, SUM(amount_minor) FROM ledger_entries GROUP BY account "
                     "ORDER BY account"),
            (std::vector<std::string>{"alice|9500", "alice/reserved|500", "bob|3000", "house/funding|-13000"}));
}

// Settlement, cash-out and payments: the legs and rows each posting writes,
// and the bet's status after it.
TEST_P(HistoryProjectionTest, SettlementsCashOutsAndPaymentsMoveTheirLegs) {
  BetPostings pay{201, static_cast<uint8_t>(PostingKind::kPay), 1, 0, kT0 + 20, {{1, 1250}, {2, 0}}};
  BetPostings reverse{201, static_cast<uint8_t>(PostingKind::kReverse), 1, 0, kT0 + 30, {{1, 1250}, {2, 0}}};
  BetCashedOut cash;
  cash.bet_id = 3;
  cash.market_id = 301;
  cash.stake = 200;
  cash.amount = 180;
  cash.at_ns = kT0 + 40;
  PaymentRequested req{7, "bob", TransferReason::kWithdrawal, 300, "psp-a", kT0 + 50, {}, {}};
  PaymentAnswered declined{7, "bob", TransferReason::kWithdrawal, 300,
                           static_cast<uint8_t>(PaymentStatus::kDeclined), 1, "ref-7", "no", kT0 + 60};
  ASSERT_EQ(write_journal(d.journal(), {deposit("alice", 10000), deposit("bob", 5000), bet(1, "alice", 500),
                                        bet(2, "bob", 400), bet(3, "alice", 600), pay, reverse, cash, req, declined}),
            10u);
  auto p = projection();
  EXPECT_EQ(p->catch_up(), 10u);
  EXPECT_EQ(q().rows("SELECT bet_id, stake_minor, status FROM bets ORDER BY bet_id"),
            (std::vector<std::string>{"1|500|accepted", "2|400|accepted", "3|400|accepted"}));
  EXPECT_EQ(q().rows("SELECT * FROM settlements ORDER BY seq, bet_id"),
            (std::vector<std::string>{
                "6|1|201|pay|1|0|1250|2026-11-27T20:00:00.000Z", "6|2|201|pay|1|0|0|2026-11-27T20:00:00.000Z",
                "7|1|201|reverse|1|0|1250|2026-11-27T20:00:00.000Z",
                "7|2|201|reverse|1|0|0|2026-11-27T20:00:00.000Z",
                "8|3|301|cashout|0|0|180|2026-11-27T20:00:00.000Z"}));
  // Pay: each bet's stake to the house, alice's return to her; reverse undoes it.
  EXPECT_EQ(q().rows("SELECT leg, account, amount_minor, reason FROM ledger_entries WHERE seq = 6 ORDER BY leg"),
            (std::vector<std::string>{"0|alice/reserved|-500|stake_settle", "1|house/revenue|500|stake_settle",
                                      "2|house/revenue|-1250|payout", "3|alice|1250|payout",
                                      "4|bob/reserved|-400|stake_settle", "5|house/revenue|400|stake_settle"}));
  EXPECT_EQ(q().rows("SELECT * FROM payments"),
            std::vector<std::string>{"7|9|bob|withdrawal|300|EUR|psp-a|declined|0|ref-7|"
                                     "2026-11-27T20:00:00.000Z|10|2026-11-27T20:00:00.000Z|"
                                     "00000000000000000000000000000000"});
  EXPECT_EQ(q().scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q().rows("SELECT account, SUM(amount_minor) FROM ledger_entries GROUP BY account ORDER BY account"),
            (std::vector<std::string>{"alice|9080", "alice/reserved|900", "bob|4600", "bob/reserved|400",
                                      "house/funding|-15000", "house/revenue|20"}));
  // The declined withdrawal's hold came back to bob.
  EXPECT_EQ(q().rows("SELECT leg, account, amount_minor, reason FROM ledger_entries WHERE seq = 10 ORDER BY leg"),
            (std::vector<std::string>{"0|house/funding|-300|withdrawal_returned", "1|bob|300|withdrawal_returned"}));
}

// The audit entries (the audit log's, projection/audit_entries.h) as rows,
// one per audited record, accounts masked; none without a mask.
TEST_P(HistoryProjectionTest, AuditEntriesAreRowsWithMaskedAccounts) {
  write_journal(d.journal(), opening_events());
  ProjectionOptions o;
  o.audit_mask = [](std::string_view a) { return "p-" + std::string(a.substr(0, 1)); };
  EXPECT_EQ(projection(o)->catch_up(), 7u);
  EXPECT_EQ(q().rows("SELECT seq, action, at FROM audit ORDER BY seq"),
            (std::vector<std::string>{"1|deposit|2026-11-27T20:00:00.000Z", "2|deposit|2026-11-27T20:00:00.000Z",
                                      "3|bet_accepted|2026-11-27T20:00:06.250Z",
                                      "5|bet_rejected|2026-11-27T20:00:00.000Z",
                                      "6|withdrawal|2026-11-27T20:00:00.009Z",
                                      "7|market_status_set|2026-11-27T20:00:00.000Z"}));
  EXPECT_EQ(q().rows("SELECT fields FROM audit WHERE seq = 1"),
            std::vector<std::string>{R"({"account":"p-a","amount":10000,"currency":"EUR"})"});
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM audit WHERE fields LIKE '%alice%' OR fields LIKE '%bob%'"), 0);

  q().erase();
  EXPECT_EQ(projection()->catch_up(), 7u);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM audit"), 0);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM bets"), 1);
}

// SEC-1: an opened account is a row naming its channel, once (a second
// catch-up after a restart adds nothing); accounts of older journals,
// opened by a deposit, have none.
TEST_P(HistoryProjectionTest, OpenedAccountsNameTheirChannel) {
  ASSERT_EQ(write_journal(d.journal(), {AccountOpened{"carol", "app", "channel:app", kT0 + 5'000'000},
                                        deposit("carol", 700), deposit("alice", 100)}),
            3u);
  EXPECT_EQ(projection()->catch_up(), 3u);
  EXPECT_EQ(projection()->catch_up(), 3u);
  EXPECT_EQ(q().rows("SELECT * FROM accounts ORDER BY account"),
            std::vector<std::string>{"carol|1|app|2026-11-27T20:00:00.005Z"});
  EXPECT_EQ(q().scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
}

TEST_P(HistoryProjectionTest, EmptyOrMissingJournalProjectsNothing) {
  auto p = projection();
  EXPECT_EQ(p->catch_up(), 0u);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM bets"), 0);
  EXPECT_EQ(q().scalar("SELECT value FROM meta WHERE key = 'last_seq'"), 0);
}

TEST_P(HistoryProjectionTest, RestartIsIdempotentAndAddsOnlyNewRecords) {
  write_journal(d.journal(), opening_events());
  std::vector<std::string> first;
  {
    auto p = projection();
    EXPECT_EQ(p->catch_up(), 7u);
    first = all_rows(q());
  }
  auto p = projection();
  EXPECT_EQ(p->last_seq(), 7u);  // read back from meta
  EXPECT_EQ(p->catch_up(), 7u);
  EXPECT_EQ(p->catch_up(), 7u);
  EXPECT_EQ(all_rows(q()), first);

  EXPECT_EQ(write_journal(d.journal(), {bet(2, "bob", 700, 31000), deposit("carol", 900)}), 9u);
  EXPECT_EQ(p->catch_up(), 9u);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM bets"), 2);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM ledger_entries"), 12);
  EXPECT_EQ(q().scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q().rows("SELECT bet_id, seq, odds FROM bets WHERE bet_id = 2"), std::vector<std::string>{"2|8|3.1"});
  // The rows of the first pass are untouched.
  auto now = all_rows(q());
  for (auto& r : first) {
    if (r.rfind("last_seq", 0) == 0) continue;
    EXPECT_NE(std::find(now.begin(), now.end(), r), now.end()) << r;
  }
}

TEST_P(HistoryProjectionTest, DeletedDatabaseIsRebuiltIdentically) {
  write_journal(d.journal(), opening_events());
  write_journal(d.journal(), {bet(2, "bob", 700), withdrawal("alice", 100)});
  std::vector<std::string> before;
  {
    auto p = projection();
    EXPECT_EQ(p->catch_up(), 9u);
    before = all_rows(q());
  }
  q().erase();
  auto p = projection();
  EXPECT_EQ(p->last_seq(), 0u);
  EXPECT_EQ(p->catch_up(), 9u);
  EXPECT_EQ(all_rows(q()), before);
}

TEST_P(HistoryProjectionTest, SmallBatchesGiveTheSameRows) {
  std::vector<BookEvent> events = opening_events();
  for (uint64_t id = 2; id <= 10; ++id) events.push_back(bet(id, "alice", 10 * id));
  write_journal(d.journal(), events);
  std::vector<std::string> whole;
  {
    auto p = projection();
    EXPECT_EQ(p->catch_up(), 16u);
    whole = all_rows(q());
  }
  q().erase();
  ProjectionOptions o;
  o.batch_records = 3;
  EXPECT_EQ(projection(o)->catch_up(), 16u);
  EXPECT_EQ(all_rows(q()), whole);
}

// Two followers on one store (two processes pointed at one database) take
// turns batch by batch: neither writes what the other already has.
TEST_P(HistoryProjectionTest, TwoFollowersOnOneStoreNeverDoubleARow) {
  std::vector<BookEvent> events = opening_events();
  for (uint64_t id = 2; id <= 200; ++id) events.push_back(bet(id, id % 2 ? "alice" : "bob", id));
  const uint64_t last = write_journal(d.journal(), events);
  ProjectionOptions o;
  o.batch_records = 7;
  auto a = projection(o);
  auto b = projection(o);
  auto run_b = std::async(std::launch::async, [&] { return b->catch_up(); });
  EXPECT_EQ(a->catch_up(), last);
  EXPECT_EQ(run_b.get(), last);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM bets"), 200);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM ledger_entries"), 2 * (200 + 3));
  EXPECT_EQ(q().scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q().scalar("SELECT value FROM meta WHERE key = 'last_seq'"), static_cast<int64_t>(last));
}

TEST_P(HistoryProjectionTest, BackgroundThreadFollowsALiveJournalWhenPoked) {
  write_journal(d.journal(), {deposit("alice", 10000)});
  ProjectionOptions o;
  o.poll_interval = 10s;  // only pokes can make it keep up within the test
  auto p = projection(o);

  std::atomic<HistoryProjection*> target{nullptr};
  std::atomic<int> pokes{0};
  Journal::Options jo = journal_opts(d.journal());
  jo.on_batch = [&](int64_t, size_t, size_t) {
    if (auto* t = target.load()) {
      t->poke();
      ++pokes;
    }
  };
  auto j = Journal::open(jo);
  j->start();
  p->start();  // its first pass runs at once
  ASSERT_TRUE(eventually([&] { return p->last_seq() == 1; }));
  target = p.get();

  uint64_t last = 0;
  for (uint64_t id = 1; id <= 50; ++id) {
    last = append(*j, bet(id, "alice", 100));
    if (id % 10 == 0) {
      // Several journal batches, each a poke: wait until these ten are durable.
      auto durable = std::make_shared<std::promise<void>>();
      j->barrier([durable] { durable->set_value(); });
      ASSERT_EQ(durable->get_future().wait_for(5s), std::future_status::ready);
    }
  }
  EXPECT_GE(pokes.load(), 5);
  EXPECT_TRUE(eventually([&] { return p->last_seq() == last; })) << p->last_seq() << " of " << last;
  j->stop();
  p->stop();

  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM bets"), 50);
  EXPECT_EQ(q().scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q().scalar("SELECT SUM(amount_minor) FROM ledger_entries WHERE account = 'alice'"), 10000 - 50 * 100);
}

TEST_P(HistoryProjectionTest, BackgroundThreadPollsWithoutPokes) {
  ProjectionOptions o;
  o.poll_interval = 5ms;
  auto p = projection(o);
  p->start();
  write_journal(d.journal(), opening_events());
  EXPECT_TRUE(eventually([&] { return p->last_seq() == 7; })) << p->last_seq();
  // Idle polls over an unchanged journal, then one more append.
  const uint64_t passes = p->passes();
  EXPECT_TRUE(eventually([&] { return p->passes() >= passes + 3; })) << p->passes() - passes << " idle passes";
  EXPECT_EQ(p->last_seq(), 7u);
  write_journal(d.journal(), {bet(2, "bob", 700)});
  EXPECT_TRUE(eventually([&] { return p->last_seq() == 8; })) << p->last_seq();
  p->stop();
  p->stop();  // idempotent
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM bets"), 2);
}

TEST_P(HistoryProjectionTest, StopThenCatchUpTakesTheRest) {
  auto p = projection();
  p->start();
  p->poke();
  p->stop();
  write_journal(d.journal(), opening_events());
  EXPECT_EQ(p->catch_up(), 7u);
  p->start();  // restartable
  p->poke();
  EXPECT_EQ(p->catch_up(), 7u);  // alongside the thread
}

// Flips one byte inside the payload of record `index` (0-based) of a
// journal with a single segment.
void corrupt_record(const fs::path& journal_dir, int index) {
  fs::path seg;
  for (auto& e : fs::directory_iterator(journal_dir)) seg = e.path();
  std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
  uint64_t off = 0;
  for (int i = 0;; ++i) {
    uint32_t len = 0;
    f.seekg(static_cast<std::streamoff>(off));
    f.read(reinterpret_cast<char*>(&len), 4);
    if (i == index) {
      const auto at = static_cast<std::streamoff>(off + 18 + len / 2);
      f.seekg(at);
      char c = 0;
      f.get(c);
      f.seekp(at);
      f.put(static_cast<char>(c ^ 0x5a));
      return;
    }
    off += 18 + len;
  }
}

TEST_P(HistoryProjectionTest, CorruptJournalIsLoggedAndRetriedNeverSkipped) {
  write_journal(d.journal(), opening_events());
  corrupt_record(d.journal(), 2);  // the bet, seq 3; records after it follow
  auto p = projection();
  EXPECT_THROW(p->catch_up(), JournalCorrupt);
  EXPECT_EQ(p->last_seq(), 0u);  // the batch holding seq 1 and 2 was rolled back

  ProjectionOptions o;
  o.backoff_min = 1ms;
  o.backoff_max = 4ms;
  LogCapture logs;
  auto bg = projection(o);
  bg->start();
  EXPECT_TRUE(eventually([&] { return logs.count("journal corrupt") >= 3; }));
  bg->stop();
  EXPECT_EQ(bg->last_seq(), 0u);
  EXPECT_EQ(q().scalar("SELECT COUNT(*) FROM ledger_entries"), 0);
}

TEST_P(HistoryProjectionTest, UndecodableRecordStallsTheProjectionAndIsNeverSkipped) {
  write_journal(d.journal(), opening_events());
  {
    auto j = Journal::open(journal_opts(d.journal()));
    j->start();
    j->append(999, "not an event", {});  // seq 8: CRC-valid, unknown type
    j->stop();
  }
  ProjectionOptions o;
  o.batch_records = 4;  // seq 1-4 commit, 5-8 do not
  o.backoff_min = 1ms;
  o.backoff_max = 4ms;
  auto p = projection(o);
  EXPECT_THROW(p->catch_up(), std::invalid_argument);
  EXPECT_EQ(p->last_seq(), 4u);
  EXPECT_EQ(p->lag_records(), 4u);  // seen 8, applied 4

  LogCapture logs;
  p->start();
  EXPECT_TRUE(eventually([&] { return logs.count("not projected") >= 2; }));
  p->stop();
  EXPECT_EQ(p->last_seq(), 4u);
  EXPECT_EQ(q().scalar("SELECT MAX(seq) FROM ledger_entries"), 3);
  EXPECT_EQ(q().scalar("SELECT value FROM meta WHERE key = 'last_seq'"), 4);
}


// --- SQLite only ---------------------------------------------------------

TEST(SqliteHistory, FileIsInWalMode) {
  TempDir d;
  write_journal(d.journal(), opening_events());
  HistoryProjection p(open_sqlite_history(d.db()), d.journal(), "EUR");
  EXPECT_EQ(p.catch_up(), 7u);
  EXPECT_EQ(SqliteView(d.db()).rows("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

// A book.sqlite from before the audit table: the table is added, and
// meta.audit_since says from which seq on it holds rows.
TEST(SqliteHistory, StoreFromBeforeTheAuditTableSaysWhereItsAuditStarts) {
  TempDir d;
  write_journal(d.journal(), opening_events());
  {
    HistoryProjection p(open_sqlite_history(d.db()), d.journal(), "EUR");
    EXPECT_EQ(p.catch_up(), 7u);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(d.db().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE audit; DELETE FROM meta WHERE key = 'audit_since'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  write_journal(d.journal(), {bet(2, "bob", 700)});
  ProjectionOptions o;
  o.audit_mask = [](std::string_view a) { return std::string(a.size(), '*'); };
  HistoryProjection p(open_sqlite_history(d.db()), d.journal(), "EUR", o);
  EXPECT_EQ(p.catch_up(), 8u);
  SqliteView v(d.db());
  EXPECT_EQ(v.scalar("SELECT value FROM meta WHERE key = 'audit_since'"), 7);
  EXPECT_EQ(v.rows("SELECT seq, action FROM audit"), std::vector<std::string>{"8|bet_accepted"});
}

TEST(SqliteHistory, UnopenableDatabaseThrows) {
  TempDir d;
  fs::create_directories(d.db());  // a directory where the file should be
  EXPECT_THROW(open_sqlite_history(d.db()), ProjectionError);
}

// --- PostgreSQL only -----------------------------------------------------

class PostgresHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!pg().available()) {
      if (pg().broken() || ci()) FAIL() << "no PostgreSQL: " << pg().why();
      GTEST_SKIP() << pg().why();
    }
  }
  static testing::PostgresServer& pg() { return testing::PostgresServer::get(); }
  TempDir d;
};

TEST(PostgresHistory, DsnThatDoesNotParseThrows) {
  EXPECT_THROW(open_postgres_history("host=127.0.0.1 port"), ProjectionError);
  EXPECT_TRUE(postgres_dsn_error("host=127.0.0.1 nonsense=1").has_value());
  EXPECT_FALSE(postgres_dsn_error("postgresql://inplay@127.0.0.1:5432/history").has_value());
}

// A database that does not answer at start stalls the projection (never
// the caller's constructor); once it answers, the next pass catches up.
TEST_F(PostgresHistoryTest, DatabaseNotThereYetStallsThenCatchesUp) {
  write_journal(d.journal(), opening_events());
  const std::string name = "late_" + std::to_string(::getpid());
  pg().drop_database(name);
  ProjectionOptions o;
  o.backoff_min = 1ms;
  o.backoff_max = 4ms;
  LogCapture logs;
  HistoryProjection p(open_postgres_history(pg().dsn(name)), d.journal(), "EUR", o);
  EXPECT_EQ(logs.count("history store not answering yet"), 1u);
  EXPECT_THROW(p.catch_up(), ProjectionError);
  p.start();
  EXPECT_TRUE(eventually([&] { return logs.count("history store error, projection stalled") >= 2; }));
  ASSERT_TRUE(pg().admin("CREATE DATABASE " + name));
  EXPECT_TRUE(eventually([&] { return p.last_seq() == 7; })) << p.last_seq();
  EXPECT_TRUE(eventually([&] { return logs.count("projection recovered") == 1; }));
  p.stop();
  pg().drop_database(name);
}

// The server ends the projection's session (a restart, a failover, an
// operator's pg_terminate_backend): a pass fails, the next one reconnects
// and goes on from the stored last_seq without doubling a row.
TEST_F(PostgresHistoryTest, LostConnectionIsOpenedAgain) {
  PostgresView v(pg());
  write_journal(d.journal(), opening_events());
  HistoryProjection p(v.open(), d.journal(), "EUR");
  EXPECT_EQ(p.catch_up(), 7u);
  ASSERT_TRUE(pg().admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + v.database() +
                         "' AND application_name = 'inplay-history'"));
  write_journal(d.journal(), {bet(2, "bob", 700), deposit("carol", 900)});
  EXPECT_THROW(p.catch_up(), ProjectionError);
  EXPECT_EQ(p.catch_up(), 9u);
  EXPECT_EQ(v.scalar("SELECT COUNT(*) FROM ledger_entries"), 12);
  EXPECT_EQ(v.scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
}

// Writes go out pipelined; a write the database refuses (here a check
// constraint an operator added) fails the batch at the next sync: nothing of
// it stays, last_seq stays, and once the refusal goes the batch goes in whole.
TEST_F(PostgresHistoryTest, RefusedPipelinedWriteFailsTheWholeBatch) {
  PostgresView v(pg());
  write_journal(d.journal(), opening_events());
  HistoryProjection p(v.open(), d.journal(), "EUR");
  EXPECT_EQ(p.catch_up(), 7u);
  // 300 bets: more statements than one pipeline sync carries (512), the
  // refused leg first, so the refusal comes back at the first sync.
  std::vector<BookEvent> more{deposit("mallory", 50)};
  for (uint64_t id = 2; id <= 301; ++id) more.push_back(bet(id, "alice", 1));
  more.push_back(deposit("mallory", 60));
  const uint64_t last = write_journal(d.journal(), more);
  v.exec("ALTER TABLE ledger_entries ADD CONSTRAINT no_mallory CHECK (account <> 'mallory')");
  try {
    p.catch_up();
    ADD_FAILURE() << "the refused write was not reported";
  } catch (const ProjectionError& e) {
    EXPECT_NE(std::string(e.what()).find("no_mallory"), std::string::npos) << e.what();
  }
  EXPECT_EQ(p.last_seq(), 7u);
  EXPECT_EQ(v.scalar("SELECT COUNT(*) FROM bets"), 1);
  EXPECT_EQ(v.scalar("SELECT value FROM meta WHERE key = 'last_seq'"), 7);
  // Refused at the end instead: the refusal comes back at the commit's sync.
  v.exec("ALTER TABLE ledger_entries DROP CONSTRAINT no_mallory");
  v.exec("ALTER TABLE ledger_entries ADD CONSTRAINT no_big_mallory CHECK (account <> 'mallory' OR amount_minor < 55)");
  EXPECT_THROW(p.catch_up(), ProjectionError);
  EXPECT_EQ(v.scalar("SELECT COUNT(*) FROM bets"), 1);
  v.exec("ALTER TABLE ledger_entries DROP CONSTRAINT no_big_mallory");
  EXPECT_EQ(p.catch_up(), last);
  EXPECT_EQ(v.scalar("SELECT COUNT(*) FROM bets"), 301);
  EXPECT_EQ(v.scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(v.scalar("SELECT SUM(amount_minor) FROM ledger_entries WHERE account = 'mallory'"), 110);
}

// The same journal gives the same rows in both stores.
TEST_F(PostgresHistoryTest, SameRowsAsSqlite) {
  std::vector<BookEvent> events = opening_events();
  for (uint64_t id = 2; id <= 30; ++id) events.push_back(bet(id, id % 3 ? "alice" : "bob", 10 * id));
  events.push_back(AccountOpened{"carol", "app", "channel:app", kT0});
  write_journal(d.journal(), events);
  PostgresView v(pg());
  SqliteView s(d.db());
  ProjectionOptions o;
  o.audit_mask = [](std::string_view a) { return "masked-" + std::to_string(a.size()); };
  EXPECT_EQ(HistoryProjection(v.open(), d.journal(), "EUR", o).catch_up(), 37u);
  EXPECT_EQ(HistoryProjection(s.open(), d.journal(), "EUR", o).catch_up(), 37u);
  EXPECT_EQ(v.scalar("SELECT COUNT(*) FROM audit"), 36);  // all but the price
  EXPECT_EQ(all_rows(v), all_rows(s));
}

}  // namespace
}  // namespace inplay
