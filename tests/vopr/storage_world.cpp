#include "storage_world.h"

#include <chrono>

namespace inplay::vopr {

void build_world(Book& book) {
  using namespace std::chrono_literals;
  for (uint64_t e : kEvents) {
    const EventState state = e == kInPlayEvent ? EventState::kInPlay : EventState::kPreMatch;
    Event ev;
    ev.id = e;
    ev.sport = "football";
    ev.league = "EPL";
    ev.home = "Home";
    ev.away = "Away";
    ev.state = state;
    book.add_event(std::move(ev));
    Market m;
    m.id = market_of(e);
    m.event_id = e;
    m.type = MarketType::kMatchResult;
    // Prices stay usable across the clock's jumps: staleness is not what
    // this simulation is about.
    m.staleness_limit = std::chrono::duration_cast<Nanos>(std::chrono::hours(24));
    book.add_market(m);
    const char* names[] = {"home", "draw", "away"};
    for (int i = 0; i < 3; ++i) book.add_selection(Selection{selection_of(m.id, i), m.id, names[i], {}});
  }
}

EngineConfig world_engine_config() {
  using namespace std::chrono_literals;
  EngineConfig c;
  c.inplay_delay["football"] = std::chrono::duration_cast<Nanos>(2s);
  c.price_confirm_timeout = std::chrono::duration_cast<Nanos>(1s);
  // A small backlog bound, so that a disk that stays full sheds new work.
  c.max_undurable_bytes = 16 << 10;
  return c;
}

}  // namespace inplay::vopr
