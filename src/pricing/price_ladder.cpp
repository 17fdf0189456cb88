#include "pricing/price_ladder.h"

namespace inplay {

namespace {
struct Band {
  int32_t upto;  // exclusive upper bound of the band (scaled)
  int32_t step;
};
constexpr Band kBands[] = {
    {20000, 100},    {30000, 200},    {40000, 500},    {60000, 1000},     {100000, 2000},
    {200000, 5000},  {300000, 10000}, {500000, 20000}, {1000000, 50000},  {10000001, 100000},
};
}  // namespace

int32_t ladder_step(Odds o) {
  for (const Band& b : kBands)
    if (o.scaled < b.upto) return b.step;
  return kBands[std::size(kBands) - 1].step;
}

Odds ladder_floor(Odds o) {
  if (o.scaled <= kMinOdds) return Odds{kMinOdds};
  if (o.scaled >= kMaxOdds) return Odds{kMaxOdds};
  int32_t base = 10000;
  for (const Band& b : kBands) {
    if (o.scaled < b.upto) return Odds{base + (o.scaled - base) / b.step * b.step};
    base = b.upto;
  }
  return Odds{kMaxOdds};
}

Odds ladder_ceil(Odds o) {
  Odds f = ladder_floor(o);
  if (f.scaled >= o.scaled) return f;
  return ladder_move(f, 1);
}

Odds ladder_move(Odds o, int n) {
  Odds p = ladder_floor(o);
  for (; n > 0 && p.scaled < kMaxOdds; --n) p.scaled += ladder_step(p);
  for (; n < 0 && p.scaled > kMinOdds; ++n) {
    int32_t down = ladder_step(Odds{p.scaled - 1});
    p.scaled -= down;
  }
  if (p.scaled < kMinOdds) p.scaled = kMinOdds;
  if (p.scaled > kMaxOdds) p.scaled = kMaxOdds;
  return p;
}

}  // namespace inplay
