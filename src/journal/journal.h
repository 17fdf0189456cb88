// Journal: the append-only log of every state change (ARCHITECTURE rule 4).
//
// On disk: segment files <dir>/<first_seq, 20 digits>.seg, each a run of
// records:
//   u32 payload_length | u16 type | u64 seq | u32 crc32c | payload bytes
// (little endian; crc32c covers type, seq and payload). A segment is closed
// and a new one started when it passes Options::segment_bytes.
//
// Threads: append() and barrier() are called by the engine thread only. A
// journal thread writes each batch with one write(2) and, by policy, one
// fdatasync (group commit), then runs the batch's completions in order on
// the journal thread. A completion therefore means "this record (and every
// record before it) is durable under the policy": only then may a client be
// acknowledged.
//
// A disk that fails (ENOSPC, EIO, EDQUOT...) is an outage, never a crash:
// the batch stays in memory, unacknowledged, its bytes on disk are cut back
// to the last durable offset, writable() turns false, and the journal
// thread tries again with a growing back-off (10 ms to 1 s) — writing the
// whole batch again, never retrying an fsync over pages the kernel may have
// dropped. Records appended meanwhile join the batch in order. The first
// attempt that writes and syncs makes it all durable at once, runs the
// completions, and writable() is true again: nothing acknowledged is lost
// and nothing is written twice. While it fails, undurable_bytes() grows; the
// engine stops taking work past its limit. All file operations go through a
// Disk (journal/disk.h).
//
// Open: scans all segments. A torn tail (a last record that is cut short or
// fails its CRC and is followed by nothing but zeros up to EOF, in the last
// segment) is truncated with a log line. Any other bad record throws
// JournalCorrupt naming the segment and byte offset; start-up stops there.
// What open found is made durable before anything new is acknowledged: the
// tail segment's records are written again over themselves and synced, and
// the directory synced (after a kill -9 the page cache may hold records the
// dead process never synced, or whose fdatasync failed); a disk that
// refuses this throws std::system_error and the book does not start.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace inplay {

enum class FsyncPolicy {
  kGroup,  // fdatasync every batch before completions run (default)
  kNone,   // write(2) only; for benchmarks and tmpfs
};

struct JournalRecord {
  uint64_t seq = 0;
  uint16_t type = 0;
  std::string_view payload;  // valid only during the callback
};

class JournalCorrupt : public std::runtime_error {
 public:
  JournalCorrupt(std::string segment, uint64_t offset, std::string reason);
  const std::string segment;
  const uint64_t offset;
  const std::string reason;
};

struct JournalStats {
  uint64_t batches = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t last_durable_seq = 0;
};

// Whether the journal can write now, and the last failure (any thread).
struct JournalHealth {
  bool writable = true;
  int error = 0;               // errno of the last failed attempt (0: none yet)
  std::string op;              // what failed: "write", "fdatasync", "create segment", "sync dir"
  std::string path;            // the file it failed on
  uint64_t failures = 0;       // failed attempts since the journal opened
  uint64_t outages = 0;        // times it went from writable to failing
  uint64_t undurable_bytes = 0;  // appended, not yet durable
};

class Disk;

class Journal {
 public:
  struct Options {
    std::filesystem::path dir;
    FsyncPolicy fsync = FsyncPolicy::kGroup;
    uint64_t segment_bytes = 64ull << 20;
    // Called on the journal thread after each batch's fsync with its duration
    // in nanoseconds (0 under kNone); used for the journal_fsync metric.
    std::function<void(int64_t fsync_ns, size_t records, size_t bytes)> on_batch;
    // true: append()/barrier() wake the journal thread themselves. false: the
    // caller batches its work and calls kick() at the end of each batch (the
    // engine does, saving a futex wake per record).
    bool wake_on_append = true;
    // The files (nullptr: the kernel's, posix_disk()).
    Disk* disk = nullptr;
    // Called on the journal thread when writable() changes (false: h says
    // what failed), after the journal's own log line.
    std::function<void(const JournalHealth& h)> on_health;
  };
  using Completion = std::function<void()>;

  // Opens (creating dir if needed) and validates; throws JournalCorrupt.
  static std::unique_ptr<Journal> open(Options opts);
  virtual ~Journal() = default;

  // Calls fn for every record in seq order, oldest first. Call before start().
  virtual void replay(const std::function<void(const JournalRecord&)>& fn) = 0;
  virtual uint64_t last_seq() const = 0;

  // Called on the journal thread with the highest durable seq after each
  // batch that made records durable; empty to clear. Any thread: once it
  // returns, the listener it replaced is not running and is never called
  // again. The engine uses it to run its own completions on its own thread,
  // and clears it when destroyed (the journal may outlive it).
  virtual void set_durable_listener(std::function<void(uint64_t durable_seq)> fn) = 0;
  // Starts the journal thread.
  virtual void start() = 0;
  // Engine thread. Appends a record and returns its seq; `done` (may be
  // empty) runs on the journal thread once the record is durable.
  virtual uint64_t append(uint16_t type, std::string_view payload, Completion done) = 0;
  // Engine thread. `done` runs after every record appended before it is
  // durable (used to release read responses in order).
  virtual void barrier(Completion done) = 0;
  // Any thread: wakes the journal thread if work is pending (see
  // Options::wake_on_append).
  virtual void kick() = 0;
  // Flushes everything appended, runs all completions, joins the thread.
  // A disk still failing at stop gets one last attempt; what it cannot make
  // durable is dropped with a log line (it was never acknowledged).
  virtual void stop() = 0;
  // Without a journal thread (never started): makes everything appended so
  // far durable on the caller's thread, running completions; false when the
  // disk refused (it all stays pending for the next pump). The storage-fault
  // simulation drives a journal this way, one deterministic step at a time.
  virtual bool pump() = 0;
  virtual JournalStats stats() const = 0;
  // Any thread.
  virtual bool writable() const = 0;
  virtual uint64_t undurable_bytes() const = 0;
  virtual JournalHealth health() const = 0;
};

// Reads durable records from a journal directory without owning it (the
// SQLite projection and `inplay journal dump` use this). Tolerates a torn
// tail (stops before it); throws JournalCorrupt on other corruption.
//
// A reader remembers where its last call stopped (segment, byte offset after
// the last complete record, that record's seq), so a follower that keeps one
// reader and calls read_from(last returned seq) reads only the new bytes, not
// the whole tail segment again. The cursor is used only when after_seq >= its
// seq and its segment is still the same file, at least that long, with the
// remembered last record still in place; otherwise the call scans from the
// start of the segment holding after_seq + 1, as a fresh reader does. One
// caller at a time per object.
class JournalReader {
 public:
  explicit JournalReader(std::filesystem::path dir);
  // Calls fn for each record with seq > after_seq, in order, up to the end of
  // what is on disk now; returns the last seq delivered (or after_seq).
  uint64_t read_from(uint64_t after_seq, const std::function<void(const JournalRecord&)>& fn);

 private:
  struct Cursor {
    std::string segment;       // file name, "<first_seq>.seg"
    uint64_t first_seq = 0;    // of that segment
    uint64_t dev = 0, ino = 0; // identity of the file when the cursor was set
    uint64_t record_start = 0; // offset of the record with seq `seq` (if end > 0)
    uint64_t end = 0;          // offset just after the last complete record
    uint64_t seq = 0;          // seq of that record (first_seq - 1 if end == 0)
  };
  std::filesystem::path dir_;
  bool has_cursor_ = false;
  Cursor cursor_;
};

uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);

}  // namespace inplay
