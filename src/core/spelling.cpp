#include "core/spelling.h"

#include <algorithm>

namespace inplay {

size_t spelling_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: the swap looks two rows back.
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<std::string> nearest_name(std::string_view typed, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  size_t best_d = SIZE_MAX;
  for (const std::string& n : names) {
    const size_t d = spelling_distance(typed, n);
    if (d > 2 || 2 * d >= n.size() || d >= best_d) continue;
    best_d = d;
    best = n;
  }
  return best;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& names) {
  std::optional<std::string> n = nearest_name(typed, names);
  return n ? " (did you mean '" + *n + "'?)" : std::string();
}

}  // namespace inplay
