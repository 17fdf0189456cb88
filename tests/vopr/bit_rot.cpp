#include "bit_rot.h"

#include <utility>
#include <vector>

#include "journal/segment.h"

namespace inplay::vopr {

std::optional<Rot> rot_a_bit(SimDisk& disk, const std::filesystem::path& dir, Prng& rng) {
  std::vector<segment::File> files = segment::list(disk, dir);
  if (files.empty()) return std::nullopt;
  const size_t fi = rng.below(files.size());
  const segment::File& f = files[fi];
  const bool last = fi + 1 == files.size();
  const std::string data = disk.durable(f.path);
  std::vector<std::pair<uint64_t, uint64_t>> records;  // start, size
  try {
    segment::scan(data, f.name, f.first_seq, last, 0, [&](const JournalRecord& r) {
      const uint64_t start = static_cast<uint64_t>(r.payload.data() - data.data()) - segment::kHeaderBytes;
      records.emplace_back(start, segment::kHeaderBytes + r.payload.size());
    });
  } catch (const JournalCorrupt&) {
    return std::nullopt;
  }
  if (last && !records.empty()) records.pop_back();
  if (records.empty()) return std::nullopt;
  const auto [start, size] = records[rng.below(records.size())];
  const uint64_t within = rng.chance(333) ? rng.below(segment::kHeaderBytes) : rng.below(size);
  Rot r{f.name, start, f.path, start + within, static_cast<int>(rng.below(8))};
  disk.flip_bit(r.path, r.byte, r.bit);
  return r;
}

}  // namespace inplay::vopr
