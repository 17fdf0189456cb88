// verify_audit (contract in projection/audit_verify.h).
#include "projection/audit_verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <variant>
#include <vector>

#include "journal/events.h"
#include "journal/journal.h"
#include "projection/audit_anchor.h"
#include "projection/audit_entries.h"
#include "telemetry/audit.h"

namespace inplay {

namespace {

struct JournalView {
  std::vector<uint64_t> audited;  // journal seqs of the records the file must hold, in order
  std::vector<std::pair<uint64_t, AuditAnchored>> anchors;  // journal seq, anchor
  uint64_t last_seq = 0;
};

JournalView read_journal(const std::filesystem::path& dir) {
  JournalView v;
  const AuditMask no_mask = [](std::string_view) { return std::string(); };
  JournalReader reader(dir);
  v.last_seq = reader.read_from(0, [&](const JournalRecord& r) {
    BookEvent ev = decode_event(r.type, r.payload);
    if (auto* a = std::get_if<AuditAnchored>(&ev)) v.anchors.emplace_back(r.seq, std::move(*a));
    else if (audit_entry_of(ev, r.seq, no_mask, "")) v.audited.push_back(r.seq);
  });
  return v;
}

// Check 2 and the head half of check 3, line by line.
std::string check_line(const JournalView& j, const std::multimap<uint64_t, const std::pair<uint64_t, AuditAnchored>*>& heads,
                       uint64_t line, const AuditLine& l) {
  if (line > j.audited.size())
    return fmt::format("journal seq {} is not an audited record of the journal (it has {}, up to seq {})",
                       l.journal_seq, j.audited.size(), j.last_seq);
  const uint64_t want = j.audited[line - 1];
  if (l.journal_seq != want)
    return fmt::format("holds journal seq {} where the journal's audited record {} is seq {}", l.journal_seq,
                       line, want);
  auto [lo, hi] = heads.equal_range(line);
  for (auto it = lo; it != hi; ++it)
    if (it->second->second.head != l.mac)
      return fmt::format("mac differs from the head the journal anchored at seq {} (the record was rewritten)",
                         it->second->first);
  return "";
}

}  // namespace

AuditReport verify_audit(const std::filesystem::path& audit_file, const std::filesystem::path& journal_dir,
                         const AuditKey& key) {
  AuditReport rep;
  const JournalView j = read_journal(journal_dir);
  rep.journal_last_seq = j.last_seq;
  rep.anchors = j.anchors.size();
  std::multimap<uint64_t, const std::pair<uint64_t, AuditAnchored>*> heads;  // line -> anchor
  for (const auto& a : j.anchors)  // an anchor that does not verify is reported after the lines
    if (a.second.lines > 0 && audit_anchor_verifies(key, a.second)) heads.emplace(a.second.lines, &a);

  AuditVerifyResult file = verify_audit_file(
      audit_file, key, [&](uint64_t line, const AuditLine& l) { return check_line(j, heads, line, l); });
  rep.records = file.records;
  auto fail = [&](uint64_t line, std::string why) {
    rep.ok = false;
    rep.line = line;
    rep.reason = std::move(why);
    return rep;
  };
  if (!file.ok) return fail(file.line, file.reason);

  // Check 3: every anchor is the key's and the file reaches it.
  const std::pair<uint64_t, AuditAnchored>* longest = nullptr;
  for (const auto& a : j.anchors) {
    if (!audit_anchor_verifies(key, a.second))
      return fail(0, a.second.key_id != key.id()
                         ? fmt::format("the journal's audit anchor at seq {} is keyed {}, not the configured key {} "
                                       "(the wrong audit.chain_secret?)",
                                       a.first, a.second.key_id, key.id())
                         : fmt::format("the journal's audit anchor at seq {} does not verify (forged)", a.first));
    const uint64_t covered = static_cast<uint64_t>(
        std::upper_bound(j.audited.begin(), j.audited.end(), a.second.covered_seq) - j.audited.begin());
    if (covered != a.second.lines)
      return fail(0, fmt::format("the journal's audit anchor at seq {} counts {} records up to journal seq {}, "
                                 "where the journal has {}",
                                 a.first, a.second.lines, a.second.covered_seq, covered));
    if (!longest || a.second.lines > longest->second.lines) longest = &a;
    rep.last_anchor_seq = a.first;
  }
  if (longest) rep.anchored_records = longest->second.lines;
  if (longest && longest->second.lines > file.records)
    return fail(file.records + 1,
                fmt::format("cut tail: the file ends at line {} but the journal anchored {} records at seq {} "
                            "(lines {}..{} are missing)",
                            file.records, longest->second.lines, longest->first, file.records + 1,
                            longest->second.lines));

  // Check 4: nothing audited in the journal is missing past the last line.
  if (j.audited.size() > file.records)
    return fail(file.records + 1,
                fmt::format("missing: the journal's audited record at seq {} has no line ({} of them past the "
                            "file's end at line {}, after its last anchor): a cut tail, or a book stopped before "
                            "its audit caught up (start it once to catch up, then verify again)",
                            j.audited[file.records], j.audited.size() - file.records, file.records));
  return rep;
}

}  // namespace inplay
