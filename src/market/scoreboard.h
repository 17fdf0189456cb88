// Scoreboard: what the active feed last said of a match (odds_change's
// match_status: docs/feed-protocol.md) — the score, the minute being played
// and the period, as of provider time at_ms — and its one JSON rendering,
// shared by GET /v1/events and the war-room snapshot.
//
// Shown to traders; never used to price or refuse a bet, so it is not
// journaled and not in the state hash: after a restart an event's scoreboard
// is empty until its feed's next odds_change. Plain data; any thread.
#pragma once
#include <cstdint>
#include <string_view>

namespace inplay {

class JsonWriter;

enum class MatchPeriod : uint8_t { kUnknown, kNotStarted, kFirstHalf, kHalfTime, kSecondHalf, kEnded };
// "", "not_started", "first_half", "half_time", "second_half", "ended"
const char* match_period_name(MatchPeriod p);
bool parse_match_period(std::string_view s, MatchPeriod& out);  // never kUnknown

struct Scoreboard {
  bool known = false;
  uint32_t home = 0, away = 0;
  int32_t minute = -1;  // -1: not sent
  MatchPeriod period = MatchPeriod::kUnknown;
  int64_t at_ms = 0;
};

// Writes the fields "score" ({"home","away"}), "minute" and "period" into
// the open object; each null until the feed has said.
void write_scoreboard(JsonWriter& w, const Scoreboard& b);

}  // namespace inplay
