// Span: one timed hop of a trace, as a plain record (ids, parent, name,
// start/end from the injected Clock, attributes). Code fills it and hands it
// to Tracer::record() (telemetry/tracer.h).
//
// Threads: a span belongs to the one thread that fills it until it is
// recorded; from then on the Tracer owns it, and every span the Tracer hands
// out again (trace(), the exporter's copies) has its attributes rendered, so
// readers on other threads only read it; for_each_trace() hands out the
// stored spans under the store's lock, read with visit()/contains()/find().
//
// Attribute keys live in telemetry/attributes.h; never spell one inline.
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/trace_context.h"

namespace inplay {

// A span's attributes: (key, value) pairs in the order they were set, read
// as std::pair<std::string_view, std::string> (the key views one of the
// constants of telemetry/attributes.h, which outlive every span). Setting one
// allocates nothing: the first kHeld values live inside the span, typed (an
// int64, or text of up to kHeldText bytes), and are rendered to strings when
// they are first read; only a longer text, or one attribute too many, is
// rendered at once. Iterating renders, so a span shared between threads must
// be rendered first: the Tracer renders every copy it hands out (trace(),
// the exporter's copies), and a span not yet recorded belongs to the one
// thread filling it. visit(), contains() and find() read without rendering.
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
  // Calls fn(key, value) for each attribute in order (both string_views; an
  // int64 as its decimal text, in a buffer that lives for the call). Does
  // not render and allocates nothing: what readers of the store's shared
  // spans use (TraceStore::for_each_trace), so that a walk over every trace
  // leaves each span as small as it was.
  template <class Fn>
  void visit(Fn&& fn) const {
    for (const auto& [k, v] : rendered_) fn(k, std::string_view(v));
    char buf[20];
    for (size_t i = 0; i < count_; ++i) fn(held_[i].key_view(), held_[i].value(buf));
  }
  // As visit(), but an int64 held unrendered comes to on_int(key, value)
  // as the integer (what StoredSpan packs). Does not render.
  template <class Text, class Int>
  void visit_typed(Text&& on_text, Int&& on_int) const {
    for (const auto& [k, v] : rendered_) on_text(k, std::string_view(v));
    for (size_t i = 0; i < count_; ++i) {
      const Held& h = held_[i];
      if (h.len == kInt) on_int(h.key_view(), h.as_int());
      else on_text(h.key_view(), std::string_view(h.text, h.len));
    }
  }
  // True when an attribute `key` has the value `value` (an int64 compares as
  // its decimal text). Does not render.
  bool contains(std::string_view key, std::string_view value) const;
  // The value of the first attribute `key` (an int64's text written into
  // buf), or nullopt. Does not render, allocates nothing.
  std::optional<std::string_view> find(std::string_view key, char (&buf)[20]) const;
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
    int64_t as_int() const {  // len == kInt
      int64_t v;
      std::memcpy(&v, text, sizeof v);
      return v;
    }
    // The text, or the int64's decimal text written into buf.
    std::string_view value(char (&buf)[20]) const;
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

}  // namespace inplay
