#include "hedge/hedge_view.h"

#include "core/time_format.h"

namespace inplay {

std::string hedges_json(const BookState& s, const HedgeDesk* desk, size_t limit) {
  JsonWriter w;
  w.begin_object();
  w.field("enabled", desk != nullptr && desk->active());
  if (desk) {
    const HedgeDesk::VenueHealth& v = desk->venue();
    w.key("venue").begin_object();
    w.field("name", desk->terms().venue).field("sent", v.sent).field("filled", v.filled);
    w.field("rejected", v.rejected).field("failed", v.failed).field("consecutive_failures", v.consecutive_failures);
    w.field("last_error", v.last_error);
    w.end_object();
    w.field("threshold", desk->terms().threshold_minor).field("target", desk->terms().target_minor);
  }
  w.field("currency", s.ledger.currency().code());
  w.field("total", static_cast<uint64_t>(s.hedges.all().size()));
  w.field("open", static_cast<uint64_t>(s.hedges.open_count()));
  w.key("hedges").begin_array();
  size_t n = 0;
  for (auto it = s.hedges.all().rbegin(); it != s.hedges.all().rend() && n < limit; ++it, ++n) {
    const Hedge& h = it->second;
    w.begin_object();
    w.field("hedge_id", std::to_string(h.id)).field("market_id", h.market_id).field("selection_id", h.selection_id);
    w.field("venue", h.venue).field("stake", h.stake_minor).field("odds", Odds{h.odds}.str());
    w.field("worst_case", h.liability_minor).field("status", hedge_status_name(h.status));
    w.field("attempts", desk ? desk->attempts(h.id) : 0);
    w.field("instructed_at", rfc3339_ms(h.instructed_ns));
    if (h.status != HedgeStatus::kOpen) {
      w.field("answered_at", rfc3339_ms(h.answered_ns)).field("detail", h.detail);
      if (h.status == HedgeStatus::kFilled)
        w.field("matched_stake", h.matched_stake_minor).field("matched_odds", Odds{h.matched_odds}.str());
    }
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

void market_hedge_field(JsonWriter& w, const BookState& s, const Market& m) {
  w.key("hedge");
  const Hedge* latest = s.hedges.latest_on(m.id);
  if (!latest) {
    w.null();
    return;
  }
  int64_t matched = 0;
  size_t count = 0;
  for (const Hedge* h : s.hedges.on_market(m.id)) {
    ++count;
    matched += h->matched_stake_minor;
  }
  w.begin_object();
  w.field("status", hedge_status_name(latest->status)).field("hedges", static_cast<uint64_t>(count));
  w.field("matched_stake", matched).field("worst_case", s.hedges.worst_outcome(m, s.exposure).loss_minor);
  w.end_object();
}

}  // namespace inplay
