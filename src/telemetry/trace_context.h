// Trace context: the ids of traces and spans, and the W3C trace context
// (traceparent) that carries them from a caller into this process.
//
// A TraceContext names the span a new span is the child of: a span of this
// process (Span::context, telemetry/span.h) or a caller's traceparent
// (parse_traceparent). Ids are random and never all zero (W3C):
// new_trace_id() and new_span_id() draw them from a per-thread
// xoshiro256**, so making one takes no lock and shares no cache line.
//
// Threads: any. Everything here is a pure function or uses only the
// calling thread's own generator.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Random, never all-zero ids from this thread's xoshiro256** (no lock).
TraceId new_trace_id();
SpanId new_span_id();

}  // namespace inplay
