// AuditProjection: the audit log (telemetry/audit.h, CMP-1) as a projection
// of the journal (ARCHITECTURE rule 4). It follows the journal, never leads
// it: it reads only durable records (JournalReader) and the engine never
// waits for it.
//
// One audit record per key action, each carrying the journal seq it came
// from ("journal_seq"):
//   BetAccepted      bet_accepted       bet_id, account, selection_id, stake,
//                                       currency, odds, odds_requested,
//                                       price_change, trace_id
//   Rejected         bet_rejected       code, status, caller
//   MoneyMoved       deposit | withdrawal (others: money_moved)
//                                       account, amount, currency
//   AccountOpened    account_opened     account, channel, actor
//   MarketStatusSet  market_status_set  market_id, status, reason, actor
//   StakeCapSet      stake_cap_set      market_id, cap, actor
//   EventStateSet    event_state_set    event_id, state, actor
//   MarketSettled    market_settled     market_id, version, certainty, source, reason
//   BetPostings      bets_posted        market_id, kind, version, cancel_id, bets,
//                                       amount (the batch's total), currency
//   SettlementRolledBack settlement_rolled_back market_id, version, source, reason
//   BetsCancelled    bets_cancelled     market_id, cancel_id, from_ns, to_ns, source, reason
//   CancelRolledBack cancel_rolled_back market_id, cancel_id, source
//   SettlementDeadLettered settlement_dead_lettered dlq_id, market_id, reason, source
//   DeadLetterResolved dead_letter_resolved dlq_id, resolution, actor, detail
// Prices (PriceApplied, MarketPriced) are not audited. Account ids go through
// the `mask` function (the runtime's Pseudonymizer) and never appear raw.
//
// Idempotency: the writer reads the last record's journal_seq from the tail
// of the file at open, and records with seq <= it are skipped, so a restart
// continues the chain without duplicates; a deleted file is rebuilt from the
// whole journal. A pass writes and syncs its records in batches.
//
// Threads: start() runs one background thread that applies new records every
// poll interval or sooner when poke()d; catch_up() may be called from any
// thread (they take turns). Errors in the background thread (a bad audit
// tail, JournalCorrupt, an undecodable record, I/O) are logged and retried
// with a growing back-off; a record is never skipped and the process never
// crashes. catch_up() throws them instead.
#pragma once
#include <atomic>

#include "projection/follower_loop.h"
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace inplay {

class AuditWriter;
class JournalReader;
struct JournalRecord;

struct AuditProjectionOptions {
  std::chrono::milliseconds poll_interval{100};
  size_t batch_records = 1000;  // audit records per write + fdatasync
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
  // Asked before each pass writes: false pauses it (the pass fails with a
  // log line and is tried again after the back-off). The runtime passes
  // DiskHeadroom::followers_may_write, so a follower never takes the disk's
  // last space, which is the journal's.
  std::function<bool()> may_write;
};

class AuditProjection {
 public:
  using Mask = std::function<std::string(std::string_view account_id)>;
  // Nothing is opened here: the audit file is opened by the first pass, so a
  // bad audit file stalls this projection (logged), not the book.
  AuditProjection(std::filesystem::path audit_file, std::filesystem::path journal_dir, Mask mask,
                  std::string currency, AuditProjectionOptions opts = {});
  ~AuditProjection();  // stop()s the thread
  AuditProjection(const AuditProjection&) = delete;
  AuditProjection& operator=(const AuditProjection&) = delete;

  void start();
  void poke();
  void stop();

  // Audits everything durable on disk now; returns the last journal seq
  // read. Throws AuditError, JournalCorrupt, std::invalid_argument /
  // std::out_of_range (an undecodable record).
  uint64_t catch_up();
  // Last journal seq whose records (if any) are synced to the audit file.
  uint64_t last_seq() const { return last_seq_.load(std::memory_order_acquire); }

 private:
  uint64_t apply_new();
  void audit(const JournalRecord& r);
  void log_failure(std::exception_ptr failure, uint64_t failures,
                   std::chrono::milliseconds retry) noexcept;

  const std::filesystem::path file_;
  const std::filesystem::path journal_dir_;
  const Mask mask_;
  const std::string currency_;
  const AuditProjectionOptions opts_;
  std::mutex work_mu_;  // guards writer_, reader_, done_
  std::unique_ptr<AuditWriter> writer_;
  std::unique_ptr<JournalReader> reader_;
  uint64_t done_ = 0;  // last journal seq read and (if audited) synced
  std::atomic<uint64_t> last_seq_{0};

  FollowerLoop loop_;  // last: stopped first, before the state it uses goes
};

}  // namespace inplay
