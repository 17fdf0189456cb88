// Incident: what one grouped alert became (INC-1, INC-3). It opens when a
// group first notifies, carries the business impact (markets, exposure,
// High Exposure), the slice that hurts (BEY-1), the actions taken (automatic
// or manual, with their guard-rail status) and a timeline in the NIST
// incident-handling steps: detect, contain, recover, learn. The learn step
// is a generated post-mortem skeleton in Markdown. An operator may publish
// a note from it on the public status page (support/status_note.h), which
// comes down when the incident resolves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "alert/alert.h"
#include "core/money.h"
#include "playbook/action_port.h"
#include "playbook/playbook_spec.h"
#include "support/status_note.h"

namespace inplay {

struct TimelineEntry {
  int64_t at_ns = 0;
  std::string step;  // detect, contain, recover, learn
  std::string what;
};

struct IncidentAction {
  uint64_t id = 0;
  std::string playbook;  // "" for a manual action
  ActionSpec spec;
  ActionTarget target;
  // pending_approval, done, not_needed (nothing to change), dry_run, failed, skipped_rate_limit,
  // skipped_cooldown, reverted, revert_failed
  std::string status;
  std::string actor;
  std::string detail;  // what it did, or why not
  int64_t at_ns = 0;
  int64_t reverted_ns = 0;
  bool automatic = true;
  bool revert_on_resolve = true;
  ActionOutcome outcome;
  ErrorCode error = ErrorCode::kInternal;  // why it failed (status failed)
};

struct Incident {
  uint64_t id = 0;
  std::string group_key;
  LabelSet group_labels;
  // Groups that joined it by a causal rule (PlaybookFile::correlate): one
  // cause, one page. The incident recovers once none of its groups fires.
  std::vector<std::string> joined_groups;
  std::string title;
  std::string severity;
  std::string status = "open";  // open, recovering, resolved
  bool high_exposure = false;
  // The impact (playbook/incident_impact.h, the one place it is computed):
  // the markets it concerns and the peak live liability on them.
  int64_t exposure_minor = 0;
  std::vector<uint64_t> markets;
  std::vector<std::string> alerts;   // alert names seen, in order
  std::string slice;                 // "league=EPL (95% of bad, 2% of good), ..."
  bool slice_from_traces = false;    // false: from the alerts' labels, still looking
  int64_t slice_checked_ns = 0;
  std::vector<std::string> trace_ids;  // example bad traces
  int64_t fault_ns = 0;      // earliest start of its alerts
  int64_t opened_ns = 0;     // first notification (detect)
  int64_t contained_ns = 0;  // first action done
  int64_t recovered_ns = 0;  // alerts resolved
  int64_t resolved_ns = 0;   // stayed resolved; actions reverted
  std::vector<TimelineEntry> timeline;
  std::vector<IncidentAction> actions;
  StatusNote status_note;  // on the public status page while published and unresolved
};

// The learn step: a Markdown post-mortem skeleton (summary, impact, the
// slice, the timeline, the actions, trace links, and the questions a review
// must answer). Money in the book's currency (format_money).
std::string postmortem_markdown(const Incident& i, Currency currency);

}  // namespace inplay
