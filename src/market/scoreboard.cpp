#include "market/scoreboard.h"

#include "core/json.h"

namespace inplay {

const char* match_period_name(MatchPeriod p) {
  switch (p) {
    case MatchPeriod::kUnknown: return "";
    case MatchPeriod::kNotStarted: return "not_started";
    case MatchPeriod::kFirstHalf: return "first_half";
    case MatchPeriod::kHalfTime: return "half_time";
    case MatchPeriod::kSecondHalf: return "second_half";
    case MatchPeriod::kEnded: return "ended";
  }
  return "";
}

bool parse_match_period(std::string_view s, MatchPeriod& out) {
  for (auto v : {MatchPeriod::kNotStarted, MatchPeriod::kFirstHalf, MatchPeriod::kHalfTime,
                 MatchPeriod::kSecondHalf, MatchPeriod::kEnded})
    if (s == match_period_name(v)) {
      out = v;
      return true;
    }
  return false;
}

void write_scoreboard(JsonWriter& w, const Scoreboard& b) {
  w.key("score");
  if (b.known) w.begin_object().field("home", uint64_t{b.home}).field("away", uint64_t{b.away}).end_object();
  else w.null();
  w.key("minute");
  if (b.known && b.minute >= 0) w.value(static_cast<int64_t>(b.minute));
  else w.null();
  w.key("period");
  if (b.known && b.period != MatchPeriod::kUnknown) w.value(match_period_name(b.period));
  else w.null();
}

}  // namespace inplay
