// Audit log (CMP-1): an append-only, tamper-evident file of JSON lines, one
// record per key action (bets accepted and rejected, money movements,
// operator and automatic actions on markets and events).
//
// Line format (no spaces; "hash" always last, then '\n'):
//   {"seq":7,"at":"2026-11-28T15:00:01.250Z","action":"deposit",
//    "journal_seq":42,<typed fields>,"prev":"<64 hex>","hash":"<64 hex>"}
//   seq    1, 2, 3 ... with no gaps (the record's place in the file)
//   prev   hex SHA-256 of the previous line's bytes (without its '\n');
//          64 zeros on the first record
//   hash   hex SHA-256 of prev (its 64 hex chars) followed by the canonical
//          record: the line's exact bytes with `,"hash":"<64 hex>"` removed
// The hash covers raw bytes, so changing any byte of a record breaks that
// record, and deleting or reordering records breaks the chain at the first
// record whose prev no longer matches. Account ids never reach this file raw:
// callers mask them first (telemetry/pseudonym.h).
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
#include <vector>

namespace inplay {

class AuditError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AuditField {
  std::string key;  // not one of seq, at, action, journal_seq, prev, hash
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
  std::string prev;
  std::string hash;
};

// Parses one line (without '\n') and checks its own hash. Returns the reason
// on failure: "malformed: ..." or "hash mismatch".
std::variant<AuditLine, std::string> parse_audit_line(std::string_view line);

// Hex SHA-256 of bytes.
std::string sha256_hex_of(std::string_view bytes);

class AuditWriter {
 public:
  // Opens or creates the file and reads its last line to continue the chain
  // (seq, prev, last journal_seq). A torn last line (no '\n') is truncated
  // with a log line. Throws AuditError if the last complete line is not a
  // valid record or the file cannot be opened.
  explicit AuditWriter(std::filesystem::path file);
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

 private:
  struct State {
    uint64_t seq = 0;
    uint64_t journal_seq = 0;
    std::string prev;  // hash of the last line (sha256 of its bytes)
    uint64_t size = 0;
  };
  void read_tail();

  std::filesystem::path file_;
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
  std::string reason;    // "hash mismatch", "broken chain ...", "malformed: ...", "seq ..."
};

// Reads the whole file and checks every record's hash, the chain and seq.
// Throws AuditError only if the file cannot be read.
AuditVerifyResult verify_audit_file(const std::filesystem::path& file);

}  // namespace inplay
