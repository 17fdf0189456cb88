// Auth: bearer tokens with a role (docs/api.md "Who may call what").
//
// Tokens come from config as SHA-256 hashes (never the token itself); a
// presented token is hashed and looked up. A channel (the operator's web/app
// back end) places bets and moves money for the accounts it authenticated;
// an operator (trader, on-call) reads everything and uses the controls.
// Accounts belong to the channel that opened them (SEC-1): a token acts for
// its `channel` (several tokens may share one; default: the token's name).
// Immutable after construction; thread-safe.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/hmac.h"  // sha256_hex, for the token hashes in a config

namespace inplay {

// channel: a betting channel (bets, deposits, reads); operator: traders and
// on-call (book controls, incidents, traces); synthetic: the synthetic checks
// (a channel restricted to "synthetic-" accounts, its traffic flagged);
// support: a chat or CRM integration that reports customer contacts (POST
// /v1/support/events) and reads the support signals — no account, bet,
// money or control.
enum class Role { kChannel, kOperator, kSynthetic, kSupport };
const char* role_name(Role r);
bool parse_role(std::string_view s, Role& out);

struct Principal {
  std::string name;  // token name from config, e.g. "web"
  Role role;
  std::string channel;  // the channel it acts for ("" = name), e.g. "web"
  const std::string& channel_name() const { return channel.empty() ? name : channel; }
};

// A channel's name in config: [A-Za-z0-9_.-]{1,64}.
bool valid_channel_name(std::string_view s);

class TokenStore {
 public:
  void add(std::string sha256_hex, Principal p);
  // Looks up "Bearer <token>"; nullopt if missing, malformed or unknown.
  std::optional<Principal> authenticate(std::string_view authorization_header) const;
  bool empty() const { return by_hash_.empty(); }

 private:
  std::unordered_map<std::string, Principal> by_hash_;
};

// A new random token (32 url-safe chars) for `inplay demo`.
std::string random_token();

}  // namespace inplay
