#include "telemetry/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "telemetry/trace_context.h"

namespace inplay {

std::string Pseudonymizer::mask(std::string_view account_id) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // One-shot HMAC(): not deprecated in OpenSSL 3 (only the HMAC_CTX API is).
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(account_id.data()), account_id.size(), mac,
           &len) == nullptr ||
      len < 8) {
    // Fail closed: never fall back to anything derived from the raw id.
    throw std::runtime_error("pseudonym: HMAC-SHA256 failed");
  }
  return "u_" + to_hex(mac, 8);
}

}  // namespace inplay
