// DiskHeadroom: how much room the data dir's filesystem has left, and the
// journal's claim on the last of it (REL-3). Followers of the journal (the
// SQLite and audit projections, the dead-letter file) write to the same
// disk; they may only write while more than `reserve_bytes` are free, so the
// last reserve is the journal's and a follower can never take the space an
// acknowledgement needs. A follower that pauses catches up from the journal
// once space returns (it follows, it never leads).
//
// refresh() reads statvfs (a background thread calls it every second);
// everything else reads the last figures. Thread-safe.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>

namespace inplay {

// used / (used + free): the share in use of what a writer could ever have.
double disk_used_ratio(uint64_t used_bytes, uint64_t free_bytes);

class DiskHeadroom {
 public:
  DiskHeadroom(std::filesystem::path dir, uint64_t reserve_bytes);

  // Reads the filesystem's figures now; false if statvfs failed (the last
  // figures stay).
  bool refresh();

  uint64_t free_bytes() const { return free_.load(std::memory_order_relaxed); }
  uint64_t size_bytes() const { return size_.load(std::memory_order_relaxed); }
  uint64_t used_bytes() const { return used_.load(std::memory_order_relaxed); }
  uint64_t reserve_bytes() const { return reserve_; }
  // Share of the filesystem in use as a writer sees it, 0..1 (0 before the
  // first refresh): used / (used + free to us), df's Use% — blocks reserved
  // for root are neither (a filesystem may reserve most of itself; counting
  // them as used raised the disk alert on a disk 59 % full).
  double used_ratio() const;
  // A follower may write: more than the reserve is free (true before the
  // first refresh).
  bool followers_may_write() const;

 private:
  const std::filesystem::path dir_;
  const uint64_t reserve_;
  std::atomic<uint64_t> free_{UINT64_MAX};
  std::atomic<uint64_t> size_{0};
  std::atomic<uint64_t> used_{0};
};

}  // namespace inplay
