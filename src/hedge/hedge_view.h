// The hedging view (GET /v1/hedges, the war room's "hedging" panel and its
// per-market hedge cell): JSON built on the engine thread from the book's
// HedgeBook and the desk's view of the venue.
#pragma once
#include <cstddef>
#include <string>

#include "core/json.h"
#include "engine/book_state.h"
#include "hedge/hedge_desk.h"

namespace inplay {

// Whether hedging is on, the venue's health, the thresholds, and the
// newest `limit` hedges (newest first). desk may be null (hedging absent).
std::string hedges_json(const BookState& s, const HedgeDesk* desk, size_t limit);

// One market's hedging as a field "hedge" of w's open object: null when the
// market was never hedged, else its latest hedge's status, the number of
// hedges, the stake matched, and the worst case counting them.
void market_hedge_field(JsonWriter& w, const BookState& s, const Market& m);

}  // namespace inplay
