#include "sim/local_feed_link.h"

namespace inplay {

LocalFeedLink::LocalFeedLink(FeedDesk& desk, size_t feed, FeedProvider& provider, DeadLetterFile* dead,
                             const Clock& clock)
    : desk_(desk),
      feed_(feed),
      provider_(provider),
      dead_(dead),
      clock_(clock),
      parser_(desk.feed(feed).accepted_schemas) {}

void LocalFeedLink::connect() {
  provider_.set_local_sink([this](std::string_view lines) { deliver(lines); });
  desk_.set_sender(feed_, [this](std::string line) { provider_.request(line); });
  desk_.on_connected(feed_);
}

void LocalFeedLink::deliver(std::string_view lines) {
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    if (line.empty()) continue;
    ParseResult r = parser_.parse(line);
    if (r.ok()) {
      desk_.on_message(feed_, std::move(r.message()), monotonic_ns());
      continue;
    }
    const ParseError& e = r.error();
    if (dead_)
      dead_->write(e.producer.empty() ? desk_.feed(feed_).name : e.producer,
                   feed_parse_reason_name(e.reason), line, to_ms(clock_.now()));
    desk_.on_parse_error(feed_, e);
  }
}

}  // namespace inplay
