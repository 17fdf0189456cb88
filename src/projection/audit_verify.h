// verify_audit: `inplay audit verify` — the audit file checked against its
// key and against the journal it was projected from.
//
// What it proves, in order, stopping at the first failure (named by line):
//  1. every record's mac verifies with the key, each links to the one before
//     (prev) and seq counts 1, 2, 3 ... (telemetry/audit.h): no record was
//     rewritten, deleted, inserted or reordered by anyone without the key;
//  2. record n holds the journal seq of the journal's n-th audited record
//     (projection/audit_entries.h): no record is missing or foreign;
//  3. every anchor in the journal (AuditAnchored) verifies with the key, and
//     the file holds at least its record count with its head mac at that
//     line: a cut tail of anchored records is detected;
//  4. the journal has no audited record past the file's last line: after
//     the last anchor a short file is either a cut tail or a book stopped
//     before its audit caught up (kill -9): the reason says both.
// What it cannot prove: anything against someone holding the key (they can
// write a whole new chain — keep the secret out of the data dir), or a cut of
// the journal and the audit file together at the same point (anchors live in
// the journal; ship them elsewhere for that). A book that stops cleanly
// anchors its head at stop, so step 4 is only ambiguous after a crash.
// Any thread; reads only.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "telemetry/audit_key.h"

namespace inplay {

struct AuditReport {
  bool ok = true;
  uint64_t line = 0;     // first bad line (1-based; the first missing one for a cut tail); 0 if ok
  std::string reason;    // what is wrong there
  uint64_t records = 0;  // valid records read
  uint64_t anchors = 0;  // anchors in the journal
  uint64_t anchored_records = 0;    // the largest anchored record count
  uint64_t last_anchor_seq = 0;     // journal seq of the last anchor (0: none)
  uint64_t journal_last_seq = 0;    // last journal seq read
};

// Throws AuditError (audit file unreadable), JournalCorrupt, or
// std::invalid_argument / std::out_of_range (an undecodable journal record).
AuditReport verify_audit(const std::filesystem::path& audit_file, const std::filesystem::path& journal_dir,
                         const AuditKey& key);

}  // namespace inplay
