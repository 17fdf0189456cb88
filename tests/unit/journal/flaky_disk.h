// FlakyDisk: the kernel's files (posix_disk) with failures on demand, for
// the journal's outage tests: the next writes or syncs fail with an errno
// (ENOSPC, EIO), optionally after letting a prefix of the write through.
#pragma once
#include <atomic>
#include <cerrno>

#include "journal/disk.h"

namespace inplay {

class FlakyDisk final : public Disk {
 public:
  std::atomic<int> write_error{0};   // errno the next writes fail with (0: none)
  std::atomic<int> sync_error{0};    // errno the next syncs fail with
  std::atomic<int> create_error{0};  // errno the next segment creations fail with
  std::atomic<size_t> partial{0};    // bytes a failing write lets through first
  std::atomic<int> failed{0};        // failures injected so far

  void create_dirs(const std::filesystem::path& d) override { real().create_dirs(d); }
  std::vector<std::string> list(const std::filesystem::path& d) override { return real().list(d); }
  std::string read_all(const std::filesystem::path& f) override { return real().read_all(f); }
  int open(const std::filesystem::path& f, bool create, Handle& h) override {
    if (int e = create ? create_error.load() : 0) return ++failed, e;
    return real().open(f, create, h);
  }
  int write_at(Handle h, uint64_t off, std::string_view data) override {
    if (int e = write_error.load()) {
      ++failed;
      size_t n = std::min(partial.load(), data.size());
      if (n) real().write_at(h, off, data.substr(0, n));
      return e;
    }
    return real().write_at(h, off, data);
  }
  int sync(Handle h) override {
    if (int e = sync_error.load()) return ++failed, e;
    return real().sync(h);
  }
  int truncate(Handle h, uint64_t size) override { return real().truncate(h, size); }
  void close(Handle h) override { real().close(h); }
  int sync_dir(const std::filesystem::path& d) override { return real().sync_dir(d); }

 private:
  static Disk& real() { return posix_disk(); }
};

}  // namespace inplay
