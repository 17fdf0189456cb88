// DiskReserveReached: a follower's pass refused to write because the disk's
// last free space is kept for the journal (journal/disk_headroom.h). The
// follower loop logs it and tries again after its back-off; the follower
// catches up from the journal once space returns.
#pragma once
#include <functional>
#include <stdexcept>
#include <string>

namespace inplay {

class DiskReserveReached : public std::runtime_error {
 public:
  explicit DiskReserveReached(const std::string& follower)
      : std::runtime_error(follower + " paused: the disk's last free space is kept for the journal") {}
};

// Throws DiskReserveReached when may_write is set and says no.
inline void check_disk_reserve(const std::function<bool()>& may_write, const char* follower) {
  if (may_write && !may_write()) throw DiskReserveReached(follower);
}

}  // namespace inplay
