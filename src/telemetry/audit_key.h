// AuditKey: the secret that keys the audit chain (config `audit.chain_secret`,
// docs/configuration.md) and the id every audit record and anchor names it
// by. The id is a fingerprint of the secret — the first 16 hex digits of
// HMAC-SHA256(secret, "inplay audit key id") — so it names the key without
// revealing it, and a verifier holding several secrets could pick the right
// one by it (rotation is not supported yet: a book has one key).
//
// Without the secret nobody can make a record or an anchor that verifies:
// that is what keeps someone who can write the audit file from rewriting
// its chain. Thread-safe (immutable after construction).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "core/hmac.h"

namespace inplay {

// The shortest chain secret a config may give (32 characters: ~190 bits
// from `inplay token`, 256 from 64 hex digits).
inline constexpr size_t kAuditSecretMinChars = 32;

class AuditKey {
 public:
  // Throws std::invalid_argument on an empty secret.
  explicit AuditKey(std::string secret);

  const std::string& id() const { return id_; }
  // HMAC-SHA256(secret, bytes) as 64 lowercase hex digits. Throws
  // std::runtime_error if OpenSSL fails (never silently unkeyed).
  std::string mac_hex(std::string_view bytes) const;

 private:
  HmacSha256 key_;
  std::string id_;
};

}  // namespace inplay
