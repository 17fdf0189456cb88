#include "wallet/idempotency.h"

namespace inplay {

IdempotencyStore::Lookup IdempotencyStore::begin(const std::string& key, const Fingerprint& fp,
                                                 int64_t now_ns, const Entry** out) {
  auto it = entries_.find(key);
  if (it != entries_.end() && !it->second.pending &&
      it->second.completed_ns + ttl_ns_ < now_ns) {
    entries_.erase(it);  // expired: the key is new again
    it = entries_.end();
  }
  if (it == entries_.end()) {
    auto& e = entries_[key];
    e.fingerprint = fp;
    e.pending = true;
    if (out) *out = &e;
    return Lookup::kNew;
  }
  if (out) *out = &it->second;
  if (it->second.fingerprint != fp) return Lookup::kMismatch;
  return it->second.pending ? Lookup::kPending : Lookup::kDone;
}

void IdempotencyStore::complete(const std::string& key, const Fingerprint& fp, Outcome outcome, int64_t now_ns) {
  auto& e = entries_[key];
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
  completion_order_.emplace_back(now_ns, key);
}

void IdempotencyStore::abandon(const std::string& key) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.pending) entries_.erase(it);
}

size_t IdempotencyStore::expire(int64_t now_ns) {
  size_t n = 0;
  while (!completion_order_.empty() && completion_order_.front().first + ttl_ns_ < now_ns) {
    auto it = entries_.find(completion_order_.front().second);
    if (it != entries_.end() && !it->second.pending &&
        it->second.completed_ns + ttl_ns_ < now_ns) {
      entries_.erase(it);
      ++n;
    }
    completion_order_.pop_front();
  }
  return n;
}

}  // namespace inplay
