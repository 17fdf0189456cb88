#include "journal/legacy_events.h"

#include <simdjson.h>

#include <stdexcept>

#include "telemetry/trace.h"

namespace inplay {

namespace {

// The reply a legacy record carried.
struct LegacyReply {
  int32_t status = 0;
  std::string body;
};

IdemTag get_legacy_idem(ByteReader& r, LegacyReply& reply) {
  IdemTag t;
  t.key = r.str();
  r.bytes(t.fingerprint.data(), t.fingerprint.size());
  reply.status = r.get<int32_t>();
  reply.body = r.str();
  return t;
}

// A string field of the body (nested under `object` when given); "" when
// the body is empty or has no such field.
std::string body_field(const std::string& body, const char* object, const char* field) {
  if (body.empty()) return "";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS)
    throw std::invalid_argument("legacy journal record: its reply body is not JSON");
  simdjson::dom::element at = doc;
  if (object && doc[object].get(at) != simdjson::SUCCESS) return "";
  std::string_view v;
  if (at[field].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

}  // namespace

BookEvent decode_legacy_event(EventType type, ByteReader& r) {
  LegacyReply reply;
  switch (type) {
    case EventType::kMoneyMovedV1: {
      MoneyMoved e;
      read_money_head(r, e);
      e.idem = get_legacy_idem(r, reply);
      parse_trace_id(body_field(reply.body, nullptr, "trace_id"), e.trace_id);
      return e;
    }
    case EventType::kBetAcceptedV1: {
      BetAccepted e;
      read_bet_head(r, e);
      parse_trace_id(r.str(), e.trace_id);
      e.idem = get_legacy_idem(r, reply);  // the body was rendered from the bet: never stored
      return e;
    }
    case EventType::kRejectedV1: {
      Rejected e;
      e.code = r.get<uint16_t>();
      e.at_ns = r.get<int64_t>();
      e.idem = get_legacy_idem(r, reply);
      e.message = body_field(reply.body, "error", "message");
      return e;
    }
    default: throw std::invalid_argument("not a legacy journal record type");
  }
}

}  // namespace inplay
