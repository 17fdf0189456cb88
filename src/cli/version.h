// The version of this build of inplay, as `inplay --version` prints it
// ("inplay 0.1.0"). Bump it with each release; docs/feed-protocol.md and the
// journal's record numbers (src/journal/events.h) version themselves.
#pragma once
#include <string>

namespace inplay {

inline constexpr const char* kInplayVersion = "0.1.0";

inline std::string version_line() { return std::string("inplay ") + kInplayVersion; }

}  // namespace inplay
