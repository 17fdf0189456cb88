// Alert: one alerting condition as the pipeline sees it, in Alertmanager's
// model: a name, identifying labels (service, severity, market_id, league,
// sport, slo, ...), annotations (summary, runbook, slice), a value, and the
// time it started. Two alerts with the same name and labels are the same
// alert (the fingerprint); annotations and value do not change identity.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/json.h"

namespace inplay {

using LabelSet = std::map<std::string, std::string>;

struct Alert {
  std::string name;   // the alertname label
  LabelSet labels;    // without alertname
  LabelSet annotations;
  double value = 0;
  int64_t starts_ns = 0;
  int64_t ends_ns = 0;  // 0 while firing
  std::string source = "inplay";  // "inplay" (built-in) or "alertmanager" (received)

  // 64-bit FNV-1a over the name and the sorted labels (Alertmanager's idea).
  uint64_t fingerprint() const;
  std::string label(const std::string& k) const;  // "" when absent
};

// A matcher set: every key must equal its value ("alertname" matches name).
// "" matches an absent label; "*" any present one (league: "*" is "about
// one league", league: "" "about no league": the whole book).
bool alert_matches(const Alert& a, const LabelSet& matchers);

// `"key":{"label":"value",...}` into w: labels as every JSON view writes them.
void write_labels(JsonWriter& w, std::string_view key, const LabelSet& labels);

}  // namespace inplay
