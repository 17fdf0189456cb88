// Book: the events, markets and selections of the sportsbook with their live
// prices and statuses.
//
// Owned by the engine thread (single writer); nothing here locks. Prices
// carry a version (incremented per update), the provider timestamp and the
// time the book applied them. A market's price age is measured on the
// provider's clock (ODDS-2, ODDS-3): now minus the provider timestamp of its
// latest price, so a feed that is late but steady reads as stale. Book and
// provider clocks are both NTP-synced; a provider timestamp from the future
// is clamped to the moment the price arrived (the feed desk counts it as
// clock skew) and nothing estimates an offset, so no steady delay is ever
// absorbed. The bet path treats a market past its staleness limit as not
// bettable (fail closed). Replay rebuilds the same ages: both times come
// from the journaled event.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/odds.h"
#include "market/scoreboard.h"

namespace inplay {

// The market types the book offers (issue 14). Lined types (total goals,
// Asian handicap) carry their line exactly, in quarter goals; any type may
// be a first-half market (settled on the half-time score).
enum class MarketType : uint8_t {
  kMatchResult,
  kTotalGoals,
  kBothTeamsToScore,
  kAsianHandicap,  // the line is the home side's handicap; away backs its negation
  kDoubleChance,   // home_draw | home_away | draw_away: two outcomes each
  kDrawNoBet,
  kCorrectScore,   // "h-a" up to 3-3, and "other"
};
enum class MarketPeriod : uint8_t { kFullTime, kFirstHalf };
enum class MarketStatus : uint8_t { kOpen, kSuspended, kClosed, kSettled };
enum class EventState : uint8_t { kPreMatch, kInPlay, kEnded };

// "match_result", "total_goals", "btts", "asian_handicap", "double_chance",
// "draw_no_bet", "correct_score".
const char* market_type_name(MarketType t);
bool parse_market_type(std::string_view s, MarketType& out);
bool market_type_has_line(MarketType t);         // total goals, Asian handicap
const char* market_period_name(MarketPeriod p);  // "full_time", "first_half"
const char* market_status_name(MarketStatus s);  // "open", "suspended", ...
const char* event_state_name(EventState s);      // "pre_match", "in_play", "ended"
bool parse_market_status(std::string_view s, MarketStatus& out);

struct Price {
  Odds odds;
  uint64_t version = 0;
  int64_t provider_ts_ms = 0;
  int64_t applied_ns = 0;  // book time when applied
};

// A price's time on the provider's clock, clamped to its arrival (a
// timestamp from the future is the arrival; compared in milliseconds first,
// so a far-future timestamp cannot overflow).
inline int64_t price_time_ns(int64_t provider_ts_ms, int64_t applied_ns) {
  return provider_ts_ms > applied_ns / 1'000'000 ? applied_ns : provider_ts_ms * 1'000'000;
}
inline int64_t price_time_ns(const Price& p) { return price_time_ns(p.provider_ts_ms, p.applied_ns); }

struct Selection {
  uint64_t id = 0;
  uint64_t market_id = 0;
  std::string name;  // "home", "draw", "away", "over", "under", "yes", "no"
  Price price;
};

struct Market {
  uint64_t id = 0;
  uint64_t event_id = 0;
  MarketType type = MarketType::kMatchResult;
  int32_t line_quarters = 0;  // lined types: the line in quarter goals (10 = 2.5, -3 = -0.75); 0 otherwise
  MarketPeriod period = MarketPeriod::kFullTime;
  MarketStatus status = MarketStatus::kOpen;
  std::string status_reason;
  std::string status_actor;  // who set the status: a feed may lift only its own
  std::vector<uint64_t> selections;
  Nanos staleness_limit{1500000000};
  int64_t last_update_ns = 0;   // book time the last price update arrived (RISK-2 confirmation)
  int64_t price_ts_ns = 0;      // provider time of the latest price, clamped to its arrival
  int64_t stake_cap_minor = 0;  // per-bet cap set at run time; 0 = none
  // Run-time controls (operators and playbooks, INC-2):
  bool cashout_frozen = false;     // cash-out offers refused (CO-4)
  std::string cashout_reason, cashout_actor;
  int64_t extra_delay_ms = 0;      // added to the in-play delay of its bets
  int64_t intake_per_second = 0;   // bets per second admitted; 0 = no limit
  // Moves whenever the market's status or cash-out freeze changes: a
  // cash-out offer made at another epoch is withdrawn (cashout/offer_book.h).
  uint64_t offer_epoch = 0;
  std::string name() const;     // "Match result", "Total goals 2.5", "1st half Asian handicap -0.25", ...
};

struct Event {
  uint64_t id = 0;
  std::string sport;   // "football"
  std::string league;  // "EPL"
  std::string home, away;
  int64_t kickoff_ms = 0;
  EventState state = EventState::kPreMatch;
  std::vector<uint64_t> markets;
  Scoreboard scoreboard;
};

class Book {
 public:
  // Structure: added at start-up from config; ids must be unique.
  Event& add_event(Event e);
  Market& add_market(Market m);  // event must exist
  Selection& add_selection(Selection s);  // market must exist

  Event* event(uint64_t id);
  Market* market(uint64_t id);
  Selection* selection(uint64_t id);
  const Event* event(uint64_t id) const;
  const Market* market(uint64_t id) const;
  const Selection* selection(uint64_t id) const;
  const std::vector<uint64_t>& event_ids() const { return event_order_; }

  // Applies a price to a selection: version+1, times recorded, the market's
  // last update (arrival) and price time (provider's, clamped to the
  // arrival) moved. Returns false for an unknown selection.
  bool apply_price(uint64_t selection_id, Odds odds, int64_t provider_ts_ms, int64_t applied_ns);
  // actor: who set it ("operator:<name>", "feed:<feed>", "system:...").
  bool set_status(uint64_t market_id, MarketStatus s, std::string reason, std::string actor = "");
  bool set_stake_cap(uint64_t market_id, int64_t cap_minor);
  bool set_event_state(uint64_t event_id, EventState s);

  // The age of the market's price on the provider's clock (ODDS-3).
  static Nanos price_age(const Market& m, int64_t now_ns) { return Nanos(now_ns - m.price_ts_ns); }
  static bool is_stale(const Market& m, int64_t now_ns) { return price_age(m, now_ns) > m.staleness_limit; }

 private:
  std::unordered_map<uint64_t, Event> events_;
  std::unordered_map<uint64_t, Market> markets_;
  std::unordered_map<uint64_t, Selection> selections_;
  std::vector<uint64_t> event_order_;
};

}  // namespace inplay
