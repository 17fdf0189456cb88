#include "feed/recovery_request.h"

#include <simdjson.h>

#include "core/json.h"
#include "feed/feed_message.h"

namespace inplay {

namespace sj = simdjson::ondemand;

std::string encode_recovery_request(uint64_t request_id) {
  JsonWriter w;
  w.begin_object().field("type", "recovery_request").field("request_id", request_id).end_object();
  return w.take();
}

std::optional<uint64_t> parse_recovery_request(std::string_view line) {
  if (line.size() > kMaxFeedLineBytes) return std::nullopt;
  sj::parser parser;
  simdjson::padded_string padded(line);
  sj::document doc;
  sj::object obj;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) return std::nullopt;
  std::optional<uint64_t> id;
  bool is_request = false;
  for (auto fr : obj) {
    sj::field f;
    std::string_view key;
    if (std::move(fr).get(f) || f.unescaped_key().get(key)) return std::nullopt;
    if (key == "type") {
      std::string_view t;
      if (f.value().get_string().get(t)) return std::nullopt;
      is_request = t == "recovery_request";
    } else if (key == "request_id") {
      uint64_t v;
      if (f.value().get_uint64().get(v)) return std::nullopt;
      id = v;
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) return std::nullopt;
  if (!is_request) return std::nullopt;
  return id;
}

}  // namespace inplay
