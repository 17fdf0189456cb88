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
// Attribute keys live in telemetry/attributes.h; never spell one inline.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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

struct Span {
  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_id{};  // all zero for a root span
  std::string name;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool error = false;
  uint8_t flags = 1;        // the trace's W3C flags, inherited from the parent
  bool local_root = true;   // no parent in this process: the trace's entry span
  std::vector<std::pair<std::string_view, std::string>> attributes;

  void attr(std::string_view key, std::string value) { attributes.emplace_back(key, std::move(value)); }
  void attr(std::string_view key, int64_t value) { attributes.emplace_back(key, std::to_string(value)); }
  TraceContext context() const { return TraceContext{trace_id, span_id, flags, true}; }
};

class TraceSampler;

class Tracer {
 public:
  explicit Tracer(size_t max_spans = 200000);
  ~Tracer();
  // A new span: child of parent if valid, else the root of a new trace. It
  // inherits the parent's flags, and is a local root unless parent.local.
  Span start(std::string_view name, const TraceContext& parent, int64_t start_ns);
  // Random, never all-zero ids from a per-thread xoshiro256** (no lock).
  TraceId new_trace_id();
  SpanId new_span_id();
  // Stores a finished span (moves it), or hands it to the sampler if set.
  void record(Span&& span);
  // Stores several finished spans under one lock (the engine hands a bet's
  // spans over in one go, off its own thread); through the sampler if set.
  void record_all(std::vector<Span>&& spans);
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
  // (the default) keeps every span.
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

  // An optional sink for finished spans (the OTLP exporter): called after
  // every record()/record_all() on the recording thread, outside the store's
  // lock, with copies of the spans just stored. It must not block (queue and
  // return). Set before traffic starts; an empty function switches it off.
  using SpanSink = std::function<void(const std::vector<Span>&)>;
  void set_exporter(SpanSink sink);

 private:
  // Finds the stored spans of one trace without a scan: each trace's slots
  // form a FIFO list threaded through next_in_trace_. Eviction is oldest
  // first, so the evicted slot is always its trace's head: O(1) per record.
  struct Chain {
    uint32_t head, tail;
  };
  void unindex(size_t slot);
  void store_locked(Span&& span, Span& evicted);
  void pop_oldest_locked(Span& out);
  void store_all(std::vector<Span>&& spans);

  mutable std::mutex mu_;
  size_t max_spans_;
  // A circular store over max_spans_ slots: the live spans are
  // [head_, head_ + count_) mod max_spans_, oldest first. ring_ grows to
  // max_spans_ by push_back, then slots are reused.
  std::vector<Span> ring_;
  std::vector<uint32_t> next_in_trace_;  // parallel to ring_; kNone ends a chain
  size_t head_ = 0;
  size_t count_ = 0;
  uint64_t evicted_ = 0;
  uint64_t expired_ = 0;
  std::unordered_map<TraceId, Chain, TraceIdHash> index_;
  std::atomic<bool> has_sink_{false};
  std::shared_ptr<const SpanSink> sink_;  // guarded by mu_
  std::shared_ptr<TraceSampler> sampler_;  // set before traffic
};

}  // namespace inplay
