// Tracer: starts the spans of the bet path and takes the finished ones
// over, for the bounded trace store (telemetry/trace_store.h) and the
// exporter (the OTLP sink). Code fills a Span (telemetry/span.h) and hands
// it to Tracer::record(). The store keeps the most recent spans (oldest
// evicted when full, or older than a maximum age on a retention sweep:
// expire()) that GET /v1/traces/{trace_id} reads. With a TraceSampler set
// (set_sampler), only the traces it keeps reach the store and the exporter
// (see telemetry/sampler.h). All methods are thread-safe.
//
// Recording is nearly free for the recording thread (the engine records
// every bet's spans): record() moves the span into an inbox under a short
// lock and returns. The store work - sampling, the trace index, eviction,
// the exporter's copies - happens when the inbox is drained: on the
// Tracer's own drain thread (started with the first record; it runs every
// few milliseconds, or when the inbox fills, and after a quiet spell sleeps
// until the next record), or first thing in every reader
// (trace(), for_each_trace(), span_count(), expire(), ...), so a reader sees
// every span whose record() returned before it was called.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "telemetry/span.h"
#include "telemetry/trace_context.h"
#include "telemetry/trace_store.h"

namespace inplay {

class TraceSampler;

class Tracer {
 public:
  explicit Tracer(size_t max_spans = 200000);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;
  // A new span: child of parent if valid, else the root of a new trace. It
  // inherits the parent's flags, and is a local root unless parent.local.
  Span start(std::string_view name, const TraceContext& parent, int64_t start_ns);
  // The same, started in place at the end of spans (no move).
  Span& start_in(std::vector<Span>& spans, std::string_view name, const TraceContext& parent,
                 int64_t start_ns);
  // Random, never all-zero ids from a per-thread xoshiro256** (no lock;
  // telemetry/trace_context.h).
  TraceId new_trace_id() { return inplay::new_trace_id(); }
  SpanId new_span_id() { return inplay::new_span_id(); }
  // Hands a finished span over (moves it): into the inbox, for the drain to
  // store (through the sampler if set) and export. Never waits for the
  // store; only when the inbox is far behind (kMaxInbox spans) does the
  // caller drain it itself, so memory stays bounded and nothing is dropped.
  void record(Span&& span);
  // The same for several spans in one go (the engine hands a bet's spans
  // over when its decision is durable): the vector itself goes into the
  // inbox, no span is moved. The vector is left empty.
  void record_all(std::vector<Span>&& spans);
  // An empty vector with room for n spans, for a batch to record_all(): one
  // of this thread's spares (buffers the drain has emptied, handed back to
  // the thread on its record_all() calls) when one is big enough, so a
  // thread that records in batches allocates none in the steady state.
  static std::vector<Span> span_buffer(size_t n);
  // The trace's spans still in the store, ordered by start_ns (copies).
  std::vector<Span> trace(const TraceId& id) const;
  // Spans evicted because the store was full (max_spans).
  uint64_t evicted() const;

  // Retention by age: evicts, oldest first, the stored spans that ended
  // before cutoff_ns, stopping at the first that did not (the store is in
  // recording order, which is end order up to a few in flight). Takes the
  // lock in slices so recording is never held up for long. Returns how many
  // went; expired() counts them all.
  size_t expire(int64_t cutoff_ns);
  uint64_t expired() const;

  // Trace sampling (telemetry/sampler.h). Set before traffic starts; null
  // (the default) keeps every span. The sampler sees spans on the draining
  // thread.
  void set_sampler(std::shared_ptr<TraceSampler> sampler);
  TraceSampler* sampler() const { return sampler_.get(); }

  // Visits every stored trace under the store's lock: fn(spans, n) gets the
  // trace's spans in store order (oldest first; not sorted by start). The
  // lock is held for the whole walk, so fn must be cheap and must copy what
  // it keeps (the pointers die with the lock), and read attributes with
  // visit()/contains()/find() (the stored spans are not rendered). Used by
  // telemetry/trace_query and alert/slice_finder.
  using TraceVisitor = TraceStore::TraceVisitor;
  void for_each_trace(const TraceVisitor& fn) const;
  // Number of spans / traces in the store now.
  size_t span_count() const;
  size_t trace_count() const;

  // An optional sink for finished spans (the OTLP exporter): called on the
  // draining thread after each drain that stored spans, with rendered copies
  // of them, one drain at a time. It must not block (queue and return) and
  // must not call back into the Tracer. set_exporter() first drains to the
  // sink being replaced, and no call to it is under way once it returns, so
  // set_exporter({}) at shutdown flushes the last spans to the old sink.
  using SpanSink = std::function<void(const std::vector<Span>&)>;
  void set_exporter(SpanSink sink);

  static constexpr size_t kChunk = 256;        // spans per chunk of record()ed spans
  static constexpr size_t kWakeAt = 1024;      // inbox spans that wake the drain thread
  static constexpr size_t kMaxInbox = 65536;   // past this the recorder drains itself
  static constexpr int kDrainEveryMs = 5;      // the drain thread's period when not woken
  static constexpr int kIdleAfterRounds = 20;  // periods with nothing to drain before it idles
  static constexpr int kIdleDrainEveryMs = 200;

 private:
  // The hand-off from recording threads; mu guards it. Batches go in as
  // they are (record_all); single spans (record) go into chunks of kChunk.
  // Emptied buffers are recycled: chunks through spare_chunks, batches back
  // to the recording threads through spare_batches, so recording never
  // allocates in the steady state, nor regrows or moves a big buffer.
  struct Entry {
    std::vector<Span> spans;
    bool chunk;  // a chunk of single spans (else a batch)
  };
  struct Inbox {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Entry> entries;  // in hand-off order
    bool chunk_open = false;     // entries.back() is a chunk with room
    std::vector<std::vector<Span>> spare_chunks;   // kChunk capacity
    std::vector<std::vector<Span>> spare_batches;  // for span_buffer()
    size_t pending = 0;          // spans in entries
    bool wake = false;           // the drain thread has been asked to run
    bool idle = false;           // it sleeps long: the next hand-off wakes it
    bool stop = false;
    bool threadless = false;     // no drain thread could be started
    std::thread drainer;
  };
  // Starts the drain thread if needed; true when the recorder must drain
  // (the inbox is far behind, or there is no drain thread). inbox_.mu held.
  bool after_hand_off_locked(size_t n, bool& wake);
  void after_hand_off(bool wake, bool behind);
  void recycle(std::vector<Entry>& drained) const;
  void drain() const;
  void drain_locked() const;  // drain_mu_ held
  // Packs copies into the store, then hands the spans themselves, rendered,
  // to the sink (the lists are left moved-from when there is one).
  void store_and_export(const std::vector<std::vector<Span>*>& lists) const;  // drain_mu_ held
  void drain_loop();

  mutable TraceStore store_;
  mutable Inbox inbox_;
  // One drain at a time, in hand-off order; guards the members below.
  mutable std::mutex drain_mu_;
  mutable std::vector<Entry> draining_;  // the inbox's entries, swapped out
  mutable std::vector<Span> kept_;       // what the sampler passed on
  mutable std::vector<std::vector<Span>*> to_store_;
  std::shared_ptr<const SpanSink> sink_;
  std::shared_ptr<TraceSampler> sampler_;  // set before traffic
};

}  // namespace inplay
