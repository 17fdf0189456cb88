// AuditKey (contract in telemetry/audit_key.h).
#include "telemetry/audit_key.h"

#include <stdexcept>

#include "core/hmac.h"

namespace inplay {

AuditKey::AuditKey(std::string secret) : secret_(std::move(secret)) {
  if (secret_.empty()) throw std::invalid_argument("audit: the chain secret is empty");
  id_ = mac_hex("inplay audit key id").substr(0, 16);
}

std::string AuditKey::mac_hex(std::string_view bytes) const { return hmac_sha256_hex(secret_, bytes); }

}  // namespace inplay
