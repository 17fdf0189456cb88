// Trace: the minimal OpenTelemetry-shaped tracing API of the bet path.
//
// TraceContext is the W3C trace context (traceparent). A Span is a plain
// record (ids, parent, name, start/end from the injected Clock, attributes);
// code fills it and hands it to Tracer::record(). The Tracer keeps the most
// recent spans in a bounded in-memory store (oldest evicted when full, or
// older than a maximum age on a retention sweep: expire()) that
// GET /v1/traces/{trace_id} reads. With a TraceSampler set (set_sampler),
// only the traces it keeps reach the store and the exporter (see
// telemetry/sampler.h). All methods are thread-safe.
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
//
// Attribute keys live in telemetry/attributes.h; never spell one inline.
#pragma once
#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace inplay {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

struct TraceContext {
  TraceId trace_id{};
  SpanId span_id{};  // the caller's span: parent of the next span
  uint8_t flags = 1; // bit 0: sampled (W3C); a caller's 00 is a head "drop"
  // True when the context comes from a span of this process (Span::context),
  // false when parsed from a caller's traceparent: a span whose parent is
  // not local is the local root of its trace.
  bool local = false;
  bool valid() const;
};

// Hash of trace ids for hash maps, seeded per process: trace ids arrive in
// caller headers, so no crafted set of them can pile into one bucket.
struct TraceIdHash {
  size_t operator()(const TraceId& id) const noexcept;
};

// Parses "00-<32 hex>-<16 hex>-<2 hex>" strictly (version 00, lower-case
// hex, non-zero ids). nullopt on anything else.
std::optional<TraceContext> parse_traceparent(std::string_view header);
std::string format_traceparent(const TraceContext& ctx);
std::string to_hex(const uint8_t* p, size_t n);
template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& a) {
  return to_hex(a.data(), N);
}
// Parses 32 lower/upper-case hex chars; false otherwise.
bool parse_trace_id(std::string_view hex, TraceId& out);

// A span's attributes: (key, value) pairs in the order they were set, read
// as std::pair<std::string_view, std::string> (the key views one of the
// constants of telemetry/attributes.h, which outlive every span). Setting one
// allocates nothing: the first kHeld values live inside the span, typed (an
// int64, or text of up to kHeldText bytes), and are rendered to strings when
// they are first read; only a longer text, or one attribute too many, is
// rendered at once. Reading renders, so a span shared between threads must
// be rendered first: the Tracer renders every span it hands out (trace(),
// for_each_trace(), the exporter's copies), and a span not yet recorded
// belongs to the one thread filling it.
class SpanAttributes {
 public:
  using value_type = std::pair<std::string_view, std::string>;
  using const_iterator = std::vector<value_type>::const_iterator;

  SpanAttributes() {}  // held_ slots past count_ stay uninitialised: never read
  SpanAttributes(const SpanAttributes& o) : rendered_(o.rendered_) { copy_held(o); }
  SpanAttributes(SpanAttributes&& o) noexcept : rendered_(std::move(o.rendered_)) { take_held(o); }
  SpanAttributes& operator=(const SpanAttributes& o);
  SpanAttributes& operator=(SpanAttributes&& o) noexcept;

  void add(std::string_view key, std::string_view value);
  void add(std::string_view key, int64_t value);

  size_t size() const { return rendered_.size() + count_; }
  bool empty() const { return size() == 0; }
  const_iterator begin() const {
    render();
    return rendered_.begin();
  }
  const_iterator end() const {
    render();
    return rendered_.end();
  }
  const value_type& operator[](size_t i) const {
    render();
    return rendered_[i];
  }
  // True when an attribute `key` has the value `value` (an int64 compares as
  // its decimal text). Does not render.
  bool contains(std::string_view key, std::string_view value) const;
  // Renders the held values into strings (allocates; a no-op once done).
  void render() const;

 private:
  static constexpr size_t kHeld = 8;       // a risk span carries up to 8
  static constexpr size_t kHeldText = 22;  // a user pseudonym is 18
  static constexpr uint8_t kInt = 0xff;    // Held::len of an int64
  struct Held {                            // 32 bytes
    const char* key;          // the key's characters (it outlives the span)
    uint8_t key_len;
    uint8_t len;              // text length, or kInt
    char text[kHeldText];     // the text, or the int64's bytes
    std::string_view key_view() const { return {key, key_len}; }
  };
  void copy_held(const SpanAttributes& o);
  void take_held(SpanAttributes& o);

  mutable std::vector<value_type> rendered_;  // set first, in order
  mutable uint8_t count_ = 0;                 // held_[0, count_) come after rendered_
  Held held_[kHeld];
};

// Aligned to a cache line: a span written on one thread and read on another
// (the drain) touches as few lines as its fields need.
struct alignas(64) Span {
  // Not an aggregate on purpose: Span{} and vector::emplace_back() would
  // zero the held attribute slots (a few hundred bytes) on every span.
  Span() {}

  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_id{};  // all zero for a root span
  std::string name;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool error = false;
  uint8_t flags = 1;        // the trace's W3C flags, inherited from the parent
  bool local_root = true;   // no parent in this process: the trace's entry span
  SpanAttributes attributes;

  void attr(std::string_view key, std::string_view value) { attributes.add(key, value); }
  void attr(std::string_view key, int64_t value) { attributes.add(key, value); }
  TraceContext context() const { return TraceContext{trace_id, span_id, flags, true}; }
};

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
  // Random, never all-zero ids from a per-thread xoshiro256** (no lock).
  TraceId new_trace_id();
  SpanId new_span_id();
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
  // it keeps (the pointers die with the lock). Used by telemetry/trace_query.
  using TraceVisitor = std::function<void(const Span* const* spans, size_t n)>;
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
  // Finds the stored spans of one trace without a scan: each trace's slots
  // form a FIFO list threaded through next_in_trace. Eviction is oldest
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
  // The bounded store. Written by the drain, read by the readers; mu guards it.
  struct Store {
    std::mutex mu;
    size_t max_spans;
    // A circular store over max_spans slots: the live spans are
    // [head, head + count) mod max_spans, oldest first. ring grows to
    // max_spans by push_back, then slots are reused.
    std::vector<Span> ring;
    std::vector<uint32_t> next_in_trace;  // parallel to ring; kNone ends a chain
    size_t head = 0;
    size_t count = 0;
    uint64_t evicted = 0;
    uint64_t expired = 0;
    TraceIndex index;

    void unindex(size_t slot);
    void put(Span&& span);  // mu held
    void pop_oldest(Span& out);  // mu held
  };
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
  // Moves the spans into the store and hands the sink rendered copies.
  void store_and_export(const std::vector<std::vector<Span>*>& lists) const;  // drain_mu_ held
  void drain_loop();

  mutable Store store_;
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
