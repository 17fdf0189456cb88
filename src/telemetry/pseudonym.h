// Pseudonymizer: masks account ids at the edge (CMP-3). The raw id is turned
// into "u_" + 16 hex chars of HMAC-SHA256(secret, id) before any span, log
// line or metric sees it. Same secret and id give the same pseudonym, so a
// user's bets can be followed without knowing who the user is.
// Thread-safe (stateless after construction).
#pragma once
#include <string>
#include <string_view>

namespace inplay {

class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::string secret) : secret_(std::move(secret)) {}
  std::string mask(std::string_view account_id) const;

 private:
  std::string secret_;
};

}  // namespace inplay
