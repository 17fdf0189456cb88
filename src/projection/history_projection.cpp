// HistoryProjection (contract in projection/history_projection.h).
#include "projection/history_projection.h"

#include <algorithm>

#include "journal/journal.h"
#include "projection/disk_reserve.h"
#include "projection/history_rows.h"
#include "telemetry/log.h"

namespace inplay {

HistoryProjection::HistoryProjection(std::unique_ptr<HistoryStore> store, std::filesystem::path journal_dir,
                                     std::string currency, ProjectionOptions opts)
    : journal_dir_(std::move(journal_dir)),
      currency_(std::move(currency)),
      opts_(opts),
      store_(std::move(store)),
      reader_(std::make_unique<JournalReader>(journal_dir_)),
      loop_("projection", opts.poll_interval, opts.backoff_min, opts.backoff_max,
            {[this] { apply_new(); },
             [this](std::exception_ptr e, uint64_t n, std::chrono::milliseconds retry) { log_failure(e, n, retry); },
             [this](uint64_t n) {
               log::info("projection", "projection recovered", {{"failures", n}, {"last_seq", last_seq()}});
             }}) {
  try {
    last_seq_.store(store_->last_seq(), std::memory_order_release);
    resumed_ = true;
  } catch (const ProjectionError& e) {
    log::warn("projection", "history store not answering yet, the first pass asks again", {{"error", e.what()}});
  }
  seen_seq_.store(last_seq(), std::memory_order_relaxed);
}

HistoryProjection::~HistoryProjection() { stop(); }

void HistoryProjection::start() { loop_.start(); }
void HistoryProjection::poke() { loop_.poke(); }
void HistoryProjection::stop() { loop_.stop(); }

uint64_t HistoryProjection::catch_up() { return apply_new(); }

uint64_t HistoryProjection::lag_records() const {
  uint64_t seen = seen_seq_.load(std::memory_order_relaxed), done = last_seq();
  return seen > done ? seen - done : 0;
}

uint64_t HistoryProjection::apply_new() {
  std::lock_guard lk(store_mu_);
  HistoryStore& store = *store_;
  if (!resumed_) {
    last_seq_.store(store.last_seq(), std::memory_order_release);
    resumed_ = true;
  }
  // Every pass, idle ones included, asks the reader: it resumes after the
  // last record it scanned, so an idle poll reads one record's bytes.
  uint64_t done = last_seq();
  size_t in_batch = 0;
  bool open = false;
  auto commit = [&] {
    store.commit_batch(done);
    open = false;
    in_batch = 0;
    last_seq_.store(done, std::memory_order_release);
  };
  try {
    reader_->read_from(done, [&](const JournalRecord& r) {
      if (r.seq > seen_seq_.load(std::memory_order_relaxed)) seen_seq_.store(r.seq, std::memory_order_relaxed);
      if (r.seq <= done) return;
      if (!open) {
        check_disk_reserve(opts_.may_write, "history projection");
        // Another writer on the same store may have gone further.
        done = std::max(done, store.begin_batch());
        open = true;
        if (r.seq <= done) return;
      }
      project_record(r, store, currency_, opts_.audit_mask);
      done = r.seq;
      if (++in_batch == opts_.batch_records) commit();
    });
    if (open) commit();
  } catch (...) {
    if (open) store.abandon_batch();
    throw;
  }
  return last_seq();
}

// Never lets anything escape: the projection must not crash the process.
void HistoryProjection::log_failure(std::exception_ptr failure, uint64_t failures,
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
      log::error("projection", "history store error, projection stalled",
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
