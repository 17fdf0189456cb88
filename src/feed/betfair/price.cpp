#include "feed/betfair/price.h"

#include <array>

namespace inplay::betfair {
namespace {

// CLASSIC ladder bands: prices in (lo, hi] step by `step` (scaled 1e-4).
// The first band starts at 1.01 itself.
struct Band {
  int32_t lo, hi, step;
  int first_index;  // ladder index of the first tick above lo
};

constexpr std::array<Band, 10> make_bands() {
  std::array<Band, 10> b{{
      {10000, 20000, 100, 0},       // 1.01 .. 2.00 by 0.01   (100 ticks)
      {20000, 30000, 200, 0},       // 2.02 .. 3.00 by 0.02   (50)
      {30000, 40000, 500, 0},       // 3.05 .. 4.00 by 0.05   (20)
      {40000, 60000, 1000, 0},      // 4.1  .. 6.0  by 0.1    (20)
      {60000, 100000, 2000, 0},     // 6.2  .. 10   by 0.2    (20)
      {100000, 200000, 5000, 0},    // 10.5 .. 20   by 0.5    (20)
      {200000, 300000, 10000, 0},   // 21   .. 30   by 1      (10)
      {300000, 500000, 20000, 0},   // 32   .. 50   by 2      (10)
      {500000, 1000000, 50000, 0},  // 55   .. 100  by 5      (10)
      {1000000, 10000000, 100000, 0},  // 110 .. 1000 by 10   (90)
  }};
  int idx = 0;
  for (auto& band : b) {
    band.first_index = idx;
    idx += (band.hi - band.lo) / band.step;
  }
  return b;
}

constexpr auto kBands = make_bands();
static_assert(kBands.back().first_index + (kBands.back().hi - kBands.back().lo) /
                                              kBands.back().step ==
              kLadderTicks);

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
                        s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Plain decimal with any number of fraction digits -> scaled 1e-4, rounded
// half up on the 5th decimal digit. No floating point.
bool parse_rounded(std::string_view t, int64_t& scaled) {
  size_t i = 0;
  int64_t whole = 0;
  size_t digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    whole = whole * 10 + (t[i] - '0');
    if (whole > kMaxOdds) return false;
    ++i, ++digits;
  }
  if (digits == 0 || i >= t.size() || t[i] != '.') return false;
  ++i;
  int64_t frac = 0;
  int nfrac = 0;
  bool round_up = false;
  size_t start = i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    if (nfrac < 4) {
      frac = frac * 10 + (t[i] - '0');
      ++nfrac;
    } else if (i == start + 4) {
      round_up = t[i] >= '5';
    }
    ++i;
  }
  if (i == start || i != t.size()) return false;
  while (nfrac < 4) frac *= 10, ++nfrac;
  scaled = whole * kOddsScale + frac + (round_up ? 1 : 0);
  return true;
}

}  // namespace

PriceParse parse_price(std::string_view raw, Odds& out) {
  std::string_view t = trim(raw);
  if (Odds::parse(t, out)) return PriceParse::Exact;
  int64_t scaled = 0;
  if (!parse_rounded(t, scaled)) return PriceParse::Error;
  if (scaled < kMinOdds || scaled > kMaxOdds) return PriceParse::Error;
  out = nearest_tick(Odds{static_cast<int32_t>(scaled)});
  return PriceParse::Snapped;
}

int tick_index(Odds p) {
  int32_t v = p.scaled;
  for (const auto& b : kBands) {
    if (v > b.lo && v <= b.hi) {
      if ((v - b.lo) % b.step != 0) return -1;
      // (v - lo) / step counts ticks from the band start: 1.01 -> 1 -> index 0.
      return b.first_index + (v - b.lo) / b.step - 1;
    }
  }
  return -1;
}

Odds tick_at(int index) {
  if (index < 0) index = 0;
  if (index >= kLadderTicks) index = kLadderTicks - 1;
  for (size_t i = kBands.size(); i-- > 0;) {
    const auto& b = kBands[i];
    if (index >= b.first_index) {
      return Odds{b.lo + (index - b.first_index + 1) * b.step};
    }
  }
  return Odds{kMinOdds};
}

Odds nearest_tick(Odds p) {
  int32_t v = p.scaled;
  if (v <= kMinOdds) return Odds{kMinOdds};
  if (v >= kMaxOdds) return Odds{kMaxOdds};
  for (const auto& b : kBands) {
    if (v > b.lo && v <= b.hi) {
      int32_t below = b.lo + ((v - b.lo) / b.step) * b.step;
      int32_t above = below == v ? v : below + b.step;
      if (below < kMinOdds) below = kMinOdds;
      return (v - below <= above - v) ? Odds{below} : Odds{above};
    }
  }
  return Odds{kMinOdds};
}

int ticks_between(Odds a, Odds b) {
  return tick_index(nearest_tick(b)) - tick_index(nearest_tick(a));
}

}  // namespace inplay::betfair
