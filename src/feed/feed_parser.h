// FeedParser: turns one line of the feed protocol (docs/feed-protocol.md)
// into a FeedMessage, or says precisely why it cannot.
//
// Strict: the line must be exactly one JSON object (only whitespace after
// it), valid JSON throughout (unknown extra fields are read and validated,
// then ignored), with every required field present once, of the right type
// and in range. Anything else is a ParseError with a FeedParseReason; a
// parse error never yields a partial message.
//
// For the schema canary (ODDS-8) and the feed_parse_errors_total labels, a
// ParseError still carries the producer, schema and league when they could
// be read and are valid label values; a line whose schema is readable and
// not accepted reports kSchemaUnsupported even if the rest of it is broken
// too (a new version usually renames fields), so skew is never mistaken for
// noise.
//
// One FeedParser per thread (it owns the simdjson parser and a reusable
// padded buffer; parse() allocates only for the message it returns).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "feed/feed_message.h"

namespace inplay {

// Stable: the names are metric label values (feed_parse_errors_total{reason}).
enum class FeedParseReason : uint8_t {
  kInvalidJson,        // not JSON, truncated, or content after the object
  kNotObject,          // valid JSON but not an object
  kMissingField,       // a required field is absent
  kWrongType,          // a field has the wrong JSON type (e.g. "seq":"5")
  kUnknownType,        // "type" names no message type
  kSchemaUnsupported,  // "schema" is not among the accepted versions
  kOddsOutOfRange,     // odds not finite or outside [1.01, 1000]
  kBadValue,           // right type, invalid value (seq 0, bad producer, duplicate field...)
  kLineTooLong,        // more than kMaxFeedLineBytes
};
inline constexpr int kFeedParseReasonCount = 9;
// "invalid_json", "not_object", "missing_field", "wrong_type",
// "unknown_type", "schema_unsupported", "odds_out_of_range", "bad_value",
// "line_too_long".
const char* feed_parse_reason_name(FeedParseReason r);

struct ParseError {
  FeedParseReason reason = FeedParseReason::kInvalidJson;
  std::string detail;    // human readable: which field and why
  std::string producer;  // empty unless read and valid ([A-Za-z0-9_.-]{1,64})
  std::string league;    // empty unless read (1..64 printable chars)
  std::string schema;    // empty unless read (1..32 chars [A-Za-z0-9_.-])
  // The envelope's seq when it could be read (an integer >= 1), else 0: a
  // refused line still takes its place in the sequence, so the line after
  // it is no gap (a gap asks the provider for a snapshot, which would carry
  // the same refused lines again).
  uint64_t seq = 0;
};

class ParseResult {
 public:
  ParseResult(FeedMessage m) : v_(std::move(m)) {}
  ParseResult(ParseError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  FeedMessage& message() { return std::get<0>(v_); }
  const FeedMessage& message() const { return std::get<0>(v_); }
  const ParseError& error() const { return std::get<1>(v_); }

 private:
  std::variant<FeedMessage, ParseError> v_;
};

class FeedParser {
 public:
  // accepted_schemas: the versions this feed accepts, e.g. {"1.0"}.
  explicit FeedParser(std::vector<std::string> accepted_schemas);
  ~FeedParser();
  FeedParser(const FeedParser&) = delete;
  FeedParser& operator=(const FeedParser&) = delete;

  // line: one line without its '\n' (a trailing '\r' or spaces are JSON
  // whitespace and accepted).
  ParseResult parse(std::string_view line);

  const std::vector<std::string>& accepted_schemas() const { return accepted_; }

 private:
  struct Impl;
  std::vector<std::string> accepted_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inplay
