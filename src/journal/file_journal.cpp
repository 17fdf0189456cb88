// FileJournal: the segment-file Journal (contract in journal/journal.h).
//
// The engine thread appends encoded records (crc left 0) into `pending_`
// under a short mutex; the journal thread takes them into its batch (double
// buffer, capacities kept, so steady state allocates nothing), seals the
// CRCs, writes the batch with one write at the segment's durable end,
// fdatasyncs by policy, and runs the batch's completions in order. While it
// syncs, the next batch accumulates: that is the group commit.
//
// A failed write, fsync, segment creation or directory sync is an outage,
// not a crash: the batch stays (later records join it), the segment is cut
// back to its durable end, writable() turns false, and the thread tries the
// whole batch again after a back-off. Writing every byte again — rather than
// retrying the fsync — is what makes a retry safe after an fsync error: the
// kernel may have dropped the dirty pages and would report the next fsync
// clean.
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "journal/disk.h"
#include "journal/journal.h"
#include "journal/segment.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kDiskRetryMinNs = 10'000'000;     // 10 ms
constexpr int64_t kDiskRetryMaxNs = 1'000'000'000;  // 1 s

// The last segment at open, cut back to its last whole record.
struct Tail {
  Disk::Handle handle = -1;
  std::string name;
  uint64_t size = 0;
};

class FileJournal final : public Journal {
 public:
  FileJournal(Options opts, Disk& disk, uint64_t last_seq, Tail tail)
      : opts_(std::move(opts)),
        disk_(disk),
        next_seq_(last_seq + 1),
        last_seq_(last_seq),
        seg_(tail.handle),
        seg_name_(std::move(tail.name)),
        seg_size_(tail.size),
        last_durable_seq_(last_seq) {}

  ~FileJournal() override {
    stop();
    if (seg_ >= 0) disk_.close(seg_);
  }

  void replay(const std::function<void(const JournalRecord&)>& fn) override {
    segment::scan_dir(disk_, opts_.dir, 0, /*skip_old=*/false, fn);
  }

  uint64_t last_seq() const override { return last_seq_.load(std::memory_order_relaxed); }

  void start() override {
    if (thread_.joinable()) return;
    {
      std::lock_guard lk(mu_);
      stop_requested_ = false;
    }
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "journal");
      run();
    });
  }

  uint64_t append(uint16_t type, std::string_view payload, Completion done) override {
    if (payload.size() > UINT32_MAX) throw std::length_error("journal payload over 4 GiB");
    const uint64_t seq = next_seq_++;
    char header[segment::kHeaderBytes];
    segment::put_header(header, static_cast<uint32_t>(payload.size()), type, seq);
    bool wake;
    {
      std::lock_guard lk(mu_);
      if (pending_records_ == 0) pending_first_seq_ = seq;
      ++pending_records_;
      pending_last_seq_ = seq;
      pending_.append(header, sizeof header);
      pending_.append(payload);
      if (done) pending_done_.push_back(std::move(done));
      wake = opts_.wake_on_append && writer_waiting_;
      if (wake) writer_waiting_ = false;
    }
    undurable_bytes_.fetch_add(sizeof header + payload.size(), std::memory_order_relaxed);
    if (wake) cv_.notify_one();
    last_seq_.store(seq, std::memory_order_relaxed);
    return seq;
  }

  void barrier(Completion done) override {
    if (!done) return;  // nothing to run; order is implied
    bool wake;
    {
      std::lock_guard lk(mu_);
      pending_done_.push_back(std::move(done));
      wake = opts_.wake_on_append && writer_waiting_;
      if (wake) writer_waiting_ = false;
    }
    if (wake) cv_.notify_one();
  }

  void set_durable_listener(std::function<void(uint64_t)> fn) override {
    std::lock_guard lk(listener_mu_);  // waits out a call in progress
    durable_listener_ = std::move(fn);
  }

  void kick() override {
    bool wake;
    {
      std::lock_guard lk(mu_);
      wake = writer_waiting_ && has_pending();
      if (wake) writer_waiting_ = false;
    }
    if (wake) cv_.notify_one();
  }

  void stop() override {
    if (thread_.joinable()) {
      {
        std::lock_guard lk(mu_);
        stop_requested_ = true;
      }
      cv_.notify_one();
      thread_.join();
    } else {
      pump();  // never started: flush inline so no appended record is lost
    }
    give_up_if_failing();
  }

  bool pump() override {
    if (thread_.joinable()) return false;
    {
      std::lock_guard lk(mu_);
      take_pending_locked();
    }
    commit_batch();
    return !failing_;
  }

  JournalStats stats() const override {
    JournalStats s;
    s.batches = batches_.load(std::memory_order_relaxed);
    s.records = records_.load(std::memory_order_relaxed);
    s.bytes = bytes_.load(std::memory_order_relaxed);
    s.last_durable_seq = last_durable_seq_.load(std::memory_order_acquire);
    return s;
  }

  bool writable() const override { return writable_.load(std::memory_order_acquire); }

  uint64_t undurable_bytes() const override { return undurable_bytes_.load(std::memory_order_relaxed); }

  JournalHealth health() const override {
    std::lock_guard lk(health_mu_);
    JournalHealth h = health_;
    h.writable = writable();
    h.undurable_bytes = undurable_bytes();
    return h;
  }

 private:
  bool has_pending() const { return pending_records_ > 0 || !pending_done_.empty(); }

  void run() {
    for (;;) {
      {
        std::unique_lock lk(mu_);
        for (;;) {
          if (failing_) {
            // A failing disk is tried again on its schedule, not on every
            // kick; a stop gets one last attempt at once.
            const int64_t wait_ns = retry_at_ns_ - monotonic_ns();
            if (stop_requested_ || wait_ns <= 0) break;
            writer_waiting_ = true;
            cv_.wait_for(lk, std::chrono::nanoseconds(wait_ns));
            writer_waiting_ = false;
            continue;
          }
          if (has_pending()) break;
          if (stop_requested_) return;
          writer_waiting_ = true;
          cv_.wait(lk);
          writer_waiting_ = false;
        }
        take_pending_locked();
      }
      commit_batch();
      if (failing_ && stop_requested_locked()) return;
    }
  }

  bool stop_requested_locked() {
    std::lock_guard lk(mu_);
    return stop_requested_;
  }

  // Moves what the engine appended into the batch, after whatever a failed
  // attempt left there (order is kept).
  void take_pending_locked() {
    if (batch_.empty() && batch_done_.empty()) {
      batch_.swap(pending_);
      batch_done_.swap(pending_done_);
    } else {
      batch_.append(pending_);
      pending_.clear();
      for (auto& d : pending_done_) batch_done_.push_back(std::move(d));
      pending_done_.clear();
    }
    if (pending_records_ > 0) {
      if (batch_records_ == 0) batch_first_seq_ = pending_first_seq_;
      batch_last_seq_ = pending_last_seq_;
      batch_records_ += pending_records_;
    }
    pending_records_ = 0;
  }

  // Journal thread (or pump/stop before start): makes the batch durable,
  // then runs its completions in order. On a disk error the batch stays.
  void commit_batch() {
    if (batch_records_ > 0) {
      segment::seal(batch_.data(), batch_.size());
      int64_t fsync_ns = 0;
      if (!write_batch(fsync_ns)) return;
      batches_.fetch_add(1, std::memory_order_relaxed);
      records_.fetch_add(batch_records_, std::memory_order_relaxed);
      bytes_.fetch_add(batch_.size(), std::memory_order_relaxed);
      undurable_bytes_.fetch_sub(batch_.size(), std::memory_order_relaxed);
      last_durable_seq_.store(batch_last_seq_, std::memory_order_release);
      if (opts_.on_batch) opts_.on_batch(fsync_ns, batch_records_, batch_.size());
      {
        std::lock_guard lk(listener_mu_);
        if (durable_listener_) durable_listener_(batch_last_seq_);
      }
    }
    if (failing_) recovered();
    for (auto& done : batch_done_) done();
    batch_done_.clear();
    batch_.clear();
    batch_records_ = 0;
  }

  // Writes and syncs the batch at the segment's durable end; false (and the
  // outage recorded) when the disk refused.
  bool write_batch(int64_t& fsync_ns) {
    // Records never span segments: roll between batches only.
    if (seg_ < 0 || (seg_size_ > 0 && seg_size_ >= opts_.segment_bytes)) {
      if (int err = roll(batch_first_seq_)) return fail("create segment", err);
    }
    if (dir_unsynced_) {
      if (int err = disk_.sync_dir(opts_.dir)) return fail("sync dir", err);
      dir_unsynced_ = false;
    }
    if (int err = disk_.write_at(seg_, seg_size_, batch_)) return fail("write", err);
    if (opts_.fsync == FsyncPolicy::kGroup) {
      const int64_t t0 = monotonic_ns();
      if (int err = disk_.sync(seg_)) return fail("fdatasync", err);
      fsync_ns = monotonic_ns() - t0;
    }
    seg_size_ += batch_.size();
    return true;
  }

  // 0 or errno. The old segment stays open until the new one exists.
  int roll(uint64_t first_seq) {
    std::string name = segment::file_name(first_seq);
    Disk::Handle h = -1;
    if (int err = disk_.open(opts_.dir / name, /*create=*/true, h)) return err;
    if (seg_ >= 0) disk_.close(seg_);  // already synced by policy
    seg_ = h;
    seg_name_ = std::move(name);
    seg_size_ = 0;
    dir_unsynced_ = opts_.fsync == FsyncPolicy::kGroup;
    return 0;
  }

  bool fail(const char* op, int err) {
    // Whatever of the batch reached the file goes: the next attempt writes
    // it all again at the same offset (an error here changes nothing: that
    // write overwrites the same bytes).
    if (seg_ >= 0) (void)disk_.truncate(seg_, seg_size_);
    const int64_t now = monotonic_ns();
    backoff_ns_ = failing_ ? std::min(backoff_ns_ * 2, kDiskRetryMaxNs) : kDiskRetryMinNs;
    retry_at_ns_ = now + backoff_ns_;
    const bool first = !failing_;
    failing_ = true;
    JournalHealth h;
    {
      std::lock_guard lk(health_mu_);
      health_.error = err;
      health_.op = op;
      health_.path = (opts_.dir / (seg_name_.empty() ? segment::file_name(batch_first_seq_) : seg_name_)).string();
      ++health_.failures;
      if (first) ++health_.outages;
      h = health_;
    }
    writable_.store(false, std::memory_order_release);
    h.writable = false;
    h.undurable_bytes = undurable_bytes();
    log::error("journal", first ? "journal cannot write: acknowledgements stop until it can"
                                : "journal still cannot write",
               {{"op", op}, {"path", h.path}, {"errno", err}, {"error", std::strerror(err)},
                {"undurable_bytes", h.undurable_bytes}, {"retry_ms", backoff_ns_ / 1'000'000}});
    if (first && opts_.on_health) opts_.on_health(h);
    return false;
  }

  void recovered() {
    failing_ = false;
    backoff_ns_ = 0;
    writable_.store(true, std::memory_order_release);
    JournalHealth h = health();
    log::info("journal", "journal writable again: the records it held are durable",
              {{"failures", h.failures}, {"last_durable_seq", last_durable_seq_.load()}});
    if (opts_.on_health) opts_.on_health(h);
  }

  // At stop, on a disk that still fails: nothing of the batch was ever
  // acknowledged, so dropping it loses no promise; say so.
  void give_up_if_failing() {
    if (!failing_) return;
    log::error("journal", "journal stopped while it cannot write: records never made durable are dropped",
               {{"records", static_cast<uint64_t>(batch_records_)},
                {"first_seq", batch_first_seq_},
                {"last_seq", batch_last_seq_}});
    batch_.clear();
    batch_done_.clear();
    batch_records_ = 0;
  }

 private:
  const Options opts_;
  Disk& disk_;
  // Called on the journal thread; replaced from any thread (the engine clears
  // it as it goes), never while a call is running.
  std::mutex listener_mu_;
  std::function<void(uint64_t)> durable_listener_;

  // Engine thread only.
  uint64_t next_seq_;
  std::atomic<uint64_t> last_seq_;

  // Shared, guarded by mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  std::vector<Completion> pending_done_;
  size_t pending_records_ = 0;
  uint64_t pending_first_seq_ = 0;
  uint64_t pending_last_seq_ = 0;
  bool writer_waiting_ = false;
  bool stop_requested_ = false;

  // Journal thread only.
  std::string batch_;
  std::vector<Completion> batch_done_;
  size_t batch_records_ = 0;
  uint64_t batch_first_seq_ = 0;
  uint64_t batch_last_seq_ = 0;
  Disk::Handle seg_;
  std::string seg_name_;
  uint64_t seg_size_;         // the segment's durable end
  bool dir_unsynced_ = false;  // a created segment whose directory entry is not yet synced
  bool failing_ = false;
  int64_t backoff_ns_ = 0;
  int64_t retry_at_ns_ = 0;
  std::thread thread_;

  std::atomic<uint64_t> batches_{0}, records_{0}, bytes_{0};
  std::atomic<uint64_t> last_durable_seq_;
  std::atomic<bool> writable_{true};
  std::atomic<uint64_t> undurable_bytes_{0};
  mutable std::mutex health_mu_;
  JournalHealth health_;  // guarded by health_mu_
};

// Cuts a torn tail off the last segment at open (before any thread runs),
// makes what the scan read durable, and keeps the segment open for
// appending. After a kill -9 the page cache still holds what the dead
// process wrote but never synced, and the scan reads it as records (and a
// segment created just before the kill as a file): the journal must not
// acknowledge new records on top of them until they are on disk, or a power
// cut later could take them and leave a gap before acknowledged records
// (found by the storage-fault simulation, tests/vopr). A sync alone is not
// enough: if the dead process's last fdatasync failed, the kernel has
// already marked those pages clean and a new sync reports success without
// writing them. So the tail's records are written again, over themselves,
// and synced (one sequential write of at most a segment, at start-up only).
// Every older segment was the tail at some open or was synced before the
// journal rolled past it, so the tail and the directory cover all.
Tail open_tail(Disk& disk, const std::filesystem::path& dir, const segment::File& f,
               const segment::ScanResult& scan) {
  Tail t;
  if (int err = disk.open(f.path, /*create=*/false, t.handle))
    throw std::system_error(err, std::generic_category(), "open " + f.path.string());
  int err = scan.torn ? disk.truncate(t.handle, scan.valid_bytes) : 0;
  if (!err && scan.valid_bytes > 0) {
    const std::string bytes = disk.read_all(f.path);
    err = bytes.size() < scan.valid_bytes ? EIO
                                          : disk.write_at(t.handle, 0, std::string_view(bytes).substr(0, scan.valid_bytes));
  }
  if (!err) err = disk.sync(t.handle);
  if (!err) err = disk.sync_dir(dir);
  if (err) {
    disk.close(t.handle);
    throw std::system_error(err, std::generic_category(),
                            (scan.torn ? "truncate " : "sync ") + f.path.string());
  }
  if (scan.torn) log::warn("journal", "torn tail truncated", {{"segment", f.name}, {"offset", scan.valid_bytes}});
  t.name = f.name;
  t.size = scan.valid_bytes;
  return t;
}

}  // namespace

std::unique_ptr<Journal> Journal::open(Options opts) {
  Disk& disk = opts.disk ? *opts.disk : posix_disk();
  disk.create_dirs(opts.dir);
  segment::DirScan d = segment::scan_dir(disk, opts.dir, 0, /*skip_old=*/false, {});
  Tail tail;
  if (d.any) tail = open_tail(disk, opts.dir, d.tail, d.tail_scan);
  const uint64_t last = d.any ? d.last_seq : 0;
  return std::make_unique<FileJournal>(std::move(opts), disk, last, std::move(tail));
}

}  // namespace inplay
