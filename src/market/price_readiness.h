// PriceReadiness: whether the book's prices are fresh enough for /readyz
// after a start (REL-3). A restarted book replays prices that are old by
// the time it listens; until every open market of an event not yet ended
// has a price within its staleness limit (Book::is_stale), each bet on them
// is refused PRICE_STALE, so the book is not ready. Latched: once fresh, a
// later stale price is an incident (alerts, fail closed), not a start-up.
// A feed that never prices some market must not keep the book unready for
// ever: after `within` of wall time since the start it turns ready anyway
// and logs the markets still stale (their bets stay refused, fail closed).
// On the simulated clock time moves only by the API, so the check is off.
// Engine thread only.
#pragma once
#include <cstdint>

#include "core/clock.h"
#include "market/book.h"

namespace inplay {

class PriceReadiness {
 public:
  // started_mono_ns: monotonic time of the start; enforce false: always ready.
  PriceReadiness(int64_t started_mono_ns, Nanos within, bool enforce);
  // Ready now? stale_out: open markets still stale (0 once ready).
  bool ready(const Book& book, TimePoint now, int64_t mono_now_ns, size_t* stale_out = nullptr);

 private:
  int64_t deadline_mono_ns_;
  bool ready_;
};

}  // namespace inplay
