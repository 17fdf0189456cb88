// RFC 3339 UTC rendering of book times ("2026-11-27T20:00:00.123Z").
#pragma once
#include <cstdint>
#include <string>

namespace inplay {
std::string rfc3339_ms(int64_t unix_ns);
}
