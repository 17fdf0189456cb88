// WireText: checks on the text of values read off the wire — label-safe
// names, JSON number syntax, trailing-whitespace trimming of raw number
// tokens, and why a text is not acceptable odds. Pure functions; used by the
// feed parser and the HTTP body reader.
#pragma once
#include <cstddef>
#include <string_view>

#include "feed/feed_parser.h"

namespace inplay {

// 1..max chars of [A-Za-z0-9_.-].
bool valid_name_chars(std::string_view s, size_t max);
bool valid_producer(std::string_view s);      // 1..64
bool valid_schema_label(std::string_view s);  // 1..32
bool valid_league(std::string_view s);        // 1..64 bytes, no control chars
// Drops trailing JSON whitespace (simdjson's raw tokens keep it).
std::string_view trim_ws(std::string_view t);
// RFC 8259 number syntax.
bool is_json_number(std::string_view t);
// ASCII case-insensitive compare; b must be lower case.
bool iequals(std::string_view a, std::string_view b);
// Why text is not acceptable odds (Odds::parse already said no).
FeedParseReason classify_bad_odds(std::string_view t);

}  // namespace inplay
