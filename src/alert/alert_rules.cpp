#include "alert/alert_rules.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <unordered_set>

namespace inplay {

std::vector<Alert> AlertRules::evaluate(int64_t now_ns, const std::vector<SignalSample>& samples,
                                        const std::vector<SloStatus>& slos) {
  std::vector<Alert> out;
  std::unordered_set<uint64_t> holding;
  for (auto& spec : catalogue_.alerts) {
    for (auto& s : samples) {
      if (s.signal != spec.signal || !(s.value > spec.above)) continue;
      if (spec.top_markets_only && !s.top) continue;
      Alert a;
      a.name = spec.name;
      a.labels = s.labels;
      a.labels["service"] = spec.service;
      a.labels["severity"] = severity_name(spec.severity);
      uint64_t fp = a.fingerprint();
      holding.insert(fp);
      auto [it, fresh] = since_.try_emplace(fp, now_ns);
      if (now_ns - it->second < spec.for_s * 1000000000LL) continue;
      a.starts_ns = it->second;
      a.value = s.value;
      a.annotations["summary"] = spec.summary;
      a.annotations["runbook"] = spec.runbook;
      out.push_back(std::move(a));
    }
  }
  for (auto& st : slos) {
    if (!st.firing) continue;
    Alert a;
    a.name = "slo_burn";
    a.labels["slo"] = st.spec->name;
    a.labels["service"] = st.spec->service;
    a.labels["severity"] = severity_name(st.severity);
    std::string tiers;
    double worst = 0;
    for (auto& b : st.burns) {
      if (!b.firing) continue;
      tiers += (tiers.empty() ? "" : "+") + b.tier;
      worst = std::max(worst, b.burn_short);
    }
    std::string slice;
    for (auto& sl : st.slices)
      if (sl.firing) slice += (slice.empty() ? "" : ",") + sl.label + "=" + sl.value;
    // A slice label whose bad events all come from one value goes on the
    // alert, so grouping and inhibition can use it (league=EPL burns, the
    // other leagues do not; the parse errors are all football-primary's).
    std::map<std::string, std::set<std::string>> burning;
    for (auto& sl : st.slices)
      if (sl.bad_ratio_long > 0) burning[sl.label].insert(sl.value);
    for (auto& [label, values] : burning)
      if (values.size() == 1) a.labels[label] = *values.begin();
    uint64_t fp = a.fingerprint();
    holding.insert(fp);
    auto [it, fresh] = since_.try_emplace(fp, now_ns);
    a.starts_ns = it->second;
    a.value = worst;
    a.annotations["summary"] =
        fmt::format("SLO {} burns its error budget at {:.1f}x ({})", st.spec->name, worst, tiers);
    a.annotations["tiers"] = tiers;
    a.annotations["runbook"] = st.spec->runbook;
    if (!slice.empty()) a.annotations["slice"] = slice;
    out.push_back(std::move(a));
  }
  for (auto it = since_.begin(); it != since_.end();)
    it = holding.count(it->first) ? std::next(it) : since_.erase(it);
  return out;
}

}  // namespace inplay
