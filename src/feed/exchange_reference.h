// ExchangeReference: an exchange's prices as the book's ref_price (ODDS-6).
// It feeds Betfair Exchange Stream API market change messages (op=mcm)
// through the betfair::MarketCache and, for the exchange markets mapped to
// book markets, hands each mapped runner's reference price
// (betfair::ref_prices: the probability mid of a tight book, else the last
// traded price inside the spread) to the FeedDesk, where they serve as the
// reference for the drift score. Engine thread (it calls the desk).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "feed/feed_desk.h"
#include "feed/betfair/market_cache.h"
#include "feed/betfair/ref_price.h"

namespace inplay {

struct ExchangeMarketMap {
  uint64_t book_market_id = 0;
  std::map<int64_t, uint64_t> runners;  // exchange selection id -> book selection id
};

class ExchangeReference {
 public:
  explicit ExchangeReference(FeedDesk& desk) : desk_(desk) {}
  // exchange market id ("1.200806927") -> book market.
  void map_market(std::string exchange_market_id, ExchangeMarketMap m);
  // One stream message. Returns the cache's verdict (errors change nothing).
  betfair::ApplyResult apply(std::string_view message);
  const betfair::MarketCache& cache() const { return cache_; }
  uint64_t updates_sent() const { return updates_; }

 private:
  FeedDesk& desk_;
  betfair::MarketCache cache_;
  std::map<std::string, ExchangeMarketMap> maps_;
  uint64_t updates_ = 0;
};

}  // namespace inplay
