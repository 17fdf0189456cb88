#include "wallet/idempotency.h"

#include <cassert>
#include <limits>

namespace inplay {

namespace {
// completed_ns of a key abandoned while an old record pointed at it: expired
// for any TTL and any clock.
constexpr int64_t kAbandoned = std::numeric_limits<int64_t>::min() / 2;
}  // namespace

IdempotencyStore::Lookup IdempotencyStore::begin(const std::string& key, const Fingerprint& fp,
                                                 int64_t now_ns, const Entry** out) {
  // One probe of the index: try_emplace finds the key or inserts it.
  auto [it, fresh] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (fresh || (!e.pending && e.completed_ns + ttl_ns_ < now_ns)) {
    // New, or expired and new again: reset in place (a queue record may
    // still point at this key).
    e.fingerprint = fp;
    e.pending = true;
    e.bet_id = 0;
    e.other.reset();
    if (out) *out = &e;
    return Lookup::kNew;
  }
  if (out) *out = &e;
  if (e.fingerprint != fp) return Lookup::kMismatch;
  return e.pending ? Lookup::kPending : Lookup::kDone;
}

void IdempotencyStore::complete(const std::string& key, const Fingerprint& fp, Outcome outcome, int64_t now_ns) {
  auto it = entries_.try_emplace(key).first;
  Entry& e = it->second;
  e.fingerprint = fp;
  e.pending = false;
  if (const BetPlaced* b = std::get_if<BetPlaced>(&outcome)) {
    e.bet_id = b->bet_id;
    e.other.reset();
  } else {
    e.bet_id = 0;
    e.other = std::make_unique<Outcome>(std::move(outcome));
  }
  e.completed_ns = now_ns;
  ++e.records;
  completion_order_.push_back(Completion{now_ns, &it->first});
}

void IdempotencyStore::abandon(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end() || !it->second.pending) return;
  if (it->second.records == 0) {
    entries_.erase(it);
    return;
  }
  // A record of an earlier completion still points here: leave the key
  // expired (new again to begin()) for that record to erase.
  Entry& e = it->second;
  e.pending = false;
  e.completed_ns = kAbandoned;
}

size_t IdempotencyStore::expire(int64_t now_ns) {
  size_t n = 0;
  while (!completion_order_.empty() && completion_order_.front().at_ns + ttl_ns_ < now_ns) {
    auto it = entries_.find(*completion_order_.front().key);
    completion_order_.pop_front();
    assert(it != entries_.end());  // entries with queued records are never erased elsewhere
    Entry& e = it->second;
    --e.records;
    if (e.records == 0 && !e.pending && e.completed_ns + ttl_ns_ < now_ns) {
      // An abandoned key (left expired above) was never completed again: not counted.
      if (e.completed_ns != kAbandoned) ++n;
      entries_.erase(it);
    }
  }
  return n;
}

}  // namespace inplay
