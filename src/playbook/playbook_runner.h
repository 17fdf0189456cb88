// PlaybookRunner: turns grouped alerts into incidents and actions (INC-1..3,
// BEY-5), on the engine thread, once a second after the alert pipeline.
//
//  - A firing notification of a group opens an incident (detect) or updates
//    the open one of that group; every playbook whose matchers fit one of the
//    group's alerts runs its actions on the group's target (the sport for
//    switch_feed, the group's markets — or its league's — for the rest).
//    Markets that join the group later get the market-scoped actions too.
//  - Guard rails: at most max_actions automatic actions per window (the
//    rest are recorded as skipped_rate_limit), a cool-down per playbook and
//    target, dry run (recorded, nothing changes), approval (recorded as
//    pending_approval until an operator approves).
//  - A resolved notification moves the incident to recovering; if the group
//    stays quiet for revert_after (hysteresis) its revertible actions are
//    undone and the incident resolves with its post-mortem (learn). A revert
//    the port says must wait (a feed not back on time for its hold period)
//    keeps the incident recovering until it can run. If the group fires
//    again first, the same incident continues.
//  - An action that found nothing to change is recorded not_needed, never
//    done.
//  - An action marked if_previous_failed runs only while the one before it
//    in its playbook has failed (no healthy feed to switch to: suspend the
//    league instead) and is undone when that one succeeds on a retry.
//  - A shed_load is lifted once its own playbook's alerts have been quiet
//    for revert_after, though the group still fires (shedding with its
//    trigger quiet sheds ordinary load); it sheds again if they come back.
//  - Alerts that name no market, league or sport are about the whole book:
//    shed_load then sets the book's intake limit; the other market-scoped
//    actions have no book-wide form and do not run.
//  - Budget guards: while an SLO's slice burns over tighten_above, stake caps
//    and extra delay are set on that slice's markets; when the burn stays
//    under relax_below for relax_after they are relaxed (restored). Their
//    actions are not an incident's (none reverts them on resolve), but the
//    timeline of every open incident they concern says what they did and
//    when they relaxed (playbook/budget_guard_timeline.h).
//  - Operators trigger, approve and revert through the same port; every
//    decision goes to the audit log via ActionPort::audit.
//  - Operators publish an incident's note on the public status page and take
//    it down (timeline and audit say who); it comes down by itself when the
//    incident resolves. A note never acts on the book.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "alert/alert_pipeline.h"
#include "playbook/action_port.h"
#include "playbook/budget_guard_timeline.h"
#include "playbook/incident.h"
#include "playbook/playbook_spec.h"
#include "slo/slo_evaluator.h"

namespace inplay {

class PlaybookRunner {
 public:
  // Names the slice that hurts from the traces since `since_ns`: summary
  // text ("" when nothing stands out) and example bad trace ids (the app
  // wires this to the slice finder). Asked when an incident opens and every
  // 5 s while it is open until traces name a slice; until then the slice is
  // the labels its alerts share.
  using SliceFn = std::function<std::pair<std::string, std::vector<std::string>>(int64_t since_ns)>;

  PlaybookRunner(PlaybookFile file, ActionPort& port);
  void set_slice_finder(SliceFn fn) { slice_ = std::move(fn); }

  void on_notifications(int64_t now_ns, const std::vector<Notification>& notes);
  // Every tick: the live groups. Playbooks act on a group's current alerts
  // at once, without waiting for its next notification (group_interval
  // paces pages to humans, not the book's own hands).
  void on_groups(int64_t now_ns, const std::map<std::string, AlertGroup>& groups);
  // Reverts due after hysteresis; budget guards.
  void tick(int64_t now_ns, const std::vector<SloStatus>& slos);

  // Operator API (actor "operator:<token>"). incident 0: not tied to one.
  Result<uint64_t> trigger(const ActionSpec& a, const ActionTarget& t, const std::string& actor,
                           uint64_t incident_id, int64_t now_ns);
  Result<bool> approve(uint64_t incident_id, uint64_t action_id, const std::string& actor, int64_t now_ns);
  Result<bool> revert(uint64_t incident_id, uint64_t action_id, const std::string& actor, int64_t now_ns);
  // The incident's status-page note, published or replaced (published_ns
  // kept); INCIDENT_RESOLVED once the incident is resolved.
  Result<bool> publish_status_note(uint64_t incident_id, PublicStatus status, const std::string& message,
                                   const std::string& actor, int64_t now_ns);
  // Takes the note down; true when there was one (none: nothing to do).
  Result<bool> clear_status_note(uint64_t incident_id, const std::string& actor, int64_t now_ns);

  // After a restart, before the first tick: the incidents the journal kept.
  // One still open waits restore_grace_ns for its alerts to fire again (the
  // same incident continues, no second one); if they do not, it moves to
  // recovering and resolves after revert_after like any other.
  void restore(std::vector<Incident> incidents, int64_t now_ns);
  static constexpr int64_t kRestoreGraceNs = 30'000'000'000;

  const std::map<uint64_t, Incident>& incidents() const { return incidents_; }
  // fn(incident) for each incident not yet resolved: the incident loop's
  // figures from the book the runner does not see (playbook/incident_impact.h).
  void update_unresolved(const std::function<void(Incident&)>& fn) {
    for (auto& [id, inc] : incidents_)
      if (inc.status != "resolved") fn(inc);
  }
  const Incident* incident(uint64_t id) const;
  const PlaybookFile& file() const { return file_; }
  // Manual actions not tied to an incident.
  const std::vector<IncidentAction>& manual_actions() const { return manual_; }
  uint64_t actions_total() const { return actions_total_; }

 private:
  struct GuardState {
    bool tightened = false;
    int64_t calm_since_ns = 0;
    std::vector<IncidentAction> actions;
    GuardedSlice slice;       // what it tightened
    std::string why;          // "accept_latency burns 8.1x on league=EPL"
    std::set<uint64_t> told;  // incidents whose timeline has its actions
  };
  Incident& open_incident(int64_t now_ns, const Notification& n);
  void find_slice(int64_t now_ns, Incident& inc);
  void run_playbooks(int64_t now_ns, Incident& inc, const Notification& n);
  // Whether the action before pb.actions[k] last failed in this incident.
  bool previous_failed(const Incident& inc, const PlaybookSpec& pb, size_t k) const;
  // Reverts the fallbacks of `succeeded`'s playbook (it worked on a retry).
  void undo_fallbacks(int64_t now_ns, Incident& inc, const IncidentAction& succeeded);
  // Lifts an open incident's shed_load whose own trigger went quiet.
  void lift_quiet_sheds(int64_t now_ns, Incident& inc);
  // Writes a tightened guard's actions in the timelines of the open
  // incidents it concerns that do not have them yet.
  void tell_incidents(int64_t now_ns, GuardState& gs);
  // A failed automatic feed switch, tried again (see run_playbooks).
  void retry(int64_t now_ns, Incident& inc, IncidentAction& a);
  void execute(int64_t now_ns, Incident* inc, IncidentAction& a);
  bool do_revert(int64_t now_ns, IncidentAction& a, const std::string& actor);
  // Undoes an incident's revertible actions; false while one must wait (a
  // feed not back on time for long enough): the incident stays recovering.
  bool revert_all(int64_t now_ns, Incident& inc);
  // An operator's action: on incident_id (0: the manual ones). Errors:
  // INCIDENT_NOT_FOUND, ACTION_NOT_FOUND.
  Result<IncidentAction*> find_action(uint64_t incident_id, uint64_t action_id);
  // The open incident a new group joins by a causal rule (nullptr: none),
  // and the rule's text for its timeline.
  Incident* correlated(int64_t now_ns, const AlertGroup& g, std::string& why);
  bool allow_automatic(int64_t now_ns);     // room in the guard's window: takes it
  bool room_for_automatic(int64_t now_ns);  // the same check, taking nothing

  PlaybookFile file_;
  ActionPort& port_;
  SliceFn slice_;
  std::map<uint64_t, Incident> incidents_;
  std::map<std::string, uint64_t> open_by_group_;  // group key -> incident (open/recovering)
  std::map<std::string, AlertGroup> firing_groups_;  // group key -> the group, while it fires
  std::map<std::string, int64_t> cooldown_until_;  // playbook|target -> ns
  std::deque<int64_t> recent_automatic_;           // guard window
  std::map<std::string, GuardState> guards_;       // slo|label=value
  std::vector<IncidentAction> manual_;
  std::map<uint64_t, int64_t> unconfirmed_;  // restored open incidents -> restart time
  std::set<uint64_t> waiting_reverts_;       // actions whose revert waits (said once in the timeline)
  std::map<uint64_t, int64_t> shed_quiet_since_;  // shed_load action -> its trigger quiet since
  uint64_t next_incident_ = 1;
  uint64_t next_action_ = 1;
  uint64_t actions_total_ = 0;
};

}  // namespace inplay
