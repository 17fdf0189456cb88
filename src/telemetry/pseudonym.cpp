// Pseudonymizer (contract in telemetry/pseudonym.h).
#include "telemetry/pseudonym.h"

#include "telemetry/trace_context.h"

namespace inplay {

// Fails closed: HmacSha256 throws rather than answer with anything derived
// from the raw id.
std::string Pseudonymizer::mask(std::string_view account_id) const {
  Sha256Digest mac = key_.mac(account_id);
  return "u_" + to_hex(mac.data(), 8);
}

}  // namespace inplay
