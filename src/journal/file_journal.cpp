// FileJournal: the segment-file Journal (contract in journal/journal.h).
//
// The engine thread appends encoded records (crc left 0) into `pending_`
// under a short mutex; the journal thread swaps that buffer for its own
// (double buffer, capacities kept, so steady state allocates nothing), seals
// the CRCs, writes the batch with one write(2), fdatasyncs by policy, and
// runs the batch's completions in order. While it syncs, the next batch
// accumulates: that is the group commit. An I/O error on the journal thread
// aborts the process: a record we cannot make durable must never be acked,
// and retrying fsync after a failure is not safe (the kernel may have
// dropped the dirty pages).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "journal/journal.h"
#include "journal/segment.h"
#include "telemetry/log.h"

namespace inplay {

JournalCorrupt::JournalCorrupt(std::string segment_name, uint64_t off, std::string why)
    : std::runtime_error("journal corrupt: " + segment_name + " at offset " +
                         std::to_string(off) + ": " + why),
      segment(std::move(segment_name)),
      offset(off),
      reason(std::move(why)) {}

namespace {

namespace fs = std::filesystem;

[[noreturn]] void die(const char* what, const std::string& path, int err) {
  log::error("journal", "journal I/O failed, stopping the process",
             {{"op", what}, {"path", path}, {"errno", err}, {"error", std::strerror(err)}});
  std::abort();
}

// 0 or the errno of the failed write(2); partial writes are continued.
int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

void sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die("open dir", dir.string(), errno);
  if (::fsync(fd) != 0) die("fsync dir", dir.string(), errno);
  ::close(fd);
}

// Cuts a torn tail off the last segment at open (before any thread runs).
void truncate_torn_tail(const segment::File& f, uint64_t valid_bytes) {
  int fd = ::open(f.path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + f.path.string());
  if (::ftruncate(fd, static_cast<off_t>(valid_bytes)) != 0 || ::fdatasync(fd) != 0) {
    int e = errno;
    ::close(fd);
    throw std::system_error(e, std::generic_category(), "truncate " + f.path.string());
  }
  ::close(fd);
  log::warn("journal", "torn tail truncated", {{"segment", f.name}, {"offset", valid_bytes}});
}

class FileJournal final : public Journal {
 public:
  // tail_fd/tail_name/tail_size: the open last segment, or -1 when there is
  // none yet (it is created with the first batch).
  FileJournal(Options opts, uint64_t last_seq, int tail_fd, std::string tail_name,
              uint64_t tail_size)
      : opts_(std::move(opts)),
        next_seq_(last_seq + 1),
        last_seq_(last_seq),
        seg_fd_(tail_fd),
        seg_name_(std::move(tail_name)),
        seg_size_(tail_size),
        last_durable_seq_(last_seq) {}

  ~FileJournal() override {
    stop();
    if (seg_fd_ >= 0) ::close(seg_fd_);
  }

  void replay(const std::function<void(const JournalRecord&)>& fn) override {
    segment::scan_dir(opts_.dir, 0, /*skip_old=*/false, fn);
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
      return;
    }
    // Never started: flush inline so no appended record or completion is lost.
    while (take_batch()) commit_batch();
  }

  JournalStats stats() const override {
    JournalStats s;
    s.batches = batches_.load(std::memory_order_relaxed);
    s.records = records_.load(std::memory_order_relaxed);
    s.bytes = bytes_.load(std::memory_order_relaxed);
    s.last_durable_seq = last_durable_seq_.load(std::memory_order_acquire);
    return s;
  }

 private:
  bool has_pending() const { return pending_records_ > 0 || !pending_done_.empty(); }

  void run() {
    for (;;) {
      {
        std::unique_lock lk(mu_);
        while (!has_pending() && !stop_requested_) {
          writer_waiting_ = true;
          cv_.wait(lk);
          writer_waiting_ = false;
        }
        if (!has_pending()) return;  // stop requested and drained
        swap_locked();
      }
      commit_batch();
    }
  }

  bool take_batch() {
    std::lock_guard lk(mu_);
    if (!has_pending()) return false;
    swap_locked();
    return true;
  }

  void swap_locked() {
    batch_.swap(pending_);
    batch_done_.swap(pending_done_);
    batch_records_ = pending_records_;
    batch_first_seq_ = pending_first_seq_;
    batch_last_seq_ = pending_last_seq_;
    pending_records_ = 0;
  }

  // Journal thread (or stop() before start): makes the swapped-out batch
  // durable, then runs its completions in order.
  void commit_batch() {
    if (batch_records_ > 0) {
      segment::seal(batch_.data(), batch_.size());
      // Records never span segments: roll between batches only.
      if (seg_fd_ < 0 || (seg_size_ > 0 && seg_size_ >= opts_.segment_bytes))
        roll(batch_first_seq_);
      if (int err = write_all(seg_fd_, batch_.data(), batch_.size()))
        die("write", seg_path_for_errors(), err);
      seg_size_ += batch_.size();
      int64_t fsync_ns = 0;
      if (opts_.fsync == FsyncPolicy::kGroup) {
        const int64_t t0 = monotonic_ns();
        if (::fdatasync(seg_fd_) != 0) die("fdatasync", seg_path_for_errors(), errno);
        fsync_ns = monotonic_ns() - t0;
      }
      batches_.fetch_add(1, std::memory_order_relaxed);
      records_.fetch_add(batch_records_, std::memory_order_relaxed);
      bytes_.fetch_add(batch_.size(), std::memory_order_relaxed);
      last_durable_seq_.store(batch_last_seq_, std::memory_order_release);
      if (opts_.on_batch) opts_.on_batch(fsync_ns, batch_records_, batch_.size());
      if (durable_listener_) durable_listener_(batch_last_seq_);
    }
    for (auto& done : batch_done_) done();
    batch_done_.clear();
    batch_.clear();
    batch_records_ = 0;
  }

  void roll(uint64_t first_seq) {
    if (seg_fd_ >= 0) ::close(seg_fd_);  // already synced by policy
    seg_name_ = segment::file_name(first_seq);
    const fs::path p = opts_.dir / seg_name_;
    seg_fd_ = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (seg_fd_ < 0) die("create segment", p.string(), errno);
    seg_size_ = 0;
    if (opts_.fsync == FsyncPolicy::kGroup) sync_dir(opts_.dir);
  }

  std::string seg_path_for_errors() const { return (opts_.dir / seg_name_).string(); }

 private:
  const Options opts_;
  std::function<void(uint64_t)> durable_listener_;  // set before start()

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
  int seg_fd_;
  std::string seg_name_;
  uint64_t seg_size_;
  std::thread thread_;

  std::atomic<uint64_t> batches_{0}, records_{0}, bytes_{0};
  std::atomic<uint64_t> last_durable_seq_;
};

}  // namespace

std::unique_ptr<Journal> Journal::open(Options opts) {
  fs::create_directories(opts.dir);
  segment::DirScan d = segment::scan_dir(opts.dir, 0, /*skip_old=*/false, {});
  int tail_fd = -1;
  uint64_t tail_size = 0;
  std::string tail_name;
  if (d.any) {
    if (d.tail_scan.torn) truncate_torn_tail(d.tail, d.tail_scan.valid_bytes);
    tail_fd = ::open(d.tail.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (tail_fd < 0)
      throw std::system_error(errno, std::generic_category(), "open " + d.tail.path.string());
    tail_size = d.tail_scan.valid_bytes;
    tail_name = d.tail.name;
  }
  const uint64_t last = d.any ? d.last_seq : 0;
  return std::make_unique<FileJournal>(std::move(opts), last, tail_fd, std::move(tail_name),
                                       tail_size);
}

}  // namespace inplay
