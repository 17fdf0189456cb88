// StoredSpan: a finished span as the TraceStore keeps it, compact.
//
// A Span (telemetry/span.h) is built for filling: eight inline attribute
// slots, a name string, cache-line aligned, 384 bytes whatever it carries.
// The store holds up to max_spans of them for hours, so once a span is
// finished it is packed: the ids, times and flags in a 64-byte record, and
// the name and attributes in one heap block sized to what they hold (a
// bet's risk span: ~130 bytes). Integers stay integers (8 bytes, rendered
// as decimal text when read); a key is kept as the pointer to its constant
// (telemetry/attributes.h: keys outlive every span).
//
// Readers get the same answers as from the Span it was packed from:
// name(), visit(), contains(), find() read without allocating (what a walk
// over the whole store uses), and unpack() gives the Span back, attributes
// rendered, in their order. Immutable once packed; safe to read from any
// thread that holds the store's lock.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "telemetry/span.h"
#include "telemetry/trace_context.h"

namespace inplay {

class StoredSpan {
 public:
  StoredSpan() = default;
  explicit StoredSpan(const Span& s);  // packs s (renders nothing in s)
  StoredSpan(StoredSpan&&) noexcept = default;
  StoredSpan& operator=(StoredSpan&&) noexcept = default;

  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_id{};
  int64_t start_ns = 0;
  int64_t end_ns = 0;

  bool error() const { return error_; }
  uint8_t flags() const { return flags_; }
  bool local_root() const { return local_root_; }
  std::string_view name() const;
  size_t attribute_count() const { return attr_count_; }

  // Calls fn(key, value) for each attribute in order (an int64 as its
  // decimal text, in a buffer that lives for the call). Allocates nothing.
  template <class Fn>
  void visit(Fn&& fn) const {
    char buf[20];
    const char* p = attrs_begin();
    for (uint16_t i = 0; i < attr_count_; ++i) {
      std::string_view k, v;
      p = read_attr(p, k, v, buf);
      fn(k, v);
    }
  }
  // True when an attribute `key` has the value `value` (an int64 compares as
  // its decimal text).
  bool contains(std::string_view key, std::string_view value) const;
  // The value of the first attribute `key` (an int64's text written into
  // buf), or nullopt.
  std::optional<std::string_view> find(std::string_view key, char (&buf)[20]) const;
  // The Span it was packed from, attributes rendered.
  Span unpack() const;
  // Bytes of its heap block (0 for an empty span): for the store's memory tests.
  size_t heap_bytes() const;

 private:
  // The block: u16 name length, the name, then per attribute: the key's
  // pointer (8 bytes), its length (u8), a tag (kInt: 8 bytes of int64
  // follow; kLong: a u32 length and the text; else the text's length, then
  // the text).
  static constexpr uint8_t kInt = 0xff;
  static constexpr uint8_t kLong = 0xfe;
  const char* attrs_begin() const;
  static const char* read_attr(const char* p, std::string_view& key, std::string_view& value, char (&buf)[20]);

  std::unique_ptr<char[]> block_;
  uint16_t attr_count_ = 0;
  uint8_t flags_ = 1;
  bool error_ = false;
  bool local_root_ = true;
};

}  // namespace inplay
