#include "cashout/offer_book.h"

namespace inplay {

const Quote& OfferBook::add(const CashoutOffer& o, int64_t now_ns, int64_t expires_ns) {
  expire(now_ns);
  const uint64_t id = next_id_++;
  Quote& q = quotes_[id];
  q = Quote{id, o, now_ns, expires_ns};
  by_expiry_.emplace_back(expires_ns, id);
  return q;
}

QuoteState OfferBook::check(const Book& book, uint64_t id, int64_t now_ns, const Quote** out) const {
  auto it = quotes_.find(id);
  if (it == quotes_.end()) return QuoteState::kUnknown;
  const Quote& q = it->second;
  if (out) *out = &q;
  if (now_ns >= q.expires_ns) return QuoteState::kExpired;
  const Market* m = book.market(q.offer.market_id);
  if (!m || m->offer_epoch != q.offer.offer_epoch) return QuoteState::kWithdrawn;
  return QuoteState::kLive;
}

void OfferBook::expire(int64_t now_ns) {
  while (!by_expiry_.empty() && by_expiry_.front().first <= now_ns) {
    quotes_.erase(by_expiry_.front().second);
    by_expiry_.pop_front();
  }
}

size_t OfferBook::live_on(const Book& book, uint64_t market_id, int64_t now_ns) const {
  const Market* m = book.market(market_id);
  if (!m) return 0;
  size_t n = 0;
  for (auto& [id, q] : quotes_)
    if (q.offer.market_id == market_id && q.offer.offer_epoch == m->offer_epoch && now_ns < q.expires_ns) ++n;
  return n;
}

}  // namespace inplay
