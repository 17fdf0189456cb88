// LocalFeedLink: a simulated provider wired straight into the FeedDesk, for
// the simulated clock. The provider's tick() runs from an engine timer and
// hands over the lines it releases; the link parses them (the same strict
// FeedParser and dead-letter path as the TCP client) and gives them to the
// desk on the spot. No socket, no thread: a 90-minute match advanced in one
// call plays out in time order, deterministically for a seed. Engine thread.
#pragma once
#include <cstddef>
#include <string_view>

#include "feed/feed_desk.h"
#include "feed/dead_letter.h"
#include "feed/feed_parser.h"
#include "sim/feed_provider.h"

namespace inplay {

class LocalFeedLink {
 public:
  LocalFeedLink(FeedDesk& desk, size_t feed, FeedProvider& provider, DeadLetterFile* dead,
                const Clock& clock);
  // Connects (the desk asks for a recovery through the provider).
  void connect();

 private:
  void deliver(std::string_view lines);

  FeedDesk& desk_;
  size_t feed_;
  FeedProvider& provider_;
  DeadLetterFile* dead_;
  const Clock& clock_;
  FeedParser parser_;
};

}  // namespace inplay
