#include "core/json.h"

#include <fmt/format.h>

namespace inplay {

void json_escape_into(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  // Plain bytes are copied in runs (one append per run, not per byte); only
  // '"', '\\' and control characters are rewritten.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void JsonWriter::comma() {
  if (need_comma_) out_.push_back(',');
}

JsonWriter& JsonWriter::begin_object() {
  comma();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  comma();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  comma();
  json_escape_into(out_, k);
  out_.push_back(':');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
  comma();
  json_escape_into(out_, s);
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(int64_t v) {
  comma();
  fmt::format_to(std::back_inserter(out_), "{}", v);
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(uint64_t v) {
  comma();
  fmt::format_to(std::back_inserter(out_), "{}", v);
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(bool v) {
  comma();
  out_ += v ? "true" : "false";
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::null() {
  comma();
  out_ += "null";
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::raw(std::string_view json) {
  comma();
  out_ += json;
  need_comma_ = true;
  return *this;
}

}  // namespace inplay
