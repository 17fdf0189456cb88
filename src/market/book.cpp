#include "market/book.h"

#include <fmt/format.h>

#include <cctype>
#include <stdexcept>

namespace inplay {

const char* market_type_name(MarketType t) {
  switch (t) {
    case MarketType::kMatchResult: return "match_result";
    case MarketType::kTotalGoals: return "total_goals";
    case MarketType::kBothTeamsToScore: return "btts";
    case MarketType::kAsianHandicap: return "asian_handicap";
    case MarketType::kDoubleChance: return "double_chance";
    case MarketType::kDrawNoBet: return "draw_no_bet";
    case MarketType::kCorrectScore: return "correct_score";
  }
  return "unknown";
}

bool parse_market_type(std::string_view s, MarketType& out) {
  for (auto t : {MarketType::kMatchResult, MarketType::kTotalGoals, MarketType::kBothTeamsToScore,
                 MarketType::kAsianHandicap, MarketType::kDoubleChance, MarketType::kDrawNoBet,
                 MarketType::kCorrectScore})
    if (s == market_type_name(t)) {
      out = t;
      return true;
    }
  return false;
}

bool market_type_has_line(MarketType t) {
  return t == MarketType::kTotalGoals || t == MarketType::kAsianHandicap;
}

const char* market_period_name(MarketPeriod p) {
  return p == MarketPeriod::kFirstHalf ? "first_half" : "full_time";
}

const char* market_status_name(MarketStatus s) {
  switch (s) {
    case MarketStatus::kOpen: return "open";
    case MarketStatus::kSuspended: return "suspended";
    case MarketStatus::kClosed: return "closed";
    case MarketStatus::kSettled: return "settled";
  }
  return "unknown";
}

const char* event_state_name(EventState s) {
  switch (s) {
    case EventState::kPreMatch: return "pre_match";
    case EventState::kInPlay: return "in_play";
    case EventState::kEnded: return "ended";
  }
  return "unknown";
}

bool parse_market_status(std::string_view s, MarketStatus& out) {
  for (auto v : {MarketStatus::kOpen, MarketStatus::kSuspended, MarketStatus::kClosed,
                 MarketStatus::kSettled})
    if (s == market_status_name(v)) {
      out = v;
      return true;
    }
  return false;
}

namespace {

// A line in quarter goals as a bookmaker writes it: "2.5", "-0.75", "+1", "0".
std::string line_text(int32_t quarters, bool sign) {
  const int32_t q = quarters < 0 ? -quarters : quarters;
  const char* frac = q % 4 == 0 ? "" : q % 4 == 1 ? ".25" : q % 4 == 2 ? ".5" : ".75";
  const char* s = quarters < 0 ? "-" : (sign && quarters > 0 ? "+" : "");
  return fmt::format("{}{}{}", s, q / 4, frac);
}

std::string type_title(const Market& m) {
  switch (m.type) {
    case MarketType::kMatchResult: return "Match result";
    case MarketType::kTotalGoals: return "Total goals " + line_text(m.line_quarters, false);
    case MarketType::kBothTeamsToScore: return "Both teams to score";
    case MarketType::kAsianHandicap: return "Asian handicap " + line_text(m.line_quarters, true);
    case MarketType::kDoubleChance: return "Double chance";
    case MarketType::kDrawNoBet: return "Draw no bet";
    case MarketType::kCorrectScore: return "Correct score";
  }
  return "";
}

}  // namespace

std::string Market::name() const {
  std::string t = type_title(*this);
  if (period != MarketPeriod::kFirstHalf) return t;
  t[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(t[0])));
  return "1st half " + t;
}

Event& Book::add_event(Event e) {
  if (events_.count(e.id)) throw std::invalid_argument(fmt::format("duplicate event id {}", e.id));
  event_order_.push_back(e.id);
  return events_[e.id] = std::move(e);
}

Market& Book::add_market(Market m) {
  auto ev = events_.find(m.event_id);
  if (ev == events_.end()) throw std::invalid_argument(fmt::format("market {}: unknown event", m.id));
  if (markets_.count(m.id)) throw std::invalid_argument(fmt::format("duplicate market id {}", m.id));
  ev->second.markets.push_back(m.id);
  return markets_[m.id] = std::move(m);
}

Selection& Book::add_selection(Selection s) {
  auto m = markets_.find(s.market_id);
  if (m == markets_.end())
    throw std::invalid_argument(fmt::format("selection {}: unknown market", s.id));
  if (selections_.count(s.id) || markets_.count(s.id) || events_.count(s.id))
    throw std::invalid_argument(fmt::format("duplicate selection id {}", s.id));
  m->second.selections.push_back(s.id);
  return selections_[s.id] = std::move(s);
}

template <class M>
static auto* find_in(M& map, uint64_t id) {
  auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

Event* Book::event(uint64_t id) { return find_in(events_, id); }
Market* Book::market(uint64_t id) { return find_in(markets_, id); }
Selection* Book::selection(uint64_t id) { return find_in(selections_, id); }
const Event* Book::event(uint64_t id) const { return find_in(events_, id); }
const Market* Book::market(uint64_t id) const { return find_in(markets_, id); }
const Selection* Book::selection(uint64_t id) const { return find_in(selections_, id); }

bool Book::apply_price(uint64_t selection_id, Odds odds, int64_t provider_ts_ms, int64_t applied_ns) {
  Selection* s = selection(selection_id);
  if (!s) return false;
  s->price.odds = odds;
  s->price.version += 1;
  s->price.provider_ts_ms = provider_ts_ms;
  s->price.applied_ns = applied_ns;
  Market* m = market(s->market_id);
  if (applied_ns > m->last_update_ns) m->last_update_ns = applied_ns;
  m->price_ts_ns = price_time_ns(provider_ts_ms, applied_ns);
  return true;
}

bool Book::set_status(uint64_t market_id, MarketStatus st, std::string reason, std::string actor) {
  Market* m = market(market_id);
  if (!m) return false;
  m->status = st;
  ++m->offer_epoch;  // every cash-out offer on it is withdrawn
  m->status_reason = std::move(reason);
  m->status_actor = std::move(actor);
  return true;
}

bool Book::set_stake_cap(uint64_t market_id, int64_t cap_minor) {
  Market* m = market(market_id);
  if (!m) return false;
  m->stake_cap_minor = cap_minor;
  return true;
}

bool Book::set_event_state(uint64_t event_id, EventState st) {
  Event* e = event(event_id);
  if (!e) return false;
  e->state = st;
  return true;
}

}  // namespace inplay
