// Disk: the file operations of the journal — the seam between its format
// and the machine. The journal (FileJournal) and the segment scanner go
// through it; PosixDisk (the default, posix_disk.cpp) calls the kernel, and
// the storage-fault simulation (tests/vopr) plugs in a disk that tears
// writes, loses what was never synced at a crash, fails fsync, runs out of
// space and flips bits — fault injection beside the path it breaks, never
// inside it.
//
// Errors are errno values returned (0: done), never thrown, except by the
// read side (list, read_all), which throws std::system_error as a reader of
// files would. A handle is an open file; writes go to an explicit offset so
// a failed write can be written again over its own bytes. Thread-safety:
// the implementation's; the journal calls it from one thread at a time.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace inplay {

class Disk {
 public:
  using Handle = int;
  virtual ~Disk() = default;

  // Creates dir and its parents if missing.
  virtual void create_dirs(const std::filesystem::path& dir) = 0;
  // Names of the regular files in dir (empty if dir is missing).
  virtual std::vector<std::string> list(const std::filesystem::path& dir) = 0;
  // Whole contents of a file as it is now.
  virtual std::string read_all(const std::filesystem::path& file) = 0;

  // Opens an existing file for writing (create: a new one, failing with
  // EEXIST if it is there). Returns 0 and sets h, or an errno.
  virtual int open(const std::filesystem::path& file, bool create, Handle& h) = 0;
  // Writes all of data at offset (continuing partial writes); 0 or errno.
  // On an error some prefix of data may have reached the file.
  virtual int write_at(Handle h, uint64_t offset, std::string_view data) = 0;
  // fdatasync: 0 when every byte written so far is on stable storage.
  virtual int sync(Handle h) = 0;
  // Cuts (or extends with zeros) the file to size.
  virtual int truncate(Handle h, uint64_t size) = 0;
  virtual void close(Handle h) = 0;
  // fsync of a directory: makes the files created in it durable.
  virtual int sync_dir(const std::filesystem::path& dir) = 0;
};

// The kernel's files. One instance serves any number of journals.
Disk& posix_disk();

}  // namespace inplay
