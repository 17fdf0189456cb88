// Expectations: a scenario's assertions checked against what its game day
// recorded. Each result names the expectation, the value seen and whether
// it holds; timings are measured from the first fault, SLI windows in
// scenario time. Pure: unit-tested on hand-made records.
#pragma once
#include <string>
#include <vector>

#include "gameday/gameday_record.h"
#include "gameday/scenario.h"

namespace inplay {

struct ExpectationResult {
  const Expectation* e = nullptr;
  bool pass = false;
  std::string seen;  // "fired 2 s after the first fault", "SLI 99.2% (target 99%)"
};

std::vector<ExpectationResult> check_expectations(const Scenario& s, const GamedayRecord& r);

// The values a slice names, without its shares and trace counts ("league=EPL,
// feed=football-primary"): those depend on thread timing, the values do not.
std::string slice_values(const std::string& slice);

}  // namespace inplay
