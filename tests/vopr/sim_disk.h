// SimDisk: an in-memory disk behind the journal's Disk seam
// (journal/disk.h) that fails the way disks fail, chosen by the seed's Prng.
//
// Each file has two images: what a read sees now (the page cache), and what
// a power cut is sure to keep (the durable image: the bytes a successful
// sync covered). Writes and truncates since the last sync are pending, in
// order. The faults:
//  - crash(): a power cut. Each file keeps its durable image plus a prefix of
//    its pending operations, the last one possibly torn at sector (512 B)
//    granularity; a file whose directory entry was never synced may vanish.
//    Handles are gone; what is left is on the platter (durable from then on)
//    and is what the next open reads.
//  - kill(): the process dies (kill -9) but the machine does not: handles
//    are gone, the page cache stays — what was written is read back, and
//    what was never synced (data, directory entries) is still unsynced, to
//    be lost by a later power cut.
//  - arm_crash(n): the n-th disk operation from now is where the power goes:
//    a write lands partly, then that and every later operation fails (EIO)
//    and changes nothing until crash() is called.
//  - sync fails with EIO (sync_eio_per_mille). Like Linux after a writeback
//    error, the pending pages are dropped from what will become durable —
//    they stay readable until a crash — and the next sync reports success
//    without writing them: a journal that retries the fsync instead of
//    writing again loses them. A pending truncate is metadata, which the
//    file system journals on its own (a failure there takes the whole file
//    system read-only): it stays pending and the next good sync makes it.
//  - a directory sync fails with EIO as often (its entries stay unsynced).
//  - a write fails with EIO (write_eio_per_mille), after letting a prefix of
//    its bytes through.
//  - space: every file's size counts against capacity; a write that grows
//    past it writes what fits and fails ENOSPC, as does creating a file
//    when nothing is free. set_capacity() gives space back.
//  - flip_bit(): a bit of a durable byte rots (both images change).
// Deterministic: every choice is drawn from the Prng given. One thread.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "journal/disk.h"
#include "prng.h"

namespace inplay::vopr {

inline constexpr uint64_t kSectorBytes = 512;

struct DiskFaults {
  uint32_t sync_eio_per_mille = 0;
  uint32_t write_eio_per_mille = 0;
  // At a crash: per mille of files whose unsynced directory entry is lost.
  uint32_t lose_new_file_per_mille = 500;
};

struct DiskCounts {
  uint64_t writes = 0, syncs = 0, sync_eio = 0, write_eio = 0, enospc = 0, crashes = 0, kills = 0, torn = 0;
};

class SimDisk final : public Disk {
 public:
  SimDisk(Prng& rng, DiskFaults faults) : rng_(rng), faults_(faults) {}

  // Disk
  void create_dirs(const std::filesystem::path& dir) override;
  std::vector<std::string> list(const std::filesystem::path& dir) override;
  std::string read_all(const std::filesystem::path& file) override;
  int open(const std::filesystem::path& file, bool create, Handle& h) override;
  int write_at(Handle h, uint64_t offset, std::string_view data) override;
  int sync(Handle h) override;
  int truncate(Handle h, uint64_t size) override;
  void close(Handle h) override;
  int sync_dir(const std::filesystem::path& dir) override;

  // The power cut (see the header comment): the images become what it left.
  void crash();
  // The process dies, the machine stays up (see the header comment).
  void kill();
  // The operation `ops` from now (1: the next) cuts the power; 0 disarms.
  void arm_crash(uint64_t ops) { crash_in_ = ops; }
  // The power goes now: every operation fails (EIO) until crash().
  void cut_power() { dead_ = true; }
  // The power is gone (cut_power, or an armed crash fell): the disk
  // refuses everything until crash() or kill().
  bool dead() const { return dead_; }

  void set_faults(DiskFaults f) { faults_ = f; }
  // Bytes every file may hold together; set below used() to fill the disk.
  void set_capacity(uint64_t bytes) { capacity_ = bytes; }
  uint64_t used() const;

  // The synced bytes of a file (empty if none); for choosing what to rot.
  std::string durable(const std::filesystem::path& file) const;
  void flip_bit(const std::filesystem::path& file, uint64_t offset, int bit);

  const DiskCounts& counts() const { return counts_; }
  // Each operation and its result on stderr (vopr -v).
  void set_verbose(bool v) { verbose_ = v; }

 private:
  struct Pending {
    bool truncate = false;
    uint64_t offset = 0;  // write: where; truncate: the new size
    std::string bytes;
  };
  struct File {
    std::string data;     // what reads see
    std::string durable;  // what a crash keeps for sure
    std::vector<Pending> pending;  // since the last sync, in order
    bool named = false;   // its directory entry is synced
  };

  // Counts an operation; true when it is the one the armed crash falls on.
  bool power_fails_now();
  File* file_of(Handle h);
  static void apply(std::string& image, const Pending& p);
  // The durable image plus a prefix of the pending operations, the last one
  // torn at a sector boundary, drawn from the Prng.
  std::string survivor(const File& f);

  Prng& rng_;
  DiskFaults faults_;
  std::map<std::string, File> files_;  // by path
  std::set<std::string> dirs_;
  std::map<Handle, std::string> handles_;
  Handle next_handle_ = 1;
  uint64_t capacity_ = UINT64_MAX;
  uint64_t crash_in_ = 0;
  bool dead_ = false;
  DiskCounts counts_;
  bool verbose_ = false;
};

}  // namespace inplay::vopr
