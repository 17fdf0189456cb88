// Budget guards in incident timelines (issue 17 item 6): a guard's action
// (BEY-5: a stake cap, an extra in-play delay on a burning league's markets)
// is written in the timeline of every incident it concerns, not only in the
// log, so the incident, its journaled snapshot, the API, the post-mortem and
// the game-day report say what the guard did to the markets at stake.
//
//  - An unresolved incident concerns a guard's slice when one of its
//    groups' live alerts is that SLO burning (label `slo`) on the slice's
//    league or on no league (book-wide), or when the markets it concerns
//    (its impact, playbook/incident_impact.h) overlap the markets the guard
//    acted on.
//  - The lines: a "contain" line per action when the guard tightens (or,
//    for an incident that comes to concern it later, when it does, saying
//    how long the action has been in force) and a "recover" line when the
//    guard relaxes. The runner writes each once per incident
//    (PlaybookRunner::tick); they are ordinary timeline entries, journaled
//    with the incident (incident_codec).
// Pure; the runner's thread.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "alert/alert_pipeline.h"
#include "playbook/incident.h"

namespace inplay {

// The slice a guard tightened and what it acted on.
struct GuardedSlice {
  std::string slo;                // the SLO whose burn it guards
  std::string label, value;       // the slice: league=EPL
  std::vector<uint64_t> markets;  // the markets its actions target
};

// Whether `inc` (whose firing groups are `groups`) concerns the guard's slice.
bool incident_concerns_guard(const Incident& inc, const std::vector<const AlertGroup*>& groups,
                             const GuardedSlice& guarded);

// The "contain" line of a guard's action; `why` says what made it tighten
// ("accept_latency burns 8.1x on league=EPL").
std::string guard_tightened_line(const IncidentAction& a, const std::string& why, int64_t now_ns);

// The "recover" line of a guard's action once the guard relaxed; "" for
// one that changed nothing (failed, not needed): nothing was relaxed.
std::string guard_relaxed_line(const IncidentAction& a, const BudgetGuardSpec& bg);

}  // namespace inplay
