// libFuzzer target: the Betfair Exchange Stream adapter (feed/betfair/
// market_cache.h) on any bytes, one message per line, each input a fresh
// cache. It must never crash, leak or hit UB, and a message it refuses
// (ApplyResult::Kind::Error) changes nothing: no market appears or goes.
// Built and run by tests/fuzz/run.sh (clang, not CMake); its seeds are the
// recorded streams in ../shared/data/betfair-stream.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "feed/betfair/market_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  inplay::betfair::MarketCache cache;
  size_t events = 0;
  cache.set_listener([&](const inplay::betfair::MarketEvent&) { ++events; });
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    const size_t markets = cache.markets().size(), before = events;
    inplay::betfair::ApplyResult r = cache.apply(line);
    if (!r && (cache.markets().size() != markets || events != before)) std::abort();
  }
  return 0;
}
