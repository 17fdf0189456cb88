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

std::string_view SpanAttributes::Held::value(char (&buf)[20]) const {
  if (len != kInt) return {text, len};
  // 20 chars hold INT64_MIN
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, as_int()).ptr - buf)};
}

void SpanAttributes::render() const {
  if (count_ == 0) return;
  rendered_.reserve(rendered_.size() + count_);
  char buf[20];
  for (size_t i = 0; i < count_; ++i) rendered_.emplace_back(held_[i].key_view(), std::string(held_[i].value(buf)));
  count_ = 0;
}

bool SpanAttributes::contains(std::string_view key, std::string_view value) const {
  for (const auto& [k, v] : rendered_)
    if (k == key && v == value) return true;
  char buf[20];
  for (size_t i = 0; i < count_; ++i)
    if (held_[i].key_view() == key && held_[i].value(buf) == value) return true;
  return false;
}

std::optional<std::string_view> SpanAttributes::find(std::string_view key, char (&buf)[20]) const {
  for (const auto& [k, v] : rendered_)
    if (k == key) return v;
  for (size_t i = 0; i < count_; ++i)
    if (held_[i].key_view() == key) return held_[i].value(buf);
  return std::nullopt;
}

}  // namespace inplay
