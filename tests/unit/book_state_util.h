// What the unit tests that build a BookState by hand share: odds from their
// text, the book's epoch and key TTL, and the first match most of them
// play on.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "engine/book_state.h"

namespace inplay::test_util {

inline constexpr int64_t kTtl = 3'600'000'000'000;             // an hour, in ns
inline constexpr int64_t kT0 = 1'800'000'000'000'000'000;      // the book's epoch, in ns

inline Odds odds(const char* s) {
  Odds o;
  EXPECT_TRUE(Odds::parse(s, o)) << s;
  return o;
}

// A GBP book with event 1 (Arsenal v Chelsea, EPL, in play) and its market
// 101, match result: 1011 home, 1012 draw, 1013 away. No money, no prices.
inline std::unique_ptr<BookState> arsenal_chelsea() {
  auto s = std::make_unique<BookState>(Currency::of("GBP"), kTtl);
  s->book.add_event(Event{1, "football", "EPL", "Arsenal", "Chelsea", 0, EventState::kInPlay, {}, {}});
  Market m;
  m.id = 101;
  m.event_id = 1;
  s->book.add_market(m);
  s->book.add_selection(Selection{1011, 101, "home", {}});
  s->book.add_selection(Selection{1012, 101, "draw", {}});
  s->book.add_selection(Selection{1013, 101, "away", {}});
  return s;
}

// arsenal_chelsea() and market 102, total goals 2.5: 1021 over, 1022 under.
inline std::unique_ptr<BookState> arsenal_chelsea_with_goals() {
  auto s = arsenal_chelsea();
  Market m;
  m.id = 102;
  m.event_id = 1;
  m.type = MarketType::kTotalGoals;
  m.line_quarters = 10;
  s->book.add_market(m);
  s->book.add_selection(Selection{1021, 102, "over", {}});
  s->book.add_selection(Selection{1022, 102, "under", {}});
  return s;
}

}  // namespace inplay::test_util
