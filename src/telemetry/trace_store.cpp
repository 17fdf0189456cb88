#include "telemetry/trace_store.h"

#include <algorithm>

namespace inplay {

namespace {
constexpr uint32_t kNone = UINT32_MAX;
}  // namespace

size_t TraceStore::TraceIndex::find(const TraceId& id) const {
  if (used_ == 0) return kAbsent;
  const size_t mask = table_.size() - 1;
  for (size_t i = home(id);; i = (i + 1) & mask) {
    const Entry& e = table_[i];
    if (e.chain.head == kFree) return kAbsent;
    if (e.id == id) return i;
  }
}

size_t TraceStore::TraceIndex::find_or_add(const TraceId& id, uint32_t slot, bool& fresh) {
  if (2 * (used_ + 1) > table_.size()) grow();
  const size_t mask = table_.size() - 1;
  for (size_t i = home(id);; i = (i + 1) & mask) {
    Entry& e = table_[i];
    fresh = e.chain.head == kFree;
    if (fresh) {
      e = Entry{id, Chain{slot, slot}};
      ++used_;
      return i;
    }
    if (e.id == id) return i;
  }
}

void TraceStore::TraceIndex::erase(size_t hole) {
  const size_t mask = table_.size() - 1;
  // Shift back each later entry of the probe run whose home is not in
  // (hole, j]: past an empty slot it could no longer be found.
  for (size_t j = (hole + 1) & mask; table_[j].chain.head != kFree; j = (j + 1) & mask) {
    const size_t h = home(table_[j].id);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    table_[hole] = table_[j];
    hole = j;
  }
  table_[hole].chain.head = kFree;
  --used_;
}

void TraceStore::TraceIndex::grow() {
  std::vector<Entry> old;
  old.swap(table_);
  table_.assign(std::max<size_t>(1024, 2 * old.size()), Entry{TraceId{}, Chain{kFree, kFree}});
  used_ = 0;
  bool fresh;
  for (const Entry& e : old)
    if (e.chain.head != kFree) chain(find_or_add(e.id, 0, fresh)) = e.chain;
}

TraceStore::TraceStore(size_t max_spans) : max_spans_(std::clamp<size_t>(max_spans, 1, UINT32_MAX - 1)) {}

void TraceStore::put(const std::vector<std::vector<Span>*>& lists) {
  constexpr size_t kSlice = 1024;  // spans per hold of the store's lock: a reader waits for no more
  size_t held = 0;
  std::unique_lock<std::mutex> lk(mu_);
  for (std::vector<Span>* l : lists) {
    for (const Span& s : *l) {
      if (held++ == kSlice) {
        lk.unlock();
        lk.lock();
        held = 1;
      }
      put_locked(s);
    }
  }
}

void TraceStore::unindex(size_t slot) {
  const size_t pos = index_.find(ring_[slot].trace_id);
  if (pos == TraceIndex::kAbsent) return;
  Chain* c = &index_.chain(pos);
  const uint32_t s = static_cast<uint32_t>(slot);
  if (c->head == s) {  // the normal case: the oldest span of its trace
    if (c->tail == s) index_.erase(pos);
    else c->head = next_in_trace_[s];
    return;
  }
  // Not reached while eviction stays oldest-first; kept so the index can
  // never point at a recycled slot.
  for (uint32_t prev = c->head; prev != kNone; prev = next_in_trace_[prev]) {
    if (next_in_trace_[prev] == s) {
      next_in_trace_[prev] = next_in_trace_[s];
      if (c->tail == s) c->tail = prev;
      return;
    }
  }
}

void TraceStore::pop_oldest(StoredSpan& out) {
  unindex(head_);
  out = std::move(ring_[head_]);
  next_in_trace_[head_] = kNone;
  head_ = (head_ + 1) % max_spans_;
  --count_;
}

void TraceStore::put_locked(const Span& span) {
  size_t pos;
  if (count_ == max_spans_) {  // full: the oldest slot is the next one; reuse it
    unindex(head_);
    pos = head_;
    head_ = (head_ + 1) % max_spans_;
    ++evicted_;
  } else {
    // While the ring grows, the live range ends at ring_.size(), so the next
    // slot is either the end (grow) or a slot freed by expiry (reuse).
    pos = (head_ + count_) % max_spans_;
    ++count_;
  }
  if (pos == ring_.size()) {
    if (ring_.size() == ring_.capacity()) {
      // Double as a vector would, but never past max_spans_: doubling to the
      // next power of two held up to a third of the ring's bytes unused.
      const size_t cap = std::min(max_spans_, std::max<size_t>(1024, 2 * ring_.capacity()));
      ring_.reserve(cap);
      next_in_trace_.reserve(cap);
    }
    ring_.emplace_back(span);
    next_in_trace_.push_back(kNone);
  } else {
    ring_[pos] = StoredSpan(span);
    next_in_trace_[pos] = kNone;
  }
  const uint32_t slot = static_cast<uint32_t>(pos);
  bool fresh;
  Chain& c = index_.chain(index_.find_or_add(ring_[slot].trace_id, slot, fresh));
  if (!fresh) {
    next_in_trace_[c.tail] = slot;
    c.tail = slot;
  }
}

// --------------------------------------------------------------- the readers

void TraceStore::for_each_trace(const TraceVisitor& fn) const {
  std::vector<const StoredSpan*> buf;
  std::lock_guard<std::mutex> g(mu_);
  index_.for_each([&](const TraceId&, const Chain& chain) {
    buf.clear();
    for (uint32_t s = chain.head; s != kNone; s = next_in_trace_[s]) buf.push_back(&ring_[s]);
    fn(buf.data(), buf.size());
  });
}

size_t TraceStore::span_count() const {
  std::lock_guard<std::mutex> g(mu_);
  return count_;
}

size_t TraceStore::trace_count() const {
  std::lock_guard<std::mutex> g(mu_);
  return index_.size();
}

size_t TraceStore::expire(int64_t cutoff_ns) {
  constexpr size_t kSlice = 4096;  // spans per lock hold
  size_t total = 0;
  std::vector<StoredSpan> gone;
  for (;;) {
    gone.clear();
    {
      std::lock_guard<std::mutex> g(mu_);
      while (count_ > 0 && gone.size() < kSlice && ring_[head_].end_ns < cutoff_ns) {
        gone.emplace_back();
        pop_oldest(gone.back());
      }
      expired_ += gone.size();
    }
    total += gone.size();
    if (gone.size() < kSlice) return total;  // spans are destroyed outside the lock
  }
}

uint64_t TraceStore::expired() const {
  std::lock_guard<std::mutex> g(mu_);
  return expired_;
}

std::vector<Span> TraceStore::trace(const TraceId& id) const {
  std::vector<Span> out;
  {
    std::lock_guard<std::mutex> g(mu_);
    const size_t pos = index_.find(id);
    if (pos == TraceIndex::kAbsent) return out;
    for (uint32_t s = index_.chain(pos).head; s != kNone; s = next_in_trace_[s])
      out.push_back(ring_[s].unpack());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Span& a, const Span& b) { return a.start_ns < b.start_ns; });
  return out;
}

uint64_t TraceStore::evicted() const {
  std::lock_guard<std::mutex> g(mu_);
  return evicted_;
}

}  // namespace inplay
