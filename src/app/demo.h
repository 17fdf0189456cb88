// Demo: the built-in world of `inplay demo` — a few EPL and Championship
// matches (some in play, some about to kick off) with match result, total
// goals 2.5 and both-teams-to-score markets priced live by the simulated
// world's primary feed (backup and reference feeds connected too), demo
// accounts with money, and a fresh channel and operator token.
#pragma once
#include <string>

#include "app/config.h"

namespace inplay {

struct DemoTokens {
  std::string channel;
  std::string operator_;
};

// now_ms: the book's start time (kick-offs are placed around it).
Config demo_config(int64_t now_ms, DemoTokens& tokens_out);

}  // namespace inplay
