// Incident correlation (issue 17 item 5): one cause, one page. A group of
// alerts about to open an incident is checked against the playbook file's
// causal rules (CorrelationRule: cause, effect, equal, within): if one of
// its live alerts matches one side of a rule and a live alert of another
// firing group matches the other side, with the rule's `equal` labels
// agreeing, the group belongs to that other group's incident. Either side
// may have fired first. Pure; the runner's thread.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_pipeline.h"
#include "playbook/playbook_spec.h"

namespace inplay {

struct CorrelatedGroup {
  std::string group_key;  // the firing group whose incident `g` joins
  std::string why;        // "market_bet_surge causes slo_burn (...)", for the timeline
};

// `eligible(key, rule)`: whether that group's incident may take `g` now
// (open, opened within the rule's window).
std::optional<CorrelatedGroup> find_correlated_group(
    const std::vector<CorrelationRule>& rules, const AlertGroup& g, const std::map<std::string, AlertGroup>& firing,
    const std::function<bool(const std::string& key, const CorrelationRule& rule)>& eligible);

}  // namespace inplay
