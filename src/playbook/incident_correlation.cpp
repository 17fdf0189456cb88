#include "playbook/incident_correlation.h"

#include <fmt/format.h>

namespace inplay {

std::optional<CorrelatedGroup> find_correlated_group(
    const std::vector<CorrelationRule>& rules, const AlertGroup& g, const std::map<std::string, AlertGroup>& firing,
    const std::function<bool(const std::string& key, const CorrelationRule& rule)>& eligible) {
  for (const CorrelationRule& rule : rules) {
    for (int side = 0; side < 2; ++side) {
      const LabelSet& mine = side == 0 ? rule.effect : rule.cause;
      const LabelSet& theirs = side == 0 ? rule.cause : rule.effect;
      for (auto& [fp, a] : g.alerts) {
        if (a.ends_ns || !alert_matches(a, mine)) continue;
        for (auto& [key, other] : firing) {
          if (key == g.key || !eligible(key, rule)) continue;
          for (auto& [ofp, b] : other.alerts) {
            if (b.ends_ns || !alert_matches(b, theirs)) continue;
            bool same = true;
            for (auto& l : rule.equal) same = same && a.label(l) == b.label(l);
            if (!same) continue;
            return CorrelatedGroup{key, fmt::format("{} {} {} (playbook correlate: one cause, one page)", a.name,
                                                    side == 0 ? "is caused by" : "causes", b.name)};
          }
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace inplay
