// A journal restarted after its process died (kill -9) while the machine
// stayed up, then the power cut later. Found by the storage-fault
// simulation (tests/vopr): the restarted journal read what the page cache
// held — records written but never synced, a segment whose directory entry
// was never synced — and acknowledged new records on top of it; the power
// cut then took the unsynced part and with it the acknowledged records
// (a gap the next start refused, or a segment gone). Now the journal makes
// what it opens durable first.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "prng.h"
#include "sim_disk.h"

namespace inplay {
namespace {

using vopr::DiskFaults;
using vopr::Prng;
using vopr::SimDisk;

const std::filesystem::path kDir = "/journal";

std::unique_ptr<Journal> open_journal(SimDisk& disk, uint64_t segment_bytes = 64ull << 20) {
  Journal::Options o;
  o.dir = kDir;
  o.fsync = FsyncPolicy::kGroup;
  o.segment_bytes = segment_bytes;
  o.wake_on_append = false;
  o.disk = &disk;
  return Journal::open(o);
}

std::vector<std::string> replayed(Journal& j) {
  std::vector<std::string> out;
  j.replay([&](const JournalRecord& r) { out.emplace_back(r.payload); });
  return out;
}

// The process dies where it stands: nothing more reaches the disk, the page
// cache stays.
void kill_process(SimDisk& disk, std::unique_ptr<Journal>& j) {
  disk.cut_power();
  j.reset();
  disk.kill();
}

TEST(JournalRestart, RecordsWhoseSyncFailedBeforeAKillAreWrittenAgainAtOpen) {
  Prng rng(7);
  DiskFaults calm;
  calm.lose_new_file_per_mille = 1000;
  SimDisk disk(rng, calm);
  auto j = open_journal(disk);
  for (const char* p : {"a", "b", "c"}) j->append(1, p, {});
  ASSERT_TRUE(j->pump());

  // fdatasync fails: the kernel drops d and e's pages from writeback (they
  // stay readable); the process dies before it can cut them back.
  DiskFaults failing = calm;
  failing.sync_eio_per_mille = 1000;
  disk.set_faults(failing);
  for (const char* p : {"d", "e"}) j->append(1, p, {});
  disk.arm_crash(3);  // 1: write, 2: the failing sync, 3: the cut back
  ASSERT_FALSE(j->pump());
  kill_process(disk, j);

  disk.set_faults(calm);
  j = open_journal(disk);
  EXPECT_EQ(j->last_seq(), 5u);  // the page cache's records
  j->append(1, "f", {});
  ASSERT_TRUE(j->pump());  // f is acknowledged
  j.reset();

  disk.crash();
  j = open_journal(disk);  // before: JournalCorrupt, crc mismatch where d was
  EXPECT_EQ(replayed(*j), (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
}

TEST(JournalRestart, ASegmentCreatedJustBeforeAKillHasItsDirectoryEntrySyncedAtOpen) {
  Prng rng(7);
  DiskFaults calm;
  calm.lose_new_file_per_mille = 1000;  // an unsynced directory entry is always lost
  SimDisk disk(rng, calm);
  auto j = open_journal(disk, /*segment_bytes=*/16);
  j->append(1, "a", {});
  ASSERT_TRUE(j->pump());

  // The next batch rolls to a new segment; the process dies after creating
  // it, before the directory sync.
  j->append(1, "b", {});
  disk.arm_crash(2);  // 1: create the segment, 2: sync the directory
  ASSERT_FALSE(j->pump());
  kill_process(disk, j);

  j = open_journal(disk, 16);
  EXPECT_EQ(j->last_seq(), 1u);  // the new segment is there, empty: the tail
  j->append(1, "c", {});
  ASSERT_TRUE(j->pump());  // c, seq 2, acknowledged in that segment
  j.reset();

  disk.crash();
  j = open_journal(disk, 16);  // before: the segment, and c with it, was gone
  EXPECT_EQ(replayed(*j), (std::vector<std::string>{"a", "c"}));
}

}  // namespace
}  // namespace inplay
