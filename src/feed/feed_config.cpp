#include "feed/feed_config.h"

namespace inplay {

const char* feed_role_name(FeedRole r) {
  switch (r) {
    case FeedRole::kPrimary: return "primary";
    case FeedRole::kBackup: return "backup";
    case FeedRole::kReference: return "reference";
  }
  return "unknown";
}

bool parse_feed_role(std::string_view s, FeedRole& out) {
  for (auto r : {FeedRole::kPrimary, FeedRole::kBackup, FeedRole::kReference})
    if (s == feed_role_name(r)) {
      out = r;
      return true;
    }
  return false;
}

}  // namespace inplay
