#include "core/odds.h"

#include <fmt/format.h>

namespace inplay {

bool Odds::parse(std::string_view t, Odds& out) {
  size_t i = 0;
  int64_t whole = 0;
  size_t digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    whole = whole * 10 + (t[i] - '0');
    if (whole > kMaxOdds) return false;
    ++i, ++digits;
  }
  if (digits == 0) return false;
  int64_t frac = 0;
  int frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (frac_digits == 4) return false;
      frac = frac * 10 + (t[i] - '0');
      ++i, ++frac_digits;
    }
    if (frac_digits == 0) return false;
  }
  if (i != t.size()) return false;
  while (frac_digits < 4) frac *= 10, ++frac_digits;
  int64_t scaled = whole * kOddsScale + frac;
  if (scaled < kMinOdds || scaled > kMaxOdds) return false;
  out.scaled = static_cast<int32_t>(scaled);
  return true;
}

std::string Odds::str() const {
  int32_t whole = scaled / kOddsScale, frac = scaled % kOddsScale;
  if (frac == 0) return fmt::format("{}", whole);
  std::string f = fmt::format("{:04d}", frac);
  while (f.back() == '0') f.pop_back();
  return fmt::format("{}.{}", whole, f);
}

int64_t settled_return_minor(int64_t stake_minor, Odds odds, bool won, int void_halves, int32_t dead_heat_scaled) {
  // stake × [v + (1 − v)·won·odds·dhf] over a common denominator of
  // 2 × kOddsScale × kOddsScale: exact in 128 bits, floored once.
  const __int128 unit = static_cast<__int128>(kOddsScale) * kOddsScale;
  __int128 share = static_cast<__int128>(void_halves) * unit;
  if (won) share += static_cast<__int128>(2 - void_halves) * odds.scaled * dead_heat_scaled;
  return static_cast<int64_t>(static_cast<__int128>(stake_minor) * share / (2 * unit));
}

int64_t payout_minor(int64_t stake_minor, Odds odds) {
  // stake <= 1e12 minor units and odds <= 1e7 keep the product in int64;
  // larger stakes are rejected by validation before they get here.
  __int128 p = static_cast<__int128>(stake_minor) * odds.scaled;
  return static_cast<int64_t>(p / kOddsScale);  // truncation == floor for p >= 0
}

}  // namespace inplay
