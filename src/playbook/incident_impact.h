// IncidentImpact: an incident's business figures — the markets it concerns
// and the liability on them — computed in this one place, so the war room,
// GET /v1/incidents and the post-mortem say the same thing.
//
//  - Markets: those its alerts named (the group's market_id labels, and
//    those an alert naming none affects, AlertGroup::affected: the markets
//    a fault of the active feed took out, feed_fault_markets), those
//    its actions acted on (a league-wide cash-out freeze names them all),
//    and, for an incident whose alerts name a league but no market (a
//    feed's schema skew on EPL), that league's open or suspended markets —
//    what the alerts are about. A market, once in, stays in.
//  - Liability: the peak, while the incident is unresolved, of the book's
//    live liability summed over those markets (the engine's exposure, in
//    minor units of the book's currency). It only grows, so the incident's
//    journaled snapshot changes only when it does; it is frozen when the
//    incident resolves.
//  - High Exposure: that liability at or over the routing's threshold (or
//    the alert group said so).
//
// The incident loop applies it to every unresolved incident each second,
// after the playbooks ran. Engine thread (reads BookState).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/book_state.h"
#include "playbook/incident.h"

namespace inplay {

struct IncidentImpact {
  std::vector<uint64_t> markets;  // sorted, unique
  int64_t liability_minor = 0;    // live liability on them now
};

IncidentImpact incident_impact(const Incident& inc, const BookState& s);

// The markets a fault of a sport's active feed (down, late, refusing its
// lines; on `league` only when not empty) has taken out of the book now:
// the sport's live markets whose price is past its staleness limit on the
// provider's clock (Book::is_stale), which the book suspends or refuses
// bets on (fail closed). A feed-wide outage stops every price, so all of
// them; a skew on one league, that league's — never the markets the feed
// still prices on time. What an alert about that feed that names no
// market affects (AlertPipeline::set_affected).
std::vector<uint64_t> feed_fault_markets(const Book& book, const std::string& sport, const std::string& league,
                                         int64_t now_ns);

// Merges the impact of now into the incident: markets added, liability
// raised to the peak, High Exposure set at high_exposure_minor.
void apply_impact(Incident& inc, const IncidentImpact& now, int64_t high_exposure_minor);

}  // namespace inplay
