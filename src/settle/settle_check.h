// settle-check: the independent settlement check (SET-2). Reads JSON lines
// of bets with their match's final score and writes one JSON line per bet
// with its outcome and gross return, using the rule code the engine uses
// (settle/rules.h, core/odds.h's rounding).
//
// Input line: {"id": <string|integer>, "market": "1X2"|"TOTAL"|"AH"|"BTTS",
//   "line": <goals as a number or string, e.g. 2.25, "-0.75"; TOTAL and AH
//   only>, "selection": "H"|"D"|"A" (1X2), "over"|"under", "home"|"away"
//   (AH; the line is that side's handicap), "yes"|"no", "stake": <minor
//   units, integer 1..1e12>, "odds": <decimal string like "6.36">,
//   "fthg": <int>, "ftag": <int>}. Other fields are skipped unread.
// Output line: {"id":<as given>,"outcome":"win"|"half_win"|"push"|
//   "half_lose"|"lose","return":<minor units>}, or, for a line that cannot
//   be settled, {"line":<1-based line number>,"id":<as given, if read>,
//   "error":<code>,"message":<why>} — codes: invalid_json, missing_field,
//   wrong_type, bad_value. Blank lines are skipped (no output).
// Pure: one SettleChecker per thread.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace inplay {

struct SettleCheckStats {
  uint64_t bets = 0;    // lines settled
  uint64_t errors = 0;  // lines refused
};

class SettleChecker {
 public:
  SettleChecker();
  ~SettleChecker();
  // Checks every line of `input` (any size) and appends the output lines.
  // line_offset: the 1-based number of input's first line, minus one.
  SettleCheckStats run(std::string_view input, std::string& out, uint64_t line_offset = 0);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inplay
