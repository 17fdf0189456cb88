#include "telemetry/span.h"

#include <charconv>
#include <cstring>

namespace inplay {

SpanAttributes& SpanAttributes::operator=(const SpanAttributes& o) {
  if (this != &o) {
    rendered_ = o.rendered_;
    copy_held(o);
  }
  return *this;
}

SpanAttributes& SpanAttributes::operator=(SpanAttributes&& o) noexcept {
  if (this != &o) {
    rendered_ = std::move(o.rendered_);
    take_held(o);
  }
  return *this;
}

void SpanAttributes::copy_held(const SpanAttributes& o) {
  count_ = o.count_;
  std::memcpy(static_cast<void*>(held_), o.held_, count_ * sizeof(Held));
}

void SpanAttributes::take_held(SpanAttributes& o) {
  copy_held(o);
  o.count_ = 0;
  o.rendered_.clear();
}

void SpanAttributes::add(std::string_view key, std::string_view value) {
  if (count_ < kHeld && value.size() <= kHeldText && key.size() <= UINT8_MAX) {
    Held& h = held_[count_++];
    h.key = key.data();
    h.key_len = static_cast<uint8_t>(key.size());
    h.len = static_cast<uint8_t>(value.size());
    std::memcpy(h.text, value.data(), value.size());
    return;
  }
  render();  // keeps the order: everything held goes first
  rendered_.emplace_back(key, std::string(value));
}

void SpanAttributes::add(std::string_view key, int64_t value) {
  if (count_ < kHeld && key.size() <= UINT8_MAX) {
    Held& h = held_[count_++];
    h.key = key.data();
    h.key_len = static_cast<uint8_t>(key.size());
    h.len = kInt;
    std::memcpy(h.text, &value, sizeof value);
    return;
  }
  render();
  rendered_.emplace_back(key, std::to_string(value));
}

namespace {

// The decimal text of an int64 in buf (20 chars hold INT64_MIN).
std::string_view int_text(const char* bytes, char (&buf)[20]) {
  int64_t v;
  std::memcpy(&v, bytes, sizeof v);
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf)};
}

}  // namespace

void SpanAttributes::render() const {
  if (count_ == 0) return;
  rendered_.reserve(rendered_.size() + count_);
  char buf[20];
  for (size_t i = 0; i < count_; ++i) {
    const Held& h = held_[i];
    std::string_view v = h.len == kInt ? int_text(h.text, buf) : std::string_view(h.text, h.len);
    rendered_.emplace_back(h.key_view(), std::string(v));
  }
  count_ = 0;
}

bool SpanAttributes::contains(std::string_view key, std::string_view value) const {
  for (const auto& [k, v] : rendered_)
    if (k == key && v == value) return true;
  char buf[20];
  for (size_t i = 0; i < count_; ++i) {
    const Held& h = held_[i];
    if (h.key_view() != key) continue;
    if ((h.len == kInt ? int_text(h.text, buf) : std::string_view(h.text, h.len)) == value) return true;
  }
  return false;
}

}  // namespace inplay
