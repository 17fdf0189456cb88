#include "projection/sqlite_projection.h"

#include <gtest/gtest.h>

#include "telemetry/trace.h"
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
    path_ = fs::temp_directory_path() / ("inplay_projection_" + std::to_string(::getpid()) + "_" +
                                         info->name() + "_" + std::to_string(counter++));
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

// The database and its WAL side files, as an operator would delete them.
void delete_db(const fs::path& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
}

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

// A read-only view of the projection's file for assertions.
class Sql {
 public:
  explicit Sql(const fs::path& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      ADD_FAILURE() << "open " << file << ": " << sqlite3_errmsg(db_);
  }
  ~Sql() { sqlite3_close(db_); }

  // Every row as "col|col|...", in the order the query gives.
  std::vector<std::string> rows(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        if (i) row += '|';
        const unsigned char* t = sqlite3_column_text(s, i);
        row += t ? reinterpret_cast<const char*>(t) : "NULL";
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(s);
    return out;
  }
  int64_t scalar(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() || r[0] == "NULL" ? -1 : std::stoll(r[0]);
  }

 private:
  sqlite3* db_ = nullptr;
};

std::vector<std::string> all_rows(const fs::path& db) {
  Sql q(db);
  std::vector<std::string> out;
  for (auto* sql : {"SELECT * FROM bets ORDER BY bet_id", "SELECT * FROM ledger_entries ORDER BY seq, leg",
                    "SELECT * FROM meta ORDER BY key"})
    for (auto& r : q.rows(sql)) out.push_back(r);
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

TEST(SqliteProjection, CatchUpProjectsBetsAndLedgerEntries) {
  TempDir d;
  ASSERT_EQ(write_journal(d.journal(), opening_events()), 7u);
  SqliteProjection p(d.db(), d.journal(), "EUR");
  EXPECT_EQ(p.last_seq(), 0u);
  EXPECT_EQ(p.catch_up(), 7u);
  EXPECT_EQ(p.last_seq(), 7u);
  EXPECT_EQ(p.lag_records(), 0u);

  Sql q(d.db());
  EXPECT_EQ(q.rows("SELECT * FROM bets"),
            std::vector<std::string>{"1|3|alice|101|500|2.5|2.4|better|accepted|"
                                     "2026-11-27T20:00:01.500Z|2026-11-27T20:00:06.250Z|"
                                     "4bf92f3577b34da6a3ce929d0e0e4736"});
  EXPECT_EQ(q.rows("SELECT * FROM ledger_entries ORDER BY seq, leg"),
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
  EXPECT_EQ(q.scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q.scalar("SELECT COUNT(*) FROM (SELECT seq FROM ledger_entries GROUP BY seq "
                     "HAVING SUM(amount_minor) != 0 OR COUNT(*) != 2)"),
            0);
  EXPECT_EQ(q.scalar("SELECT value FROM meta WHERE key = 'last_seq'"), 7);
  // Balances fall out of the entries: alice 10000 - 500, bob 5000 - 2000.
  EXPECT_EQ(q.rows("SELECT account, SUM(amount_minor) FROM ledger_entries GROUP BY account "
                   "ORDER BY account"),
            (std::vector<std::string>{"alice|9500", "alice/reserved|500", "bob|3000",
                                      "house/funding|-13000"}));
  EXPECT_EQ(q.rows("PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

// SEC-1: an opened account is a row naming its channel, once (a second
// catch-up after a restart adds nothing); accounts of older journals,
// opened by a deposit, have none.
TEST(SqliteProjection, OpenedAccountsNameTheirChannel) {
  TempDir d;
  ASSERT_EQ(write_journal(d.journal(), {AccountOpened{"carol", "app", "channel:app", kT0 + 5'000'000},
                                        deposit("carol", 700), deposit("alice", 100)}),
            3u);
  {
    SqliteProjection p(d.db(), d.journal(), "EUR");
    EXPECT_EQ(p.catch_up(), 3u);
  }
  SqliteProjection again(d.db(), d.journal(), "EUR");
  EXPECT_EQ(again.catch_up(), 3u);
  Sql q(d.db());
  EXPECT_EQ(q.rows("SELECT * FROM accounts ORDER BY account"),
            std::vector<std::string>{"carol|1|app|2026-11-27T20:00:00.005Z"});
  EXPECT_EQ(q.scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
}

TEST(SqliteProjection, EmptyOrMissingJournalProjectsNothing) {
  TempDir d;
  SqliteProjection p(d.db(), d.journal(), "EUR");
  EXPECT_EQ(p.catch_up(), 0u);
  Sql q(d.db());
  EXPECT_EQ(q.scalar("SELECT COUNT(*) FROM bets"), 0);
  EXPECT_EQ(q.scalar("SELECT value FROM meta WHERE key = 'last_seq'"), 0);
}

TEST(SqliteProjection, RestartIsIdempotentAndAddsOnlyNewRecords) {
  TempDir d;
  write_journal(d.journal(), opening_events());
  std::vector<std::string> first;
  {
    SqliteProjection p(d.db(), d.journal(), "EUR");
    EXPECT_EQ(p.catch_up(), 7u);
    first = all_rows(d.db());
  }
  SqliteProjection p(d.db(), d.journal(), "EUR");
  EXPECT_EQ(p.last_seq(), 7u);  // read back from meta
  EXPECT_EQ(p.catch_up(), 7u);
  EXPECT_EQ(p.catch_up(), 7u);
  EXPECT_EQ(all_rows(d.db()), first);

  EXPECT_EQ(write_journal(d.journal(), {bet(2, "bob", 700, 31000), deposit("carol", 900)}), 9u);
  EXPECT_EQ(p.catch_up(), 9u);
  Sql q(d.db());
  EXPECT_EQ(q.scalar("SELECT COUNT(*) FROM bets"), 2);
  EXPECT_EQ(q.scalar("SELECT COUNT(*) FROM ledger_entries"), 12);
  EXPECT_EQ(q.scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q.rows("SELECT bet_id, seq, odds FROM bets WHERE bet_id = 2"),
            std::vector<std::string>{"2|8|3.1"});
  // The rows of the first pass are untouched.
  auto now = all_rows(d.db());
  for (auto& r : first) {
    if (r.rfind("last_seq", 0) == 0) continue;
    EXPECT_NE(std::find(now.begin(), now.end(), r), now.end()) << r;
  }
}

TEST(SqliteProjection, DeletedDatabaseIsRebuiltIdentically) {
  TempDir d;
  write_journal(d.journal(), opening_events());
  write_journal(d.journal(), {bet(2, "bob", 700), withdrawal("alice", 100)});
  std::vector<std::string> before;
  {
    SqliteProjection p(d.db(), d.journal(), "EUR");
    EXPECT_EQ(p.catch_up(), 9u);
    before = all_rows(d.db());
  }
  delete_db(d.db());
  ASSERT_FALSE(fs::exists(d.db()));
  SqliteProjection p(d.db(), d.journal(), "EUR");
  EXPECT_EQ(p.last_seq(), 0u);
  EXPECT_EQ(p.catch_up(), 9u);
  EXPECT_EQ(all_rows(d.db()), before);
}

TEST(SqliteProjection, SmallBatchesGiveTheSameRows) {
  TempDir d;
  std::vector<BookEvent> events = opening_events();
  for (uint64_t id = 2; id <= 10; ++id) events.push_back(bet(id, "alice", 10 * id));
  write_journal(d.journal(), events);
  std::vector<std::string> whole;
  {
    SqliteProjection p(d.db(), d.journal(), "EUR");
    EXPECT_EQ(p.catch_up(), 16u);
    whole = all_rows(d.db());
  }
  delete_db(d.db());
  ProjectionOptions o;
  o.batch_records = 3;
  SqliteProjection p(d.db(), d.journal(), "EUR", o);
  EXPECT_EQ(p.catch_up(), 16u);
  EXPECT_EQ(all_rows(d.db()), whole);
}

TEST(SqliteProjection, BackgroundThreadFollowsALiveJournalWhenPoked) {
  TempDir d;
  write_journal(d.journal(), {deposit("alice", 10000)});
  ProjectionOptions o;
  o.poll_interval = 10s;  // only pokes can make it keep up within the test
  SqliteProjection p(d.db(), d.journal(), "EUR", o);

  std::atomic<SqliteProjection*> target{nullptr};
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
  p.start();  // its first pass runs at once
  ASSERT_TRUE(eventually([&] { return p.last_seq() == 1; }));
  target = &p;

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
  EXPECT_TRUE(eventually([&] { return p.last_seq() == last; })) << p.last_seq() << " of " << last;
  j->stop();
  p.stop();

  Sql q(d.db());
  EXPECT_EQ(q.scalar("SELECT COUNT(*) FROM bets"), 50);
  EXPECT_EQ(q.scalar("SELECT SUM(amount_minor) FROM ledger_entries"), 0);
  EXPECT_EQ(q.scalar("SELECT SUM(amount_minor) FROM ledger_entries WHERE account = 'alice'"),
            10000 - 50 * 100);
}

TEST(SqliteProjection, BackgroundThreadPollsWithoutPokes) {
  TempDir d;
  ProjectionOptions o;
  o.poll_interval = 5ms;
  SqliteProjection p(d.db(), d.journal(), "EUR", o);
  p.start();
  write_journal(d.journal(), opening_events());
  EXPECT_TRUE(eventually([&] { return p.last_seq() == 7; })) << p.last_seq();
  // Idle polls over an unchanged journal, then one more append.
  const uint64_t passes = p.passes();
  EXPECT_TRUE(eventually([&] { return p.passes() >= passes + 3; })) << p.passes() - passes << " idle passes";
  EXPECT_EQ(p.last_seq(), 7u);
  write_journal(d.journal(), {bet(2, "bob", 700)});
  EXPECT_TRUE(eventually([&] { return p.last_seq() == 8; })) << p.last_seq();
  p.stop();
  p.stop();  // idempotent
  EXPECT_EQ(Sql(d.db()).scalar("SELECT COUNT(*) FROM bets"), 2);
}

TEST(SqliteProjection, StopThenCatchUpTakesTheRest) {
  TempDir d;
  SqliteProjection p(d.db(), d.journal(), "EUR");
  p.start();
  p.poke();
  p.stop();
  write_journal(d.journal(), opening_events());
  EXPECT_EQ(p.catch_up(), 7u);
  p.start();  // restartable
  p.poke();
  EXPECT_EQ(p.catch_up(), 7u);  // alongside the thread
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

TEST(SqliteProjection, CorruptJournalIsLoggedAndRetriedNeverSkipped) {
  TempDir d;
  write_journal(d.journal(), opening_events());
  corrupt_record(d.journal(), 2);  // the bet, seq 3; records after it follow
  SqliteProjection p(d.db(), d.journal(), "EUR");
  EXPECT_THROW(p.catch_up(), JournalCorrupt);
  EXPECT_EQ(p.last_seq(), 0u);  // the batch holding seq 1 and 2 was rolled back

  ProjectionOptions o;
  o.backoff_min = 1ms;
  o.backoff_max = 4ms;
  LogCapture logs;
  SqliteProjection bg(d.db(), d.journal(), "EUR", o);
  bg.start();
  EXPECT_TRUE(eventually([&] { return logs.count("journal corrupt") >= 3; }));
  bg.stop();
  EXPECT_EQ(bg.last_seq(), 0u);
  EXPECT_EQ(Sql(d.db()).scalar("SELECT COUNT(*) FROM ledger_entries"), 0);
}

TEST(SqliteProjection, UndecodableRecordStallsTheProjectionAndIsNeverSkipped) {
  TempDir d;
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
  SqliteProjection p(d.db(), d.journal(), "EUR", o);
  EXPECT_THROW(p.catch_up(), std::invalid_argument);
  EXPECT_EQ(p.last_seq(), 4u);
  EXPECT_EQ(p.lag_records(), 4u);  // seen 8, applied 4

  LogCapture logs;
  p.start();
  EXPECT_TRUE(eventually([&] { return logs.count("not projected") >= 2; }));
  p.stop();
  EXPECT_EQ(p.last_seq(), 4u);
  Sql q(d.db());
  EXPECT_EQ(q.scalar("SELECT MAX(seq) FROM ledger_entries"), 3);
  EXPECT_EQ(q.scalar("SELECT value FROM meta WHERE key = 'last_seq'"), 4);
}

TEST(SqliteProjection, UnopenableDatabaseThrows) {
  TempDir d;
  fs::create_directories(d.db());  // a directory where the file should be
  EXPECT_THROW(SqliteProjection(d.db(), d.journal(), "EUR"), ProjectionError);
}

}  // namespace
}  // namespace inplay
