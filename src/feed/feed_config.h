// FeedConfig: one odds feed the book connects to (docs/configuration.md,
// "feeds"). Per sport a primary and a backup price the book (one active at a
// time); a reference feed gives ref prices for drift (ODDS-5, ODDS-6).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"

namespace inplay {

enum class FeedRole : uint8_t { kPrimary, kBackup, kReference };
const char* feed_role_name(FeedRole r);  // "primary", "backup", "reference"
bool parse_feed_role(std::string_view s, FeedRole& out);

struct FeedConfig {
  std::string name;  // "football-primary": unique, used in metrics and the API
  std::string sport = "football";
  FeedRole role = FeedRole::kPrimary;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::vector<std::string> accepted_schemas{"1.0"};  // the schema canary's list (ODDS-8)
  Nanos alive_timeout{std::chrono::milliseconds(3000)};
};

}  // namespace inplay
