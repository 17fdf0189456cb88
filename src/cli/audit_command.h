// `inplay audit verify --config FILE`: the audit log checked with the book's
// chain key against the journal it came from (projection/audit_verify.h:
// what it proves and what it cannot). Reads only. Meant for a stopped book
// or a copy of its data dir: beside a live one the journal and the file move
// while they are read, so records written meanwhile may be reported (as
// missing, or as not in the journal).
//
// Output: "audit ok: N records, key K, A anchors (the last covers R records,
// journal seq S), journal read to seq J" on stdout; on failure one line on
// stderr naming the file, the line and the reason.
#pragma once
#include <string>

namespace inplay {

struct AuditVerifyOptions {
  std::string config_file;  // the book's config: audit.chain_secret, data_dir
  bool demo = false;        // or `inplay demo`'s data dir (its kept secret)
  std::string data_dir;     // default: the config's (the demo's: inplay-demo-data)
  std::string file;         // default: <data_dir>/audit.jsonl
};

// Exit 0: whole; 3: tampered, cut or the wrong key (named by line); 1: the
// file or journal cannot be read; 2: bad arguments or config.
int cmd_audit_verify(const AuditVerifyOptions& o);

}  // namespace inplay
