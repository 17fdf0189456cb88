#include "market/price_readiness.h"

#include "telemetry/log.h"

namespace inplay {

PriceReadiness::PriceReadiness(int64_t started_mono_ns, Nanos within, bool enforce)
    : deadline_mono_ns_(started_mono_ns + within.count()), ready_(!enforce) {}

bool PriceReadiness::ready(const Book& book, TimePoint now, int64_t mono_now_ns, size_t* stale_out) {
  if (stale_out) *stale_out = 0;
  if (ready_) return true;
  size_t stale = 0;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->state == EventState::kEnded) continue;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      if (m->status == MarketStatus::kOpen && book.is_stale(*m, to_ns(now))) ++stale;
    }
  }
  if (stale == 0) {
    ready_ = true;
    return true;
  }
  if (mono_now_ns >= deadline_mono_ns_) {
    log::warn("readiness", "ready with stale prices: the feed did not refresh them in time; their bets are refused",
              {{"stale_markets", static_cast<uint64_t>(stale)}});
    ready_ = true;
    return true;
  }
  if (stale_out) *stale_out = stale;
  return false;
}

}  // namespace inplay
