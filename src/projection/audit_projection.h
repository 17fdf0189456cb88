// AuditProjection: the audit log (telemetry/audit.h, CMP-1) as a projection
// of the journal (ARCHITECTURE rule 4). It follows the journal, never leads
// it: it reads only durable records (JournalReader) and the engine never
// waits for it.
//
// One audit record per key action (projection/audit_entries.h), each
// carrying the journal seq it came from ("journal_seq"), chained and keyed
// with the chain key (telemetry/audit.h).
//
// Idempotency: the writer reads the last record's journal_seq from the tail
// of the file at open, and records with seq <= it are skipped, so a restart
// continues the chain without duplicates; a deleted file is rebuilt from the
// whole journal. A pass writes and syncs its records in batches.
//
// Anchors (projection/audit_anchor.h): after a pass of the background
// thread, when the file holds records no anchor covers and either
// anchor_every_records of them or anchor_every has gone by since the last
// request, the projection hands a keyed anchor {records, head mac, journal
// seq read} to opts.anchor, which asks the engine to journal it; the engine
// stays the journal's one writer, and the projection learns the anchor took
// when it reads the AuditAnchored record back. anchor_now() asks at once
// (the runtime calls it at stop, after catch_up(), before the engine stops).
// Anchors are not audited, so an anchor never moves the head it anchors.
//
// Threads: start() runs one background thread that applies new records every
// poll interval or sooner when poke()d; catch_up() may be called from any
// thread (they take turns). Errors in the background thread (a bad audit
// tail, JournalCorrupt, an undecodable record, I/O) are logged and retried
// with a growing back-off; a record is never skipped and the process never
// crashes. catch_up() throws them instead.
#pragma once
#include <atomic>
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

#include "journal/events.h"
#include "projection/audit_entries.h"
#include "projection/follower_loop.h"
#include "telemetry/audit_key.h"

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
  // Journals an anchor (the runtime: an engine task that sets at_ns and
  // commits it); false: not taken now (asked again later). Empty: no anchors.
  std::function<bool(AuditAnchored)> anchor;
  std::chrono::milliseconds anchor_every{10000};
  uint64_t anchor_every_records = 10000;
};

class AuditProjection {
 public:
  using Mask = AuditMask;
  // Nothing is opened here: the audit file is opened by the first pass, so a
  // bad audit file stalls this projection (logged), not the book.
  AuditProjection(std::filesystem::path audit_file, std::filesystem::path journal_dir, AuditKey key, Mask mask,
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
  // Asks opts.anchor to journal the head now if records no anchor covers
  // are synced (and no request for them is out). Returns whether one was
  // handed over. Any thread.
  bool anchor_now();
  // Last journal seq whose records (if any) are synced to the audit file.
  uint64_t last_seq() const { return last_seq_.load(std::memory_order_acquire); }

 private:
  uint64_t apply_new();
  void audit(const JournalRecord& r);
  bool maybe_anchor(bool now);  // work_mu_ held
  void log_failure(std::exception_ptr failure, uint64_t failures,
                   std::chrono::milliseconds retry) noexcept;

  const std::filesystem::path file_;
  const std::filesystem::path journal_dir_;
  const AuditKey key_;
  const Mask mask_;
  const std::string currency_;
  const AuditProjectionOptions opts_;
  std::mutex work_mu_;  // guards writer_, reader_, done_ and the anchor state
  std::unique_ptr<AuditWriter> writer_;
  std::unique_ptr<JournalReader> reader_;
  uint64_t done_ = 0;  // last journal seq read and (if audited) synced
  std::atomic<uint64_t> last_seq_{0};
  uint64_t anchored_ = 0;   // records covered by an anchor read back from the journal
  uint64_t requested_ = 0;  // records covered by the last anchor handed to opts.anchor
  int64_t requested_ns_ = 0;  // monotonic time of that request

  FollowerLoop loop_;  // last: stopped first, before the state it uses goes
};

}  // namespace inplay
