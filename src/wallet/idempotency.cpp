#include "wallet/idempotency.h"

#include <cassert>
#include <algorithm>
#include <functional>
#include <limits>

namespace inplay {

namespace {
// completed_ns of a key abandoned while an old record pointed at it: expired
// for any TTL and any clock.
constexpr int64_t kAbandoned = std::numeric_limits<int64_t>::min() / 2;
constexpr size_t kAbsent = SIZE_MAX;
constexpr size_t kMinPositions = 1024;
}  // namespace

size_t IdempotencyStore::find(const SipHash128& d) const {
  if (used_ == 0) return kAbsent;
  const uint32_t hash = index_hash(d);
  const size_t mask = index_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const IndexEntry& e = index_[i];
    if (e.slot == 0) return kAbsent;
    if (e.hash == hash && slot(e.slot - 1).key == d) return i;
  }
}

uint32_t IdempotencyStore::find_or_add(std::string_view key, bool& fresh) {
  if (4 * (used_ + 1) > 3 * index_.size()) grow(std::max(kMinPositions, 2 * index_.size()));
  const SipHash128 d = digest_of(key);
  const uint32_t hash = index_hash(d);
  const size_t mask = index_.size() - 1;
  size_t i = hash & mask;
  for (;; i = (i + 1) & mask) {
    const IndexEntry& e = index_[i];
    if (e.slot == 0) break;
    if (e.hash == hash && slot(e.slot - 1).key == d) {
      fresh = false;
      return e.slot - 1;
    }
  }
  uint32_t n;
  if (!free_slots_.empty()) {
    n = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (slots_made_ % kPageSlots == 0) pages_.push_back(std::make_unique<Slot[]>(kPageSlots));
    n = slots_made_++;
  }
  Slot& s = slot(n);
  s.key = d;
  s.entry = Entry{};
  index_[i] = IndexEntry{n + 1, hash};
  ++used_;
  fresh = true;
  return n;
}

void IdempotencyStore::erase(uint32_t slot_no) {
  Slot& s = slot(slot_no);
  const size_t mask = index_.size() - 1;
  size_t hole = index_hash(s.key) & mask;
  while (index_[hole].slot != slot_no + 1) hole = (hole + 1) & mask;
  // Shift back each later entry of the probe run whose home is not in
  // (hole, j]: past an empty position it could no longer be found.
  for (size_t j = (hole + 1) & mask; index_[j].slot != 0; j = (j + 1) & mask) {
    const size_t h = index_[j].hash & mask;
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    index_[hole] = index_[j];
    hole = j;
  }
  index_[hole] = IndexEntry{0, 0};
  --used_;
  s.entry = Entry{};  // drops an out-of-line outcome now
  free_slots_.push_back(slot_no);
}

void IdempotencyStore::grow(size_t positions) {
  std::vector<IndexEntry> old;
  old.swap(index_);
  index_.assign(positions, IndexEntry{0, 0});
  const size_t mask = positions - 1;
  for (const IndexEntry& e : old) {
    if (e.slot == 0) continue;
    size_t i = e.hash & mask;
    while (index_[i].slot != 0) i = (i + 1) & mask;
    index_[i] = e;
  }
}

void IdempotencyStore::reserve(size_t n) {
  size_t positions = kMinPositions;
  while (positions / 4 * 3 < n) positions *= 2;
  if (positions > index_.size()) grow(positions);
  pages_.reserve(n / kPageSlots + 1);
}

IdempotencyStore::Lookup IdempotencyStore::begin(std::string_view key, const Fingerprint& fp, int64_t now_ns,
                                                 const Entry** out) {
  // One probe of the index: find the key or insert it.
  bool fresh;
  Entry& e = slot(find_or_add(key, fresh)).entry;
  if (fresh || (!e.pending && e.completed_ns + ttl_ns_ < now_ns)) {
    // New, or expired and new again: reset in place (a queue record may
    // still point at this slot).
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

void IdempotencyStore::complete(std::string_view key, const Fingerprint& fp, Outcome outcome, int64_t now_ns) {
  bool fresh;
  const uint32_t n = find_or_add(key, fresh);
  Entry& e = slot(n).entry;
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
  completion_order_.push_back(Completion{now_ns, n});
}

void IdempotencyStore::abandon(std::string_view key) {
  const size_t pos = find(digest_of(key));
  if (pos == kAbsent) return;
  const uint32_t n = index_[pos].slot - 1;
  Entry& e = slot(n).entry;
  if (!e.pending) return;
  if (e.records == 0) {
    erase(n);
    return;
  }
  // A record of an earlier completion still points here: leave the key
  // expired (new again to begin()) for that record to erase.
  e.pending = false;
  e.completed_ns = kAbandoned;
}

size_t IdempotencyStore::expire(int64_t now_ns) {
  size_t n = 0;
  while (!completion_order_.empty() && completion_order_.front().at_ns + ttl_ns_ < now_ns) {
    const uint32_t s = completion_order_.front().slot;
    completion_order_.pop_front();
    Entry& e = slot(s).entry;
    assert(e.records > 0);  // a slot with queued records is never erased elsewhere
    --e.records;
    if (e.records == 0 && !e.pending && e.completed_ns + ttl_ns_ < now_ns) {
      // An abandoned key (left expired above) was never completed again: not counted.
      if (e.completed_ns != kAbandoned) ++n;
      erase(s);
    }
  }
  return n;
}

}  // namespace inplay
