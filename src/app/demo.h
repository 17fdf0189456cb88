// Demo: the built-in world of `inplay demo` — a few EPL and Championship
// matches (some in play, some about to kick off) with match result, total
// goals 2.5 and both-teams-to-score markets priced live by the simulated
// world's primary feed (backup and reference feeds connected too), demo
// accounts with money, and a fresh channel and operator token.
#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "app/config.h"

namespace inplay {

// The demo's channel and operator tokens, its pseudonym secret and its audit
// chain secret (a file kept before the chain was keyed gets one added). Kept in
// <data_dir>/demo-tokens (mode 0600) so a restart on the same data dir keeps
// them (the curl lines a user has typed still work, pseudonyms stay the
// same); a fresh data dir makes new ones.
struct DemoTokens {
  std::string channel;
  std::string operator_;
  std::string pseudonym_secret;
  std::string audit_chain_secret;
};
// Reads the kept tokens, or makes and keeps new ones. Throws
// std::runtime_error on an unreadable or malformed file.
DemoTokens demo_tokens(const std::filesystem::path& data_dir);

// The demo world. Kick-offs are relative to the book's first start
// (EventConfig::kickoff_in_ms, placed by the runtime: app/book_start.h).
// High Exposure at £250 of liability on an incident's markets (the shipped
// playbooks say £100,000; the demo's crowd reaches a few hundred pounds on a
// league's markets within its first half minute).
Config demo_config(const DemoTokens& tokens);
inline constexpr int64_t kDemoHighExposureMinor = 250'00;

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
// The demo's further markets for an event (issue 14), priced by the
// simulated providers off the score grid: e*100+40 Asian handicap home -0.25
// (quarter), +41 Asian handicap home -1 (whole), +42 total goals 2.25
// (quarter), +43 double chance, +44 draw no bet, +45 correct score (0-0..3-3,
// other), +46 first-half match result, +47 first-half total goals 1.5;
// selection ids 1,000,000 + market*100 + 1.. (ids stay unique across
// events, markets and selections for events up to 99). Opening prices from
// the score grid of the expected goals (the first half carrying 45% of them,
// as the goal model's rising rate does) under the book's default margins
// (pricing/margin.h).
std::vector<MarketConfig> more_football_markets(uint64_t event_id, double lambda_home, double lambda_away);
// The football-primary, -backup and -reference feeds the book connects to
// the simulated world with.
std::vector<FeedConfig> simulated_football_feeds();

}  // namespace inplay
