// The recovery request: the one line Inplay sends a provider, asking for a
// snapshot of everything it prices (after a connect, a sequence gap or an
// alive timeout). Both sides of it live here: the desk encodes it, the
// simulated provider (and any provider-side tool) parses it.
//   {"type":"recovery_request","request_id":7}
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inplay {

// One JSON line, no '\n'.
std::string encode_recovery_request(uint64_t request_id);

// Reads {"type":"recovery_request","request_id":N} (members in any order,
// nothing after the object). Returns nothing for any other or malformed
// line. Not for hot paths (allocates).
std::optional<uint64_t> parse_recovery_request(std::string_view line);

}  // namespace inplay
