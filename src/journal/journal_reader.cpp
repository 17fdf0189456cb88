// JournalReader: follows a journal directory read-only (contract in
// journal/journal.h). Opens its own descriptors on every call, so it can run
// beside a live FileJournal: a record the writer is still writing looks like
// a torn tail and is simply not delivered yet.
//
// Resume cursor: after each segment it scans, the reader remembers the end of
// the last complete record (never past a torn tail) and that record's start.
// A later call with after_seq >= the cursor's seq re-reads only that one
// record (to check the file still holds it there) and the bytes after it.
// Segments are only appended to, rolled, or cut back to a record boundary at
// open, so a cursor that passes those checks is on a record boundary.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "journal/journal.h"
#include "journal/segment.h"

namespace inplay {

JournalReader::JournalReader(std::filesystem::path dir) : dir_(std::move(dir)) {}

uint64_t JournalReader::read_from(uint64_t after_seq,
                                  const std::function<void(const JournalRecord&)>& fn) {
  uint64_t last = after_seq;
  const auto deliver = [&](const JournalRecord& r) {
    if (fn) fn(r);
    last = r.seq;
  };
  const std::vector<segment::File> files = segment::list(dir_);

  // Try the cursor: on success `start` is its segment and `resume_data` holds
  // the file from the cursor's last record (or from 0 if it has none) to EOF.
  size_t start = 0;
  bool resume = false;
  std::string resume_data;
  segment::FileInfo info;
  if (has_cursor_ && after_seq >= cursor_.seq) {
    auto it = std::find_if(files.begin(), files.end(), [&](const segment::File& f) {
      return f.name == cursor_.segment;
    });
    if (it != files.end()) {
      const uint64_t from = cursor_.end > 0 ? cursor_.record_start : 0;
      const uint64_t known = cursor_.end - from;  // bytes of the remembered record
      resume = true;
      try {
        resume_data = segment::read_from_offset(it->path, from, &info);
      } catch (const std::system_error&) {
        resume = false;  // gone (or unreadable): the full scan decides
      }
      if (resume && (info.dev != cursor_.dev || info.ino != cursor_.ino ||
                     info.size < cursor_.end || resume_data.size() < known)) {
        resume = false;  // replaced or truncated below the cursor
      }
      if (resume && known > 0) {
        // The remembered record must still be there, whole, with its seq.
        try {
          segment::ScanResult r =
              segment::scan(std::string_view(resume_data).substr(0, known), it->name,
                            cursor_.seq, /*is_last=*/false, UINT64_MAX, {}, from);
          resume = r.last_seq == cursor_.seq && r.valid_bytes == known;
        } catch (const JournalCorrupt&) {
          resume = false;
        }
      }
      if (resume) start = static_cast<size_t>(it - files.begin());
    }
  }
  if (!resume) has_cursor_ = false;

  // As segment::scan_dir(dir_, after_seq, skip_old=true, ...), starting at
  // the cursor when there is one.
  bool any = resume;
  uint64_t prev_last = resume ? cursor_.seq : 0;
  for (size_t i = start; i < files.size(); ++i) {
    const segment::File& f = files[i];
    const bool is_last = i + 1 == files.size();
    const bool resumed_here = resume && i == start;
    // Segments whose records are all <= after_seq are not read.
    if (!is_last && files[i + 1].first_seq <= after_seq + 1) continue;
    if (f.first_seq == 0) throw JournalCorrupt(f.name, 0, "segment first seq is 0");
    if (any && !resumed_here && f.first_seq != prev_last + 1) {
      throw JournalCorrupt(f.name, 0,
                           "seq gap: expected segment starting at " +
                               std::to_string(prev_last + 1));
    }
    std::string data;
    std::string_view view;
    uint64_t base = 0, first = f.first_seq;
    if (resumed_here) {
      base = cursor_.end;
      first = cursor_.seq + 1;
      view = std::string_view(resume_data);
      if (cursor_.end > 0) view.remove_prefix(cursor_.end - cursor_.record_start);
    } else {
      data = segment::read_from_offset(f.path, 0, &info);
      view = data;
    }
    segment::ScanResult r = segment::scan(view, f.name, first, is_last, after_seq, deliver, base);
    // Only a crash between creating a segment and writing it leaves an empty
    // file, and then it is the last one.
    if (!is_last && base == 0 && r.valid_bytes == 0)
      throw JournalCorrupt(f.name, 0, "empty segment");
    any = true;
    prev_last = r.last_seq;

    // Everything up to here is scanned (and delivered): move the cursor.
    if (!resumed_here) {
      cursor_.segment = f.name;
      cursor_.first_seq = f.first_seq;
      cursor_.dev = info.dev;
      cursor_.ino = info.ino;
      cursor_.record_start = 0;
      cursor_.end = 0;
    }
    if (r.valid_bytes > 0) {
      cursor_.record_start = base + r.last_start;
      cursor_.end = base + r.valid_bytes;
    }
    cursor_.seq = r.last_seq;
    has_cursor_ = true;
  }
  return last;
}

}  // namespace inplay
