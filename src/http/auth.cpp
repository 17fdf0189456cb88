#include "http/auth.h"

#include <openssl/rand.h>

#include <cctype>
#include <stdexcept>


namespace inplay {

const char* role_name(Role r) {
  switch (r) {
    case Role::kChannel: return "channel";
    case Role::kOperator: return "operator";
    case Role::kSynthetic: return "synthetic";
    case Role::kSupport: return "support";
  }
  return "channel";
}

bool parse_role(std::string_view s, Role& out) {
  if (s == "channel") out = Role::kChannel;
  else if (s == "operator") out = Role::kOperator;
  else if (s == "synthetic") out = Role::kSynthetic;
  else if (s == "support") out = Role::kSupport;
  else return false;
  return true;
}

bool valid_channel_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-')) return false;
  return true;
}

std::string random_token() {
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char buf[32];
  if (RAND_bytes(buf, sizeof buf) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string t;
  for (unsigned char b : buf) t.push_back(alphabet[b % 62]);
  return t;
}

void TokenStore::add(std::string sha256_hex, Principal p) { by_hash_[std::move(sha256_hex)] = std::move(p); }

std::optional<Principal> TokenStore::authenticate(std::string_view h) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) return std::nullopt;
  std::string_view token = h.substr(kBearer.size());
  if (token.size() > 256) return std::nullopt;
  auto it = by_hash_.find(sha256_hex(token));
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

}  // namespace inplay
