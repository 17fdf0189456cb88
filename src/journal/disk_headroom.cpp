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
  return true;
}

double DiskHeadroom::used_ratio() const {
  const uint64_t size = size_bytes(), free = free_bytes();
  if (size == 0 || free >= size) return 0.0;
  return 1.0 - static_cast<double>(free) / static_cast<double>(size);
}

bool DiskHeadroom::followers_may_write() const { return free_bytes() > reserve_; }

}  // namespace inplay
