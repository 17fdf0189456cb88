#include "feed/betfair/ref_price.h"

#include "feed/betfair/price.h"

namespace inplay::betfair {
namespace {

std::optional<PriceSize> best_of_back(const RunnerBook& r, double min_size) {
  if (min_size <= 0) return r.best_back();
  for (const auto& [p, s] : r.atb)
    if (s >= min_size) return PriceSize{p, s};
  if (!r.atb.empty()) return std::nullopt;
  auto d = r.best_back();
  if (d && d->size >= min_size) return d;
  return std::nullopt;
}

std::optional<PriceSize> best_of_lay(const RunnerBook& r, double min_size) {
  if (min_size <= 0) return r.best_lay();
  for (const auto& [p, s] : r.atl)
    if (s >= min_size) return PriceSize{p, s};
  if (!r.atl.empty()) return std::nullopt;
  auto d = r.best_lay();
  if (d && d->size >= min_size) return d;
  return std::nullopt;
}

}  // namespace

Odds probability_mid(Odds a, Odds b) {
  int64_t x = a.scaled, y = b.scaled;
  int64_t num = 2 * x * y, den = x + y;
  return Odds{static_cast<int32_t>((num + den / 2) / den)};
}

std::optional<RefPrice> ref_price(const MarketBook& m, const RunnerBook& r,
                                  const RefPriceConfig& cfg) {
  if (cfg.require_open && (!m.has_definition || m.status != MarketStatus::Open))
    return std::nullopt;
  if (r.status != RunnerStatus::Active) return std::nullopt;
  RefPrice out;
  out.selection_id = r.selection_id;
  out.handicap = r.handicap;
  auto back = best_of_back(r, cfg.min_size);
  auto lay = best_of_lay(r, cfg.min_size);
  if (!back && !lay) {
    // Rule 3: no book at all (ltp-only data).
    bool no_levels = r.atb.empty() && r.atl.empty() && !r.best_back() && !r.best_lay();
    if (!no_levels || !r.ltp) return std::nullopt;
    out.price = *r.ltp;
    out.source = RefSource::Ltp;
    return out;
  }
  if (!back || !lay || !(back->price < lay->price)) return std::nullopt;  // rule 4
  int spread = ticks_between(back->price, lay->price);
  if (spread <= cfg.max_spread_ticks) {  // rule 1
    out.price = probability_mid(back->price, lay->price);
    out.source = RefSource::Mid;
    return out;
  }
  if (spread > cfg.max_ltp_spread_ticks || !r.ltp) return std::nullopt;  // rule 4
  out.price = *r.ltp;  // rule 2
  out.source = RefSource::Ltp;
  if (out.price < back->price) out.price = back->price, out.source = RefSource::LtpClamped;
  if (out.price > lay->price) out.price = lay->price, out.source = RefSource::LtpClamped;
  return out;
}

std::vector<RefPrice> ref_prices(const MarketBook& m, const RefPriceConfig& cfg) {
  std::vector<RefPrice> out;
  out.reserve(m.runners.size());
  for (const auto& r : m.runners)
    if (auto p = ref_price(m, r, cfg)) out.push_back(*p);
  return out;
}

}  // namespace inplay::betfair
