// Demo: the built-in world of `inplay demo` — a few EPL and Championship
// matches (some in play, some about to kick off) with match result, total
// goals 2.5 and both-teams-to-score markets priced live by the simulated
// world's primary feed (backup and reference feeds connected too), demo
// accounts with money, and a fresh channel and operator token.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "app/config.h"

namespace inplay {

struct DemoTokens {
  std::string channel;
  std::string operator_;
};

// now_ms: the book's start time (kick-offs are placed around it).
Config demo_config(int64_t now_ms, DemoTokens& tokens_out);

// The simulated world's market layout for football event `event_id` (the
// ids the simulated providers price, sim/feed_provider.h): e*100+1 match
// result (home, draw, away), +2 total goals 2.5 (over, under), +3 both teams
// to score (yes, no); selection ids market*10+1.. in that order. `opening`:
// the seven opening prices in that order.
std::vector<MarketConfig> football_markets(uint64_t event_id, const std::array<Odds, 7>& opening);
// A football event of that world: its teams, kick-off and state, with the
// markets above at their opening prices (goal rates left at their defaults).
EventConfig football_event(uint64_t event_id, std::string league, std::string home, std::string away,
                           int64_t kickoff_ms, EventState state, const std::array<Odds, 7>& opening);
// The football-primary, -backup and -reference feeds the book connects to
// the simulated world with.
std::vector<FeedConfig> simulated_football_feeds();

}  // namespace inplay
