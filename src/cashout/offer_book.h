// OfferBook: the cash-out offers the book has made and not yet taken or
// lost (CO-1, CO-2). An offer is a quote: one use, for one bet and stake,
// at one amount, until it expires (terms.quote_ttl) or its market's offer
// epoch moves — a suspension, a close, a result, a freeze or its lifting
// (market/book.h: Market::offer_epoch). Withdrawing every offer on a market
// is therefore O(1) and happens in the same engine step as its cause; the
// memory of dead offers is reclaimed as they expire (in expiry order: the
// ttl is one for all). Quote ids start from a number the desk gives (its
// clock at start), so a restart does not hand out an id a client still
// holds. Engine thread only.
#pragma once
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "cashout/cashout_price.h"
#include "market/book.h"

namespace inplay {

struct Quote {
  uint64_t id = 0;
  CashoutOffer offer;
  int64_t made_ns = 0;
  int64_t expires_ns = 0;
};

enum class QuoteState : uint8_t { kLive, kUnknown, kExpired, kWithdrawn };

class OfferBook {
 public:
  explicit OfferBook(uint64_t first_id) : next_id_(first_id ? first_id : 1) {}

  // Records an offer; returns it with its id.
  const Quote& add(const CashoutOffer& o, int64_t now_ns, int64_t expires_ns);
  // The quote under id and whether it still stands at now_ns in `book`.
  QuoteState check(const Book& book, uint64_t id, int64_t now_ns, const Quote** out) const;
  // Takes a quote out (taken, or refused for good).
  void remove(uint64_t id) { quotes_.erase(id); }
  // Forgets offers expired at now_ns.
  void expire(int64_t now_ns);

  size_t size() const { return quotes_.size(); }
  // Live offers (not expired, epoch unchanged) on one market.
  size_t live_on(const Book& book, uint64_t market_id, int64_t now_ns) const;

 private:
  std::unordered_map<uint64_t, Quote> quotes_;
  std::deque<std::pair<int64_t, uint64_t>> by_expiry_;  // (expires_ns, id), oldest first
  uint64_t next_id_;
};

}  // namespace inplay
