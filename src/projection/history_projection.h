// HistoryProjection: the history read model (bets, ledger legs, settlements,
// accounts, payments, audit entries) as an idempotent projection of the journal
// (ARCHITECTURE rule 4), kept in a HistoryStore: SQLite embedded or
// PostgreSQL (projection/history_store.h; what each record writes:
// projection/history_rows.h). It follows the journal, never leads it: it
// reads only durable records (JournalReader) and the engine never waits
// for it.
//
// Idempotency: a batch (at most Options::batch_records records) is one store
// transaction that writes its rows and meta.last_seq together, so a crash
// leaves either all of a batch or none of it. Records with seq <= the stored
// last_seq (read again at the start of every batch) are skipped, and rows
// are insert-or-ignore as a second guard. A new object on the same store
// continues from last_seq; on a fresh (emptied) store it rebuilds from the
// whole journal, giving the same rows.
//
// Threads: start() runs one background thread that applies new records every
// poll interval or sooner when poke()d. catch_up() may be called from any
// thread, also while the background thread runs (they take turns on one
// connection). Errors in the background thread (JournalCorrupt, an
// undecodable record, store errors, a database that is down) are logged and
// retried after a growing back-off; a bad record is never skipped and the
// process never crashes. catch_up() instead throws them to its caller.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "projection/audit_entries.h"
#include "projection/follower_loop.h"
#include "projection/history_store.h"

namespace inplay {

class JournalReader;

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
  // Masks account ids in the audit table's rows (the runtime passes its
  // Pseudonymizer, as to the audit log); empty: no audit rows are written.
  AuditMask audit_mask;
};

class HistoryProjection {
 public:
  // `store` is the projection's alone from now on. `currency` (e.g. "EUR")
  // labels every ledger entry: the book has one. Reads the store's last_seq;
  // a store that cannot answer yet (a database that is down) is asked again
  // by the first pass.
  HistoryProjection(std::unique_ptr<HistoryStore> store, std::filesystem::path journal_dir, std::string currency,
                    ProjectionOptions opts = {});
  ~HistoryProjection();  // stop()s the thread
  HistoryProjection(const HistoryProjection&) = delete;
  HistoryProjection& operator=(const HistoryProjection&) = delete;

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
  // Last seq committed to the store.
  uint64_t last_seq() const { return last_seq_.load(std::memory_order_acquire); }
  // Records seen on disk by the last pass but not yet committed (non-zero
  // while a pass is failing or a large backlog is being applied).
  uint64_t lag_records() const;
  // Passes the background thread has run (FollowerLoop::passes()).
  uint64_t passes() const { return loop_.passes(); }

 private:
  uint64_t apply_new();
  void log_failure(std::exception_ptr failure, uint64_t failures,
                   std::chrono::milliseconds retry) noexcept;

  const std::filesystem::path journal_dir_;
  const std::string currency_;
  const ProjectionOptions opts_;
  std::mutex store_mu_;
  std::unique_ptr<HistoryStore> store_;  // guarded by store_mu_
  // Guarded by store_mu_. One reader for the object's life: its resume cursor
  // makes a pass cost the new bytes, not the whole tail segment.
  std::unique_ptr<JournalReader> reader_;
  bool resumed_ = false;  // guarded by store_mu_: last_seq_ was read from the store
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> seen_seq_{0};

  FollowerLoop loop_;  // last: stopped first, before the state it uses goes
};

}  // namespace inplay
