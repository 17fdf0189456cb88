// SqliteProjection: the SQLite read model of bets and ledger entries, an
// idempotent projection of the journal (ARCHITECTURE rule 4). It follows the
// journal, never leads it: it reads only durable records (JournalReader) and
// the engine never waits for it.
//
// Schema (created if absent; WAL mode, synchronous=NORMAL):
//   meta(key TEXT PRIMARY KEY, value INTEGER)
//     'last_seq'       journal seq of the last record applied (0 = none)
//     'schema_version' 1
//   bets(bet_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,
//        account TEXT, selection_id INTEGER, stake_minor INTEGER,
//        odds TEXT, odds_requested TEXT,      -- decimal, "2.5" (Odds::str)
//        price_change TEXT,                   -- none | better | any
//        status TEXT,                         -- accepted | settled | cancelled
//        placed_at TEXT, accepted_at TEXT,    -- RFC 3339 UTC, ms
//        trace_id TEXT)
//   ledger_entries(seq INTEGER, leg INTEGER, account TEXT,
//        amount_minor INTEGER, currency TEXT, reason TEXT, at TEXT,
//        PRIMARY KEY(seq, leg))
//     Every money movement is two legs (0 and 1) summing to zero, mirroring
//     BookState's transfers, so SUM(amount_minor) over the table is 0:
//       MoneyMoved deposit     0: house/funding -a   1: <acct> +a
//       MoneyMoved withdrawal  0: <acct> -a          1: house/funding +a
//       (house/synthetic instead of house/funding for a synthetic account)
//       BetAccepted            0: <acct> -stake      1: <acct>/reserved +stake
//       BetPostings, per bet (a zero amount moves nothing; house is
//       house/revenue, or house/synthetic for a synthetic account):
//         pay       <acct>/reserved -stake, house +stake; house -ret, <acct> +ret
//         reverse   <acct> -ret, house +ret; house -stake, <acct>/reserved +stake
//         refund    <acct>/reserved -stake, <acct> +stake
//         unrefund  <acct> -stake, <acct>/reserved +stake
//     reason is transfer_reason_name(): deposit, withdrawal, stake_reserve,
//     stake_settle, payout, refund, reversal.
//   settlements(seq, bet_id, market_id, kind, result_version, cancel_id,
//        amount_minor, at, PRIMARY KEY(seq, bet_id))
//     One row per bet per BetPostings record (kind pay | reverse | refund |
//     unrefund); a bet's status in `bets` follows its last posting.
//   accounts(account TEXT PRIMARY KEY, seq INTEGER NOT NULL, channel TEXT,
//        opened_at TEXT)
//     One row per AccountOpened: the channel that owns the account (SEC-1).
//     Accounts of journals from before it (opened by a deposit) have none.
//   Other record types (Rejected, MarketStatusSet, StakeCapSet, PriceApplied,
//   EventStateSet, the settlement headers) only advance last_seq.
//
// Idempotency: a batch (at most Options::batch_records records) is one
// transaction that writes its rows and meta.last_seq together, so a crash
// leaves either all of a batch or none of it. Records with seq <= last_seq
// are skipped and rows are INSERT OR IGNORE as a second guard. A new object
// on the same file continues from last_seq; on a fresh (deleted) file it
// rebuilds from the whole journal, giving the same rows.
//
// Threads: start() runs one background thread that applies new records every
// poll interval or sooner when poke()d. catch_up() may be called from any
// thread, also while the background thread runs (they take turns on one
// connection). Errors in the background thread (JournalCorrupt, an
// undecodable record, SQLite errors) are logged and retried after a growing
// back-off; a bad record is never skipped and the process never crashes.
// catch_up() instead throws them to its caller.
#pragma once
#include <atomic>

#include "projection/follower_loop.h"
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace inplay {

class JournalReader;

// A SQLite failure (message names the statement and sqlite3_errmsg).
class ProjectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProjectionOptions {
  std::chrono::milliseconds poll_interval{100};
  size_t batch_records = 10000;  // records per transaction
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
  // Asked before each pass writes: false pauses it (the pass fails with a
  // log line and is tried again after the back-off). The runtime passes
  // DiskHeadroom::followers_may_write, so a follower never takes the disk's
  // last space, which is the journal's.
  std::function<bool()> may_write;
};

class SqliteProjection {
 public:
  // Opens or creates db_file and its tables; throws ProjectionError.
  // `currency` (e.g. "EUR") labels every ledger entry: the book has one.
  SqliteProjection(std::filesystem::path db_file, std::filesystem::path journal_dir,
                   std::string currency, ProjectionOptions opts = {});
  ~SqliteProjection();  // stop()s the thread
  SqliteProjection(const SqliteProjection&) = delete;
  SqliteProjection& operator=(const SqliteProjection&) = delete;

  // Starts the background thread (no-op if running).
  void start();
  // Wakes the thread early; cheap and thread-safe (the journal thread calls
  // it after each batch). Pokes while a pass runs coalesce into one more pass.
  void poke();
  // Stops and joins the thread; records still on disk are left for the next
  // catch_up() or the next object. Idempotent.
  void stop();

  // Applies everything durable on disk now; returns the last seq applied.
  // Throws JournalCorrupt, std::invalid_argument/std::out_of_range (a record
  // that does not decode) or ProjectionError; batches committed before the
  // failure stay committed.
  uint64_t catch_up();
  // Last seq committed to the database.
  uint64_t last_seq() const { return last_seq_.load(std::memory_order_acquire); }
  // Records seen on disk by the last pass but not yet committed (non-zero
  // while a pass is failing or a large backlog is being applied).
  uint64_t lag_records() const;
  // Passes the background thread has run (FollowerLoop::passes()).
  uint64_t passes() const { return loop_.passes(); }

 private:
  class Db;
  uint64_t apply_new();
  void log_failure(std::exception_ptr failure, uint64_t failures,
                   std::chrono::milliseconds retry) noexcept;

  const std::filesystem::path journal_dir_;
  const ProjectionOptions opts_;
  std::unique_ptr<Db> db_;  // guarded by db_mu_
  // Guarded by db_mu_. One reader for the object's life: its resume cursor
  // makes a pass cost the new bytes, not the whole tail segment.
  std::unique_ptr<JournalReader> reader_;
  std::mutex db_mu_;
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> seen_seq_{0};

  FollowerLoop loop_;  // last: stopped first, before the state it uses goes
};

}  // namespace inplay
