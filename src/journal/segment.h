// Segment: one journal file and its record format (see journal/journal.h).
//
// Owns the byte layout of a record
//   u32 payload_length | u16 type | u64 seq | u32 crc32c | payload
// (little endian, crc32c over type, seq and payload), the file naming
// <first_seq, 20 digits>.seg, and the one scanner that both Journal::open and
// JournalReader use, so writer and reader agree on what "valid", "torn" and
// "corrupt" mean. Pure functions over bytes and paths; any thread.
//
// Torn tail (only when the caller says this is the last segment): a final
// record that runs past the end of the data, or that fails its CRC and is
// followed by nothing but zero bytes. Scanning stops before it. If a valid
// record with the next seq is found after the bad record's header, its
// length field is damaged rather than torn: that is corruption.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/disk.h"
#include "journal/journal.h"

namespace inplay::segment {

inline constexpr size_t kHeaderBytes = 18;  // 4 + 2 + 8 + 4
inline constexpr size_t kCrcOffset = 14;    // crc32c field within the header

// "00000000000000000042.seg"
std::string file_name(uint64_t first_seq);
// The first seq of a segment file name, or nullopt if the name is not one.
std::optional<uint64_t> parse_file_name(std::string_view name);

struct File {
  uint64_t first_seq = 0;
  std::filesystem::path path;
  std::string name;
};
// Segment files of dir, oldest first. Other files are ignored.
std::vector<File> list(Disk& disk, const std::filesystem::path& dir);
std::vector<File> list(const std::filesystem::path& dir);  // the kernel's files

// Writes a header with crc = 0; seal() fills the crc of every record in a
// buffer of whole records (done off the engine thread).
void put_header(char* out, uint32_t payload_length, uint16_t type, uint64_t seq);
void seal(char* records, size_t n);

struct ScanResult {
  uint64_t valid_bytes = 0;  // end offset of the last good record
  uint64_t last_start = 0;   // start offset of that record (when valid_bytes > 0)
  uint64_t last_seq = 0;     // seq of the last good record, or first_seq - 1
  bool torn = false;         // a torn tail starts at valid_bytes
};

// Validates `data` (a whole segment file's bytes, or its bytes from a record
// boundary at file offset base_offset to EOF) whose first record must have
// seq `first_seq`, calling fn (if set) for each record with seq >
// deliver_after. Offsets in the result are relative to data; the offset in
// JournalCorrupt(name, offset, reason) is the file offset (base_offset + ..).
ScanResult scan(std::string_view data, const std::string& name, uint64_t first_seq,
                bool is_last, uint64_t deliver_after,
                const std::function<void(const JournalRecord&)>& fn,
                uint64_t base_offset = 0);

struct DirScan {
  uint64_t last_seq = 0;  // last valid seq on disk (first_seq - 1 if none)
  bool any = false;       // at least one segment file exists
  File tail;              // the last segment file (when any)
  ScanResult tail_scan;   // its scan (valid_bytes, torn)
};
// Scans the segments of dir in order, checking seq continuity across files;
// a torn tail is tolerated in the last one. With skip_old, segments whose
// records are all <= deliver_after are not read (the reader's fast path);
// otherwise every record is validated (open).
DirScan scan_dir(Disk& disk, const std::filesystem::path& dir, uint64_t deliver_after, bool skip_old,
                 const std::function<void(const JournalRecord&)>& fn);

// Whole file contents as it is now (a live writer may be appending).
std::string read_all(const std::filesystem::path& path);

struct FileInfo {
  uint64_t size = 0;  // at the time of reading
  uint64_t dev = 0;
  uint64_t ino = 0;
};
// Contents from `offset` to EOF as the file is now, and its identity and size
// (empty when size <= offset). Throws std::system_error (ENOENT if gone).
std::string read_from_offset(const std::filesystem::path& path, uint64_t offset, FileInfo* info);

}  // namespace inplay::segment
