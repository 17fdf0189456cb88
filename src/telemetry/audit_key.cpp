// AuditKey (contract in telemetry/audit_key.h).
#include "telemetry/audit_key.h"

#include <stdexcept>

#include "core/hmac.h"

namespace inplay {

namespace {
const std::string& non_empty(const std::string& secret) {
  if (secret.empty()) throw std::invalid_argument("audit: the chain secret is empty");
  return secret;
}
}  // namespace

AuditKey::AuditKey(std::string secret) : key_(non_empty(secret)) {
  id_ = mac_hex("inplay audit key id").substr(0, 16);
}

std::string AuditKey::mac_hex(std::string_view bytes) const { return key_.hex(bytes); }

}  // namespace inplay
