#include "playbook/budget_guard_timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace inplay {

bool incident_concerns_guard(const Incident& inc, const std::vector<const AlertGroup*>& groups,
                             const GuardedSlice& guarded) {
  if (inc.status == "resolved") return false;
  for (const AlertGroup* g : groups)
    for (auto& [fp, a] : g->alerts) {
      if (a.ends_ns || a.label("slo") != guarded.slo) continue;
      const std::string on = a.label(guarded.label);
      if (on.empty() || on == guarded.value) return true;
    }
  const std::set<uint64_t> acted(guarded.markets.begin(), guarded.markets.end());
  return std::any_of(inc.markets.begin(), inc.markets.end(), [&](uint64_t m) { return acted.count(m) > 0; });
}

std::string guard_tightened_line(const IncidentAction& a, const std::string& why, int64_t now_ns) {
  std::string since;
  if (a.at_ns && a.at_ns < now_ns)
    since = fmt::format("; in force for {:.0f} s", static_cast<double>(now_ns - a.at_ns) / 1e9);
  return fmt::format("{}: {} by {} ({}{})", a.status, a.detail, a.actor, why, since);
}

std::string guard_relaxed_line(const IncidentAction& a, const BudgetGuardSpec& bg) {
  const std::string why = fmt::format("burn under {:g}x for {} s", bg.relax_below, bg.relax_after_s);
  if (a.status == "reverted") return fmt::format("relaxed: {} by {} ({})", a.detail, a.actor, why);
  if (a.status == "revert_failed") return fmt::format("relax failed: {} by {} ({})", a.detail, a.actor, why);
  if (a.status == "dry_run")
    return fmt::format("dry run: would relax {} on {} ({})", action_type_name(a.spec.type), a.target.describe(), why);
  return "";  // it changed nothing (failed, not needed): nothing to relax
}

}  // namespace inplay
