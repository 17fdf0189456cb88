// Spelling: the name a human most likely meant when they typed one we do not
// know — a misspelt config key, scenario alert or command line subcommand —
// so the error can say "did you mean 'kickoff_in'?" at the typo itself.
//
// Distance is the optimal string alignment distance (insertions, deletions,
// substitutions and swaps of two neighbours each cost 1; "duratoin" is one
// step from "duration"). Pure functions; any thread.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inplay {

size_t spelling_distance(std::string_view a, std::string_view b);

// The name of `names` nearest to `typed`, if it is near enough to be a typo:
// at most 2 steps away, and fewer steps than half of the name's length (so
// "id" is not taken for "to"). Ties: the first in `names`. An exact match is
// returned as itself.
std::optional<std::string> nearest_name(std::string_view typed, const std::vector<std::string>& names);

// " (did you mean 'x'?)" for nearest_name's answer, "" without one.
std::string did_you_mean(std::string_view typed, const std::vector<std::string>& names);

}  // namespace inplay
