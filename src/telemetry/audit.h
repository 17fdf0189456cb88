// Audit log (CMP-1): an append-only, tamper-evident file of JSON lines, one
// record per key action (bets accepted and rejected, money movements,
// settlements, feed switches, operator and automatic actions on markets and
// events). The full story — anchors in the journal, what `inplay audit
// verify` proves and what it cannot — is in docs/observability.md.
//
// Line format (no spaces; "mac" always last, then '\n'):
//   {"seq":7,"at":"2026-11-28T15:00:01.250Z","action":"deposit",
//    "journal_seq":42,<typed fields>,"key":"<16 hex>","prev":"<64 hex>",
//    "mac":"<64 hex>"}
//   seq    1, 2, 3 ... with no gaps (the record's place in the file)
//   key    the id of the chain key (telemetry/audit_key.h)
//   prev   the previous record's mac; 64 zeros on the first record
//   mac    hex HMAC-SHA256, keyed with the chain secret, of prev (its 64 hex
//          chars) followed by the canonical record: the line's exact bytes
//          with `,"mac":"<64 hex>"` removed
// The mac covers raw bytes and the previous link, so changing any byte of a
// record breaks that record, and deleting or reordering records breaks the
// chain at the first record whose prev no longer matches; without the secret
// nobody can write a record that verifies. What the chain alone cannot show
// is a cut tail (a shorter chain is still a valid chain): the journal's
// anchors do (projection/audit_verify.h). Account ids never reach this file
// raw: callers mask them first (telemetry/pseudonym.h).
//
// AuditWriter is used by one thread at a time (the caller serialises).
// append() renders into a pending batch; flush() writes the batch with one
// write(2) and fdatasync, so a batch is on disk whole or (after a crash) as a
// torn last line, which the next writer cuts off (the records are rebuilt
// from the journal). verify_audit_file() may run on any thread.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <functional>
#include <vector>

#include "telemetry/audit_key.h"

namespace inplay {

class AuditError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AuditField {
  std::string key;  // not one of seq, at, action, journal_seq, key, prev, mac
  std::variant<int64_t, std::string> value;
};

struct AuditEntry {
  std::string action;        // bet_accepted, deposit, market_status_set, ...
  int64_t at_ns = 0;         // book time of the action (rendered RFC 3339, ms)
  uint64_t journal_seq = 0;  // the journal record it came from (0: omitted)
  std::vector<AuditField> fields;

  AuditEntry& add(std::string key, int64_t v);
  AuditEntry& add(std::string key, uint64_t v) { return add(std::move(key), static_cast<int64_t>(v)); }
  AuditEntry& add(std::string key, int v) { return add(std::move(key), static_cast<int64_t>(v)); }
  AuditEntry& add(std::string key, std::string v);
  AuditEntry& add(std::string key, const char* v) { return add(std::move(key), std::string(v)); }
  AuditEntry& add(std::string key, std::string_view v) { return add(std::move(key), std::string(v)); }
};

// What one valid line says about itself (see parse_audit_line).
struct AuditLine {
  uint64_t seq = 0;
  uint64_t journal_seq = 0;  // 0 if absent
  std::string key_id;
  std::string prev;
  std::string mac;
};

// The chain's starting link: prev of the first record, head of an empty file.
extern const std::string kAuditGenesis;  // 64 zeros

// Parses one line (without '\n') and checks its own mac with `key`. Returns
// the reason on failure: "malformed: ...", "unkeyed record ...", "key X is
// not the configured key Y ..." or "mac mismatch".
std::variant<AuditLine, std::string> parse_audit_line(std::string_view line, const AuditKey& key);

class AuditWriter {
 public:
  // Opens or creates the file and reads its last line to continue the chain
  // (seq, prev, last journal_seq). A torn last line (no '\n') is truncated
  // with a log line. A file of unkeyed records (the format before the chain
  // was keyed) is moved aside to "<file>.unkeyed" (".unkeyed.2", ...) with a
  // log line, and a keyed file starts empty (the projection rebuilds it from
  // the journal). Throws AuditError if the last complete line is not a valid
  // record with this key, or the file cannot be opened.
  AuditWriter(std::filesystem::path file, AuditKey key);
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Renders the record into the pending batch; returns its seq. Throws
  // std::invalid_argument on a reserved field key.
  uint64_t append(const AuditEntry& e);
  // Writes and syncs the pending batch. On failure throws AuditError and
  // forgets the batch (the file is cut back to its last synced size).
  void flush();

  uint64_t last_seq() const { return seq_; }                  // including pending
  uint64_t last_journal_seq() const { return journal_seq_; }  // including pending
  uint64_t synced_journal_seq() const { return synced_.journal_seq; }
  uint64_t synced_seq() const { return synced_.seq; }
  const std::string& synced_head() const { return synced_.prev; }  // mac of the last synced record
  const AuditKey& key() const { return key_; }

 private:
  struct State {
    uint64_t seq = 0;
    uint64_t journal_seq = 0;
    std::string prev;  // mac of the last line
    uint64_t size = 0;
  };
  void read_tail();
  bool set_aside_unkeyed(std::string_view last_line);

  std::filesystem::path file_;
  AuditKey key_;
  int fd_ = -1;
  State synced_;
  uint64_t seq_ = 0;
  uint64_t journal_seq_ = 0;
  std::string prev_;
  std::string pending_;
};

struct AuditVerifyResult {
  bool ok = true;
  uint64_t records = 0;  // valid records (before the bad one, if any)
  uint64_t line = 0;     // 1-based line of the first bad record (0 when ok)
  std::string reason;    // "mac mismatch", "broken chain ...", "malformed: ...", "seq ...", the check's
  std::string head = kAuditGenesis;  // mac of the last valid record
  uint64_t last_journal_seq = 0;     // of the last valid record
};

// A further check of each record whose mac and link hold (the journal's,
// projection/audit_verify.h): "" when it passes, else the reason.
using AuditLineCheck = std::function<std::string(uint64_t line, const AuditLine&)>;

// Reads the whole file and checks every record's key, mac, the chain, seq
// and `check` (if any), stopping at the first bad line. Throws AuditError
// only if the file cannot be read.
AuditVerifyResult verify_audit_file(const std::filesystem::path& file, const AuditKey& key,
                                    const AuditLineCheck& check = {});

}  // namespace inplay
