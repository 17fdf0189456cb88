// DeadLetterFile: where feed lines that failed to parse go (rule 8), one
// JSON object per line:
//   {"at":1764270000123,"producer":"sim-primary","reason":"wrong_type","line":"<raw line>"}
// "line" is the raw line as a JSON string. A raw line that is not valid
// UTF-8 is written as "line_base64" instead (exact bytes, still one valid
// JSON line). A raw line longer than max_line_bytes is cut at a character
// boundary and the record adds "line_bytes" (the original length).
//
// Sampled: at most max_per_minute records per (producer, reason) in each
// minute of the caller's clock (at_ms); the rest are counted (sampled_out),
// not written — a schema skew on a busy feed refuses every line, and the
// first ones say all there is, while a later, different failure must still
// find room. Bounded: once the file would pass max_file_bytes (its size at
// open included), or while set_may_write says no (the disk's last free
// space is the journal's: journal/disk_headroom.h), records are dropped and
// counted, never written. Never throws
// on disk errors: a failed open or write is counted and the record lost
// (the parse-error counter still saw it). Thread-safe (one mutex); every
// record is one append write(2), so concurrent writers never interleave.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace inplay {

class DeadLetterFile {
 public:
  static constexpr uint64_t kDefaultMaxFileBytes = uint64_t{256} << 20;  // 256 MiB
  static constexpr size_t kDefaultMaxLineBytes = size_t{64} << 10;       // 64 KiB
  static constexpr uint32_t kDefaultMaxPerMinute = 120;                  // per (producer, reason)

  // max_per_minute 0: no sampling.
  explicit DeadLetterFile(std::filesystem::path path,
                          uint64_t max_file_bytes = kDefaultMaxFileBytes,
                          size_t max_line_bytes = kDefaultMaxLineBytes,
                          uint32_t max_per_minute = kDefaultMaxPerMinute);
  ~DeadLetterFile();
  DeadLetterFile(const DeadLetterFile&) = delete;
  DeadLetterFile& operator=(const DeadLetterFile&) = delete;

  void write(std::string_view producer, std::string_view reason, std::string_view raw_line,
             int64_t at_ms);
  // Before the first write: asked before each record is written.
  void set_may_write(std::function<bool()> fn) { may_write_ = std::move(fn); }

  const std::filesystem::path& path() const { return path_; }
  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }  // over the bound or the reserve
  uint64_t sampled_out() const { return sampled_out_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }    // open/write failed
  uint64_t file_bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  bool open_locked();

  const std::filesystem::path path_;
  const uint64_t max_file_bytes_;
  const size_t max_line_bytes_;
  const uint32_t max_per_minute_;
  std::mutex mu_;
  int fd_ = -1;
  // "producer\x1freason" -> (minute, records let through in it); small:
  // producers x reasons.
  std::map<std::string, std::pair<int64_t, uint32_t>, std::less<>> per_minute_;
  std::atomic<uint64_t> written_{0}, dropped_{0}, errors_{0}, bytes_{0}, sampled_out_{0};
  std::function<bool()> may_write_;
};

// The record written for one line (exposed for tests and tools).
std::string dead_letter_record(std::string_view producer, std::string_view reason,
                               std::string_view raw_line, int64_t at_ms,
                               size_t max_line_bytes = DeadLetterFile::kDefaultMaxLineBytes);

}  // namespace inplay
