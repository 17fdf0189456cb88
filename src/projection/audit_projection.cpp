// AuditProjection (contract in projection/audit_projection.h).
#include "projection/audit_projection.h"

#include <pthread.h>

#include <algorithm>
#include <variant>

#include "core/clock.h"
#include "journal/events.h"
#include "journal/journal.h"
#include "projection/audit_anchor.h"
#include "projection/disk_reserve.h"
#include "telemetry/audit.h"
#include "telemetry/log.h"

namespace inplay {

AuditProjection::AuditProjection(std::filesystem::path audit_file, std::filesystem::path journal_dir,
                                 AuditKey key, Mask mask, std::string currency, AuditProjectionOptions opts)
    : file_(std::move(audit_file)),
      journal_dir_(std::move(journal_dir)),
      key_(std::move(key)),
      mask_(std::move(mask)),
      currency_(std::move(currency)),
      opts_(opts),
      reader_(std::make_unique<JournalReader>(journal_dir_)),
      loop_("audit", opts.poll_interval, opts.backoff_min, opts.backoff_max,
            {[this] {
               apply_new();
               std::lock_guard lk(work_mu_);
               maybe_anchor(false);
             },
             [this](std::exception_ptr e, uint64_t n, std::chrono::milliseconds retry) { log_failure(e, n, retry); },
             [this](uint64_t n) {
               log::info("audit", "audit projection recovered", {{"failures", n}, {"last_seq", last_seq()}});
             }}) {}

AuditProjection::~AuditProjection() { stop(); }

void AuditProjection::start() { loop_.start(); }
void AuditProjection::poke() { loop_.poke(); }
void AuditProjection::stop() { loop_.stop(); }

uint64_t AuditProjection::catch_up() { return apply_new(); }

uint64_t AuditProjection::apply_new() {
  std::lock_guard lk(work_mu_);
  if (!writer_) {
    writer_ = std::make_unique<AuditWriter>(file_, key_);
    done_ = std::max(done_, writer_->last_journal_seq());
  }
  uint64_t read = done_;
  size_t in_batch = 0;
  try {
    reader_->read_from(done_, [&](const JournalRecord& r) {
      if (r.seq <= read) return;
      const uint64_t before = writer_->last_seq();
      if (in_batch == 0) check_disk_reserve(opts_.may_write, "audit projection");
      audit(r);
      read = r.seq;
      if (writer_->last_seq() != before && ++in_batch >= opts_.batch_records) {
        writer_->flush();
        in_batch = 0;
        done_ = read;
        last_seq_.store(done_, std::memory_order_release);
      }
    });
    writer_->flush();
    done_ = read;
    last_seq_.store(done_, std::memory_order_release);
  } catch (...) {
    // Unsynced records are forgotten with the writer; the next pass reopens
    // the file and continues after its last synced record.
    writer_.reset();
    throw;
  }
  return done_;
}

void AuditProjection::audit(const JournalRecord& r) {
  BookEvent ev = decode_event(r.type, r.payload);
  if (auto* a = std::get_if<AuditAnchored>(&ev)) {
    if (audit_anchor_verifies(key_, *a)) anchored_ = std::max(anchored_, a->lines);
    return;
  }
  if (std::optional<AuditEntry> e = audit_entry_of(ev, r.seq, mask_, currency_)) writer_->append(*e);
}

bool AuditProjection::anchor_now() {
  std::lock_guard lk(work_mu_);
  return maybe_anchor(true);
}

bool AuditProjection::maybe_anchor(bool now) {
  if (!opts_.anchor || !writer_) return false;
  const uint64_t records = writer_->synced_seq();
  if (records <= std::max(anchored_, requested_)) return false;
  const int64_t t = monotonic_ns();
  // Never asked yet: due at once (monotonic time starts at boot, so "an
  // anchor_every since 0" would hold the first anchor back on a host up
  // for less than anchor_every).
  const bool due = requested_ns_ == 0 || records - anchored_ >= opts_.anchor_every_records ||
                   t - requested_ns_ >= std::chrono::nanoseconds(opts_.anchor_every).count();
  if (!now && !due) return false;
  // done_: every record up to it is in the file (a pass syncs before it
  // moves done_), and nothing after it is.
  if (!opts_.anchor(make_audit_anchor(key_, records, done_, writer_->synced_head(), 0))) return false;
  requested_ = records;
  requested_ns_ = t;
  return true;
}

void AuditProjection::log_failure(std::exception_ptr failure, uint64_t failures,
                                  std::chrono::milliseconds retry) noexcept {
  const int64_t retry_ms = retry.count();
  try {
    try {
      std::rethrow_exception(failure);
    } catch (const JournalCorrupt& e) {
      log::error("audit", "journal corrupt, audit projection stalled",
                 {{"segment", e.segment}, {"offset", e.offset}, {"reason", e.reason},
                  {"last_seq", last_seq()}, {"failures", failures}, {"retry_ms", retry_ms}});
    } catch (const std::exception& e) {
      log::error("audit", "audit projection stalled",
                 {{"error", e.what()}, {"last_seq", last_seq()}, {"failures", failures},
                  {"retry_ms", retry_ms}});
    } catch (...) {
      log::error("audit", "unknown error, audit projection stalled",
                 {{"last_seq", last_seq()}, {"failures", failures}, {"retry_ms", retry_ms}});
    }
  } catch (...) {
  }
}

}  // namespace inplay
