#include "journal/disk_headroom.h"

#include <sys/statvfs.h>

namespace inplay {

DiskHeadroom::DiskHeadroom(std::filesystem::path dir, uint64_t reserve_bytes)
    : dir_(std::move(dir)), reserve_(reserve_bytes) {}

bool DiskHeadroom::refresh() {
  struct statvfs st {};
  if (::statvfs(dir_.c_str(), &st) != 0) return false;
  const uint64_t unit = st.f_frsize ? st.f_frsize : st.f_bsize;
  // f_bavail: what an unprivileged writer may use (the journal's view as
  // much as anyone's; root's reserved blocks are not counted on).
  free_.store(static_cast<uint64_t>(st.f_bavail) * unit, std::memory_order_relaxed);
  size_.store(static_cast<uint64_t>(st.f_blocks) * unit, std::memory_order_relaxed);
  used_.store(static_cast<uint64_t>(st.f_blocks - st.f_bfree) * unit, std::memory_order_relaxed);
  return true;
}

double disk_used_ratio(uint64_t used_bytes, uint64_t free_bytes) {
  if (used_bytes == 0) return 0.0;
  return static_cast<double>(used_bytes) / (static_cast<double>(used_bytes) + static_cast<double>(free_bytes));
}

double DiskHeadroom::used_ratio() const {
  const uint64_t free = free_bytes();
  if (free == UINT64_MAX) return 0.0;  // not read yet
  return disk_used_ratio(used_.load(std::memory_order_relaxed), free);
}

bool DiskHeadroom::followers_may_write() const { return free_bytes() > reserve_; }

}  // namespace inplay
