#include "playbook/slo_coverage.h"

#include <algorithm>

namespace inplay {

void SloCoverage::observe(int64_t now_ns, const std::vector<SloStatus>& statuses) {
  for (const SloStatus& st : statuses) {
    if (!st.has_data) since_ns_.erase(st.spec->name);  // the period emptied out
    else since_ns_.try_emplace(st.spec->name, now_ns);
  }
}

int64_t SloCoverage::data_s(const SloStatus& st, int64_t now_ns) const {
  auto it = since_ns_.find(st.spec->name);
  if (!st.has_data || it == since_ns_.end()) return 0;
  // The first second with data counts as a second of data.
  return std::min(st.spec->period_s, (now_ns - it->second) / 1'000'000'000 + 1);
}

int64_t SloCoverage::needs_s(const SloSpec& s) {
  int64_t longest = 0;
  for (const BurnAlert& b : s.burn_alerts) longest = std::max(longest, b.long_s);
  return std::min(s.period_s, longest > 0 ? longest : s.period_s);
}

}  // namespace inplay
