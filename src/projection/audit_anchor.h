// Audit anchors: the audit log's head {records, head mac, journal seq read},
// keyed and journaled (AuditAnchored, journal/events.h) so that the journal
// remembers how long the audit file was. An anchor's mac is HMAC-SHA256 with
// the chain key over "inplay-audit-anchor|<lines>|<covered_seq>|<head>", so
// nobody without the secret can journal one that verifies (a fake anchor
// claiming a shorter file, say). Pure functions; any thread.
#pragma once
#include <cstdint>
#include <string>

#include "journal/events.h"
#include "telemetry/audit_key.h"

namespace inplay {

AuditAnchored make_audit_anchor(const AuditKey& key, uint64_t lines, uint64_t covered_seq, std::string head,
                                int64_t at_ns);

// True when `a` names `key` and its mac is that key's.
bool audit_anchor_verifies(const AuditKey& key, const AuditAnchored& a);

}  // namespace inplay
