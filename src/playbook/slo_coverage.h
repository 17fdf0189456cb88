// SloCoverage: how much of each SLO's period has data, so an error budget is
// shown over the window it is judged on. A budget is the share of the bad
// events a period (28 d) allows that is left; computed from minutes of data
// it reads "-2736 %" — a projection, not a budget. Here a budget counts as
// judged once its data covers the longest window any of the SLO's burn
// alerts looks at (the slow tier's 6 h, the ticket tier's 3 d: the windows
// its alerts already trust), capped at the period. Until then the views say
// "needs N h of data" (GET /v1/slos: budget_judged, data_s, budget_needs_s).
//
// Data starts at the first second the SLO had valid events in this process
// (a restart starts again: the evaluator's windows are not journaled
// either). Engine thread, like the evaluator it follows.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "slo/slo_evaluator.h"

namespace inplay {

class SloCoverage {
 public:
  // Once a second, after the evaluator's tick.
  void observe(int64_t now_ns, const std::vector<SloStatus>& statuses);
  // Seconds of data the SLO has within its period (0 without data).
  int64_t data_s(const SloStatus& st, int64_t now_ns) const;
  // The data a budget needs before it is judged.
  static int64_t needs_s(const SloSpec& s);
  bool judged(const SloStatus& st, int64_t now_ns) const { return data_s(st, now_ns) >= needs_s(*st.spec); }

 private:
  std::map<std::string, int64_t> since_ns_;  // SLO -> first second with data
};

}  // namespace inplay
