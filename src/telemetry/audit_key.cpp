// AuditKey (contract in telemetry/audit_key.h).
#include "telemetry/audit_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "telemetry/trace_context.h"

namespace inplay {

AuditKey::AuditKey(std::string secret) : secret_(std::move(secret)) {
  if (secret_.empty()) throw std::invalid_argument("audit: the chain secret is empty");
  id_ = mac_hex("inplay audit key id").substr(0, 16);
}

std::string AuditKey::mac_hex(std::string_view bytes) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // One-shot HMAC(): not deprecated in OpenSSL 3 (only the HMAC_CTX API is).
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), mac, &len) == nullptr ||
      len != 32)
    throw std::runtime_error("audit: HMAC-SHA256 failed");
  return to_hex(mac, 32);
}

}  // namespace inplay
