// Pseudonymizer: masks account ids at the edge (CMP-3). The raw id is turned
// into "u_" + 16 hex chars of HMAC-SHA256(secret, id) before any span, log
// line or metric sees it. Same secret and id give the same pseudonym, so a
// user's bets can be followed without knowing who the user is.
// The key is readied once (core/hmac.h): a mask costs two SHA-256 hashes.
// Thread-safe (immutable after construction).
#pragma once
#include <string>
#include <string_view>

#include "core/hmac.h"

namespace inplay {

class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::string_view secret) : key_(secret) {}
  std::string mask(std::string_view account_id) const;

 private:
  HmacSha256 key_;
};

}  // namespace inplay
