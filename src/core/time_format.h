// RFC 3339 UTC rendering of book times ("2026-11-27T20:00:00.123Z").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace inplay {
std::string rfc3339_ms(int64_t unix_ns);
// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" into ns since the
// epoch (fraction digits past nanoseconds dropped); false on anything else,
// and for years outside 1970..2261 (int64 nanoseconds).
bool parse_rfc3339_ns(std::string_view s, int64_t& out);
}
