#include "bet/bet.h"

#include "core/json.h"
#include "core/time_format.h"
#include "telemetry/trace_context.h"

namespace inplay {

const char* bet_status_name(BetStatus s) {
  switch (s) {
    case BetStatus::kAccepted: return "accepted";
    case BetStatus::kWon: return "won";
    case BetStatus::kLost: return "lost";
    case BetStatus::kVoid: return "void";
  }
  return "unknown";
}

std::string bet_json(const BetView& v) {
  const Bet& b = v.bet;
  JsonWriter w;
  w.begin_object();
  w.field("bet_id", std::to_string(b.id));
  w.field("status", bet_status_name(b.status));
  w.field("account", v.account_id);
  w.field("event_id", b.event_id).field("market_id", b.market_id);
  w.field("selection_id", b.selection_id);
  w.field("stake", b.stake_minor).field("currency", v.currency);
  w.field("odds", b.odds.str()).field("odds_requested", b.odds_requested.str());
  w.field("price_change", price_change_policy_name(b.policy));
  w.field("potential_payout", payout_minor(b.stake_minor, b.odds));
  w.field("placed_at", rfc3339_ms(b.placed_ns)).field("accepted_at", rfc3339_ms(b.accepted_ns));
  w.field("trace_id", to_hex(b.trace_id));
  w.end_object();
  return w.take();
}

}  // namespace inplay
