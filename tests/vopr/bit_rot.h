// BitRot: a bit of a synced journal record flips between runs, and where
// the journal must then say the corruption is — the segment and the offset
// of that record (JournalCorrupt). The record is one of an old segment, or
// of the last segment but not its last record: a rotted last record cannot
// be told from a torn write by its CRC (docs/durability.md). A third of the
// rots hit the header (length, type, seq, crc), so a damaged length is
// tried often. One thread.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "prng.h"
#include "sim_disk.h"

namespace inplay::vopr {

// A bit rotted in a durable record, and where the journal must say it is.
struct Rot {
  std::string segment;
  uint64_t record_start = 0;
  std::filesystem::path path;
  uint64_t byte = 0;
  int bit = 0;
};

// Flips a bit in a record of dir's segments on disk, chosen by rng;
// nullopt when there is no record to rot.
std::optional<Rot> rot_a_bit(SimDisk& disk, const std::filesystem::path& dir, Prng& rng);

}  // namespace inplay::vopr
