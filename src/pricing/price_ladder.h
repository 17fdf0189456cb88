// PriceLadder: the book's grid of allowed decimal odds (1.01, 1.02, ...,
// 2.02, ..., 1000), in the shape exchanges use: finer steps at short odds.
// Pure functions; thread-safe.
#pragma once
#include "core/odds.h"

namespace inplay {

// The step of the ladder at odds o (the gap to the next price up).
int32_t ladder_step(Odds o);
// The nearest ladder price at or below / at or above o (clamped to range).
Odds ladder_floor(Odds o);
Odds ladder_ceil(Odds o);
// n steps up (n > 0) or down (n < 0), clamped to [1.01, 1000].
Odds ladder_move(Odds o, int n);

}  // namespace inplay
