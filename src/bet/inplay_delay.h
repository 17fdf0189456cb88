// The in-play delay a bet or a cash-out on a market waits now (BET-1):
// the sport's configured delay plus the market's extra delay (a playbook's
// or an operator's, INC-2, BEY-5); 0 unless the market's event is in play.
// Engine thread (reads the book).
#pragma once
#include <cstdint>

#include "engine/engine_config.h"
#include "market/book.h"

namespace inplay {

inline int64_t inplay_delay_ns(const EngineConfig& cfg, const Book& book, uint64_t market_id) {
  const Market* m = book.market(market_id);
  const Event* ev = m ? book.event(m->event_id) : nullptr;
  if (!ev || ev->state != EventState::kInPlay) return 0;
  int64_t ns = 0;
  if (auto d = cfg.inplay_delay.find(ev->sport); d != cfg.inplay_delay.end() && d->second.count() > 0) ns = d->second.count();
  return ns + m->extra_delay_ms * 1'000'000;
}

}  // namespace inplay
