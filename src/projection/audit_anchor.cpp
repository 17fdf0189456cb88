// Audit anchors (contract in projection/audit_anchor.h).
#include "projection/audit_anchor.h"

#include <fmt/format.h>

namespace inplay {

namespace {

std::string anchor_mac(const AuditKey& key, uint64_t lines, uint64_t covered_seq, const std::string& head) {
  return key.mac_hex(fmt::format("inplay-audit-anchor|{}|{}|{}", lines, covered_seq, head));
}

}  // namespace

AuditAnchored make_audit_anchor(const AuditKey& key, uint64_t lines, uint64_t covered_seq, std::string head,
                                int64_t at_ns) {
  AuditAnchored a;
  a.lines = lines;
  a.covered_seq = covered_seq;
  a.mac = anchor_mac(key, lines, covered_seq, head);
  a.head = std::move(head);
  a.key_id = key.id();
  a.at_ns = at_ns;
  return a;
}

bool audit_anchor_verifies(const AuditKey& key, const AuditAnchored& a) {
  return a.key_id == key.id() && anchor_mac(key, a.lines, a.covered_seq, a.head) == a.mac;
}

}  // namespace inplay
