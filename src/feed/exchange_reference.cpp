#include "feed/exchange_reference.h"

namespace inplay {

void ExchangeReference::map_market(std::string exchange_market_id, ExchangeMarketMap m) {
  maps_[std::move(exchange_market_id)] = std::move(m);
}

betfair::ApplyResult ExchangeReference::apply(std::string_view message) {
  betfair::ApplyResult r = cache_.apply(message);
  if (r.kind != betfair::ApplyResult::Kind::Applied) return r;
  for (auto& [xid, map] : maps_) {
    const betfair::MarketBook* m = cache_.market(xid);
    if (!m) continue;
    std::vector<std::pair<uint64_t, Odds>> prices;
    for (const betfair::RefPrice& rp : betfair::ref_prices(*m)) {
      auto it = map.runners.find(rp.selection_id);
      if (it != map.runners.end()) prices.emplace_back(it->second, rp.price);
    }
    desk_.set_reference_prices(map.book_market_id, prices);
    ++updates_;
  }
  return r;
}

}  // namespace inplay
