// JournalReader: follows a journal directory read-only (contract in
// engine/journal.h). Opens its own descriptors on every call, so it can run
// beside a live FileJournal: a record the writer is still writing looks like
// a torn tail and is simply not delivered yet.
#include "engine/journal.h"
#include "engine/segment.h"

namespace inplay {

JournalReader::JournalReader(std::filesystem::path dir) : dir_(std::move(dir)) {}

uint64_t JournalReader::read_from(uint64_t after_seq,
                                  const std::function<void(const JournalRecord&)>& fn) {
  uint64_t last = after_seq;
  segment::scan_dir(dir_, after_seq, /*skip_old=*/true, [&](const JournalRecord& r) {
    if (fn) fn(r);
    last = r.seq;
  });
  return last;
}

}  // namespace inplay
