#include "telemetry/stored_span.h"

#include <algorithm>
#include <charconv>

namespace inplay {

namespace {

// Bytes an attribute takes in the block.
size_t text_size(std::string_view v) { return 8 + 1 + 1 + (v.size() < 0xfe ? 0 : 4) + v.size(); }
constexpr size_t kIntSize = 8 + 1 + 1 + 8;

template <class T>
char* put(char* p, const T& v) {
  std::memcpy(p, &v, sizeof v);
  return p + sizeof v;
}

template <class T>
const char* get(const char* p, T& v) {
  std::memcpy(&v, p, sizeof v);
  return p + sizeof v;
}

char* put_key(char* p, std::string_view key) {
  p = put(p, key.data());
  return put(p, static_cast<uint8_t>(key.size()));
}

}  // namespace

StoredSpan::StoredSpan(const Span& s)
    : trace_id(s.trace_id),
      span_id(s.span_id),
      parent_id(s.parent_id),
      start_ns(s.start_ns),
      end_ns(s.end_ns),
      flags_(s.flags),
      error_(s.error),
      local_root_(s.local_root) {
  const std::string_view name(s.name.data(), std::min<size_t>(s.name.size(), UINT16_MAX));
  size_t bytes = 2 + name.size();
  size_t count = 0;
  // Keys longer than a u8 are not kept (SpanAttributes never holds one
  // inline; attributes.h has none), nor attributes past a u16's count.
  auto keep = [&](std::string_view k) { return k.size() <= UINT8_MAX && count < UINT16_MAX; };
  s.attributes.visit_typed(
      [&](std::string_view k, std::string_view v) {
        if (keep(k)) bytes += text_size(v), ++count;
      },
      [&](std::string_view k, int64_t) {
        if (keep(k)) bytes += kIntSize, ++count;
      });
  if (name.empty() && count == 0) return;
  block_ = std::make_unique_for_overwrite<char[]>(bytes);
  char* p = put(block_.get(), static_cast<uint16_t>(name.size()));
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  count = 0;
  s.attributes.visit_typed(
      [&](std::string_view k, std::string_view v) {
        if (!keep(k)) return;
        ++count;
        p = put_key(p, k);
        if (v.size() < kLong) {
          p = put(p, static_cast<uint8_t>(v.size()));
        } else {
          p = put(p, kLong);
          p = put(p, static_cast<uint32_t>(v.size()));
        }
        std::memcpy(p, v.data(), v.size());
        p += v.size();
      },
      [&](std::string_view k, int64_t v) {
        if (!keep(k)) return;
        ++count;
        p = put(put(put_key(p, k), kInt), v);
      });
  attr_count_ = static_cast<uint16_t>(count);
}

std::string_view StoredSpan::name() const {
  if (!block_) return {};
  uint16_t n;
  get(block_.get(), n);
  return {block_.get() + 2, n};
}

const char* StoredSpan::attrs_begin() const { return block_ ? block_.get() + 2 + name().size() : nullptr; }

const char* StoredSpan::read_attr(const char* p, std::string_view& key, std::string_view& value, char (&buf)[20]) {
  const char* kp;
  uint8_t klen, tag;
  p = get(get(get(p, kp), klen), tag);
  key = {kp, klen};
  if (tag == kInt) {
    int64_t v;
    p = get(p, v);
    value = {buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf)};
    return p;
  }
  uint32_t len = tag;
  if (tag == kLong) p = get(p, len);
  value = {p, len};
  return p + len;
}

bool StoredSpan::contains(std::string_view key, std::string_view value) const {
  char buf[20];
  const char* p = attrs_begin();
  for (uint16_t i = 0; i < attr_count_; ++i) {
    std::string_view k, v;
    p = read_attr(p, k, v, buf);
    if (k == key && v == value) return true;
  }
  return false;
}

std::optional<std::string_view> StoredSpan::find(std::string_view key, char (&buf)[20]) const {
  char scratch[20];
  const char* p = attrs_begin();
  for (uint16_t i = 0; i < attr_count_; ++i) {
    std::string_view k, v;
    p = read_attr(p, k, v, scratch);
    if (k != key) continue;
    if (v.data() != scratch) return v;
    std::memcpy(buf, scratch, v.size());
    return std::string_view(buf, v.size());
  }
  return std::nullopt;
}

Span StoredSpan::unpack() const {
  Span s;
  s.trace_id = trace_id;
  s.span_id = span_id;
  s.parent_id = parent_id;
  s.name = std::string(name());
  s.start_ns = start_ns;
  s.end_ns = end_ns;
  s.error = error_;
  s.flags = flags_;
  s.local_root = local_root_;
  visit([&](std::string_view k, std::string_view v) { s.attributes.add(k, v); });
  s.attributes.render();
  return s;
}

size_t StoredSpan::heap_bytes() const {
  if (!block_) return 0;
  char buf[20];
  const char* p = attrs_begin();
  for (uint16_t i = 0; i < attr_count_; ++i) {
    std::string_view k, v;
    p = read_attr(p, k, v, buf);
  }
  return static_cast<size_t>(p - block_.get());
}

}  // namespace inplay
