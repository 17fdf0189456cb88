// PlaybookRunner's operator commands (contract in playbook/playbook_runner.h):
// what a person asks of the incidents — trigger an action by hand, approve
// one waiting for approval, revert one, publish or clear an incident's note
// on the status page. The runner's own loop (alerts in, incidents, playbooks,
// the budget guard) is playbook/playbook_runner.cpp.
#include <fmt/format.h>

#include "playbook/playbook_runner.h"

namespace inplay {

Result<IncidentAction*> PlaybookRunner::find_action(uint64_t incident_id, uint64_t action_id) {
  std::vector<IncidentAction>* list = &manual_;
  if (incident_id) {
    auto it = incidents_.find(incident_id);
    if (it == incidents_.end()) return Error{ErrorCode::kIncidentNotFound, "unknown incident"};
    list = &it->second.actions;
  }
  for (auto& a : *list)
    if (a.id == action_id) return &a;
  return Error{ErrorCode::kActionNotFound, "unknown action"};
}

Result<uint64_t> PlaybookRunner::trigger(const ActionSpec& spec, const ActionTarget& t, const std::string& actor,
                                         uint64_t incident_id, int64_t now_ns) {
  Incident* inc = nullptr;
  if (incident_id) {
    auto it = incidents_.find(incident_id);
    if (it == incidents_.end()) return Error{ErrorCode::kIncidentNotFound, "unknown incident"};
    inc = &it->second;
  }
  IncidentAction a;
  a.id = next_action_++;
  a.spec = spec;
  a.target = t;
  a.actor = actor;
  a.automatic = false;
  a.revert_on_resolve = false;  // an operator's action stays until an operator reverts it
  auto& list = inc ? inc->actions : manual_;
  list.push_back(std::move(a));
  execute(now_ns, inc, list.back());
  port_.audit("operator_action", incident_id ? fmt::format("incident:{}", incident_id) : t.describe(), actor,
              fmt::format("{} on {}: {} ({})", action_type_name(spec.type), t.describe(), list.back().status,
                          list.back().detail));
  if (list.back().status == "failed") return Error{list.back().error, list.back().detail};
  return list.back().id;
}

Result<bool> PlaybookRunner::approve(uint64_t incident_id, uint64_t action_id, const std::string& actor,
                                     int64_t now_ns) {
  Result<IncidentAction*> found = find_action(incident_id, action_id);
  if (!found) return found.error();
  IncidentAction* a = found.value();
  if (a->status != "pending_approval") return Error{ErrorCode::kActionStateConflict, "the action is not waiting for approval"};
  port_.audit("action_approved", fmt::format("incident:{}", incident_id), actor,
              fmt::format("{} on {}", action_type_name(a->spec.type), a->target.describe()));
  a->actor = actor;
  Incident* inc = incident_id ? &incidents_.at(incident_id) : nullptr;
  execute(now_ns, inc, *a);
  return a->status == "done";
}

Result<bool> PlaybookRunner::revert(uint64_t incident_id, uint64_t action_id, const std::string& actor,
                                    int64_t now_ns) {
  Result<IncidentAction*> found = find_action(incident_id, action_id);
  if (!found) return found.error();
  IncidentAction* a = found.value();
  if (a->status != "done") return Error{ErrorCode::kActionStateConflict, "only a done action can be reverted"};
  bool ok = do_revert(now_ns, *a, actor);
  port_.audit("action_reverted", incident_id ? fmt::format("incident:{}", incident_id) : a->target.describe(), actor,
              fmt::format("{} on {}: {}", action_type_name(a->spec.type), a->target.describe(), a->detail));
  if (incident_id)
    incidents_.at(incident_id)
        .timeline.push_back({now_ns, "recover", fmt::format("{} by {}: {}", ok ? "reverted" : "revert failed", actor, a->detail)});
  if (!ok) return Error{ErrorCode::kActionStateConflict, a->detail};
  return true;
}

Result<bool> PlaybookRunner::publish_status_note(uint64_t incident_id, PublicStatus status, const std::string& message,
                                                 const std::string& actor, int64_t now_ns) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end()) return Error{ErrorCode::kIncidentNotFound, "unknown incident"};
  Incident& inc = it->second;
  if (inc.status == "resolved")
    return Error{ErrorCode::kIncidentResolved, "the incident is resolved: its note is off the status page"};
  StatusNote& n = inc.status_note;
  const bool replaced = n.published();
  if (!replaced) n.published_ns = now_ns;
  n.message = message;
  n.status = status;
  n.updated_ns = now_ns;
  n.actor = actor;
  inc.timeline.push_back({now_ns, "contain",
                          fmt::format("status-page note {} by {} ({}): {}", replaced ? "replaced" : "published", actor,
                                      public_status_name(status), message)});
  port_.audit("status_note_published", fmt::format("incident:{}", incident_id), actor,
              fmt::format("{}: {}", public_status_name(status), message));
  return true;
}

Result<bool> PlaybookRunner::clear_status_note(uint64_t incident_id, const std::string& actor, int64_t now_ns) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end()) return Error{ErrorCode::kIncidentNotFound, "unknown incident"};
  Incident& inc = it->second;
  if (!inc.status_note.published()) return false;
  inc.status_note = StatusNote{};
  inc.timeline.push_back({now_ns, inc.status == "open" ? "contain" : "recover",
                          fmt::format("status-page note taken down by {}", actor)});
  port_.audit("status_note_cleared", fmt::format("incident:{}", incident_id), actor, "");
  return true;
}

}  // namespace inplay
