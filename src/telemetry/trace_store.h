// TraceStore: the Tracer's bounded in-memory store of finished spans, and
// its readers: a trace by id (GET /v1/traces/{trace_id}), a walk over every
// trace (telemetry/trace_query, alert/slice_finder), the counts, and
// retention by age (expire).
//
// It keeps the most recent max_spans spans in recording order: when full,
// each new span evicts the oldest; expire() evicts, oldest first, those that
// ended before a cutoff. A trace's spans are found without a scan.
// Spans are kept packed (telemetry/stored_span.h: a 64-byte record and one
// block sized to the name and attributes, against a Span's 384 bytes).
//
// Threads: the Tracer's drain writes (put), readers on any thread read; one
// mutex guards the store, and put() and expire() take it in slices so that
// neither side waits long for the other. trace() unpacks copies, attributes
// rendered; for_each_trace hands out the packed spans themselves. The store
// does not drain the Tracer's inbox: the Tracer's readers do that first
// (telemetry/tracer.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "telemetry/span.h"
#include "telemetry/stored_span.h"
#include "telemetry/trace_context.h"

namespace inplay {

class TraceStore {
 public:
  // max_spans is clamped to [1, UINT32_MAX - 1].
  explicit TraceStore(size_t max_spans);
  TraceStore(const TraceStore&) = delete;
  TraceStore& operator=(const TraceStore&) = delete;

  // Packs the spans of every list in, list by list, in order (the lists are
  // left as they were), evicting the oldest span for each one over max_spans.
  void put(const std::vector<std::vector<Span>*>& lists);

  // The trace's spans, ordered by start_ns (copies).
  std::vector<Span> trace(const TraceId& id) const;
  // Visits every trace under the lock: fn(spans, n) gets the trace's spans
  // in store order (oldest first; not sorted by start). fn must be cheap and
  // must copy what it keeps (the pointers die with the lock). The spans are
  // the stored, packed ones: fn reads their attributes with visit(),
  // contains() or find(), which allocate nothing.
  using TraceVisitor = std::function<void(const StoredSpan* const* spans, size_t n)>;
  void for_each_trace(const TraceVisitor& fn) const;
  size_t span_count() const;
  size_t trace_count() const;
  // Spans evicted because the store was full (max_spans).
  uint64_t evicted() const;
  // Evicts, oldest first, the spans that ended before cutoff_ns, stopping at
  // the first that did not; returns how many went. expired() counts them all.
  size_t expire(int64_t cutoff_ns);
  uint64_t expired() const;

 private:
  // Finds the stored spans of one trace without a scan: each trace's slots
  // form a FIFO list threaded through next_in_trace_. Eviction is oldest
  // first, so the evicted slot is always its trace's head: O(1) per record.
  struct Chain {
    uint32_t head, tail;
  };
  // Trace id -> Chain: open addressing with linear probing over a
  // power-of-two table kept at most half full, one probe sequence per
  // lookup and no allocation per trace; erase shifts the entries after a
  // hole back (no tombstones). Slots are placed by TraceIdHash (seeded).
  class TraceIndex {
   public:
    struct Entry {
      TraceId id;
      Chain chain;  // chain.head == kFree: an empty slot
    };
    static constexpr uint32_t kFree = UINT32_MAX;
    static constexpr size_t kAbsent = SIZE_MAX;
    // The trace's position in the table, or kAbsent.
    size_t find(const TraceId& id) const;
    // The trace's position; a new chain {slot, slot} (fresh = true) if absent.
    size_t find_or_add(const TraceId& id, uint32_t slot, bool& fresh);
    Chain& chain(size_t pos) { return table_[pos].chain; }
    const Chain& chain(size_t pos) const { return table_[pos].chain; }
    void erase(size_t pos);  // invalidates positions
    size_t size() const { return used_; }
    template <typename Fn>
    void for_each(Fn&& fn) const {
      for (const Entry& e : table_)
        if (e.chain.head != kFree) fn(e.id, e.chain);
    }

   private:
    size_t home(const TraceId& id) const { return TraceIdHash{}(id) & (table_.size() - 1); }
    void grow();
    std::vector<Entry> table_;
    size_t used_ = 0;
  };

  void put_locked(const Span& span);  // mu_ held
  void pop_oldest(StoredSpan& out);   // mu_ held
  void unindex(size_t slot);     // mu_ held

  mutable std::mutex mu_;
  size_t max_spans_;
  // A circular store over max_spans_ slots: the live spans are
  // [head_, head_ + count_) mod max_spans_, oldest first. ring_ grows (by
  // doubling, never past max_spans_) to
  // max_spans_ by push_back, then slots are reused.
  std::vector<StoredSpan> ring_;
  std::vector<uint32_t> next_in_trace_;  // parallel to ring_; kNone ends a chain
  size_t head_ = 0;
  size_t count_ = 0;
  uint64_t evicted_ = 0;
  uint64_t expired_ = 0;
  TraceIndex index_;
};

}  // namespace inplay
