// libFuzzer target: FeedParser::parse must never crash, leak or hit UB on
// any bytes, and what it accepts must survive encode -> parse unchanged.
// Built and run by tests/fuzz/run.sh (clang, not CMake).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feed/dead_letter.h"
#include "feed/feed_message.h"
#include "feed/feed_parser.h"
#include "feed/recovery_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static inplay::FeedParser parser({"1.0", "1.1"});
  static inplay::FeedParser again({"1.0", "1.1"});
  std::string_view line(reinterpret_cast<const char*>(data), size);
  inplay::ParseResult r = parser.parse(line);
  if (r.ok()) {
    // Accepted lines round-trip exactly.
    inplay::ParseResult back = again.parse(inplay::encode_feed_message(r.message()));
    if (!back.ok() || !(back.message() == r.message())) std::abort();
  } else {
    // The record of a refused line is always one line.
    const auto& e = r.error();
    std::string rec = inplay::dead_letter_record(e.producer, inplay::feed_parse_reason_name(e.reason),
                                                 line, 0, 4096);
    if (rec.empty() || rec.back() != '\n' || rec.find('\n') != rec.size() - 1) std::abort();
  }
  (void)inplay::parse_recovery_request(line);
  return 0;
}
