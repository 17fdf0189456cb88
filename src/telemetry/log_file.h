// LogFile: the log's file sink with size-based rotation (telemetry.log_file
// and telemetry.retention.logs; see docs/configuration.md).
//
// Each line is appended with one write(2) (O_APPEND) and a '\n'. When a line
// would take the file past max_bytes, the file is rotated first: FILE.<keep>
// is deleted, FILE.<k> becomes FILE.<k+1>, FILE becomes FILE.1, and a new
// FILE is started, so at most keep + 1 files of about max_bytes each exist.
// A write or rotation error is counted, never thrown: logging must not stop
// the book. Not thread-safe by itself: log::set_sink calls it under the
// log's mutex.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace inplay {

class LogFile {
 public:
  // Opens (creating) the file for appending; throws std::runtime_error with
  // the reason if it cannot.
  LogFile(std::filesystem::path file, uint64_t max_bytes, unsigned keep);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  void write(std::string_view line);
  uint64_t rotations() const { return rotations_.load(std::memory_order_relaxed); }
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  // FILE.<n> (n >= 1), the n-th newest rotated file.
  std::filesystem::path rotated(unsigned n) const;

 private:
  bool open_file();
  void rotate();

  std::filesystem::path file_;
  uint64_t max_bytes_;
  unsigned keep_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::atomic<uint64_t> rotations_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace inplay
