#include "feed/fixture_prices.h"

#include "pricing/price_ladder.h"

namespace inplay {

FixturePrices::FixturePrices(MarketDesk& markets, std::vector<std::pair<uint64_t, Odds>> opening,
                             double jitter, uint64_t seed)
    : engine_(markets.engine()), markets_(markets), opening_(std::move(opening)), jitter_(jitter), rng_(seed) {}

void FixturePrices::open() {
  int64_t ts = to_ms(engine_.clock().now());
  for (auto& [sid, odds] : opening_) {
    const Selection* s = engine_.state().book.selection(sid);
    if (s && s->price.version == 0) markets_.apply_price(sid, odds, ts);
  }
}

void FixturePrices::tick() {
  int64_t ts = to_ms(engine_.clock().now());
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (auto& [sid, opening] : opening_) {
    const Selection* s = engine_.state().book.selection(sid);
    if (!s) continue;
    Odds next = s->price.version ? s->price.odds : opening;
    if (jitter_ > 0 && u(rng_) < jitter_) {
      int dir = u(rng_) < 0.5 ? -1 : 1;
      // Drift back toward the opening price so a long demo stays sensible.
      if (next.scaled > opening.scaled * 12 / 10) dir = -1;
      if (next.scaled < opening.scaled * 8 / 10) dir = 1;
      next = ladder_move(next, dir);
    }
    markets_.apply_price(sid, next, ts);
  }
}

void FixturePrices::schedule(Nanos period) {
  if (period.count() <= 0) return;
  timer_ = engine_.every(period, [this] { tick(); });
}

}  // namespace inplay
