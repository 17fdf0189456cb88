// JsonWriter: builds compact JSON text into one string, escaping strings per
// RFC 8259. Parsing is done with simdjson where input arrives (http, feed).
//
// Contract: the caller pairs begin/end calls; the writer inserts commas. It
// never emits NaN/Inf (numbers are integers or preformatted decimals).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace inplay {

class JsonWriter {
 public:
  JsonWriter() = default;
  // Room for `reserve` bytes up front: a document written on a hot path
  // (a bet's reply) grows its buffer once instead of doubling its way up.
  explicit JsonWriter(size_t reserve) { out_.reserve(reserve); }
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(int64_t v);
  JsonWriter& value(uint64_t v);
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(bool v);
  JsonWriter& null();
  // Writes text verbatim as a value (a decimal like 2.5, or nested JSON).
  JsonWriter& raw(std::string_view json);
  template <class V>
  JsonWriter& field(std::string_view k, const V& v) {
    key(k);
    return value(v);
  }
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void comma();
  std::string out_;
  bool need_comma_ = false;
};

void json_escape_into(std::string& out, std::string_view s);

}  // namespace inplay
