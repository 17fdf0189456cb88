// Feed parse throughput (issue 3 "Speed"): odds_change lines per second per
// core through FeedParser::parse, on a recorded-like feed of 100,000 lines
// made with encode_feed_message (1 market, sometimes 2; 3-5 outcomes each).
//
//   build-feed/feed_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// items_per_second is messages/s; Time is ns per message.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "feed/feed_message.h"
#include "feed/feed_parser.h"

namespace inplay {
namespace {

const std::vector<std::string>& recorded_feed() {
  static const std::vector<std::string> lines = [] {
    std::mt19937_64 rng(20240601);
    const char* leagues[] = {"EPL", "Championship", "League One", "LaLiga", "Serie A"};
    std::vector<std::string> out;
    out.reserve(100000);
    int64_t ts = 1764270000000;
    for (uint64_t seq = 1; seq <= 100000; ++seq) {
      ts += 1 + static_cast<int64_t>(rng() % 20);
      const uint64_t event = 1 + rng() % 200;
      OddsChange oc;
      oc.league = leagues[event % 5];
      const int n_markets = rng() % 10 == 0 ? 2 : 1;
      for (int mk = 0; mk < n_markets; ++mk) {
        MarketOdds m;
        m.market_id = event * 100 + 1 + rng() % 8;
        m.status = rng() % 50 == 0 ? MarketStatus::kSuspended : MarketStatus::kOpen;
        const int n_out = 3 + static_cast<int>(rng() % 3);
        for (int o = 0; o < n_out; ++o)
          m.outcomes.push_back(
              OutcomeOdds{m.market_id * 10 + o + 1, Odds{static_cast<int32_t>(10100 + rng() % 190000)}});
        oc.markets.push_back(std::move(m));
      }
      FeedMessage msg{Envelope{FeedMessageType::kOddsChange, "sim-primary", "1.0", seq, ts, event},
                      std::move(oc)};
      out.push_back(encode_feed_message(msg));
    }
    return out;
  }();
  return lines;
}

void BM_FeedParseOddsChange(benchmark::State& state) {
  const auto& lines = recorded_feed();
  FeedParser parser({"1.0"});
  size_t i = 0, bytes = 0, outcomes = 0;
  for (auto _ : state) {
    const std::string& line = lines[i];
    ParseResult r = parser.parse(line);
    if (!r.ok()) state.SkipWithError(r.error().detail.c_str());
    outcomes += std::get<OddsChange>(r.message().body).markets[0].outcomes.size();
    bytes += line.size();
    if (++i == lines.size()) i = 0;
  }
  benchmark::DoNotOptimize(outcomes);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["avg_line_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_FeedParseOddsChange);

// The error path a schema skew storm takes (parse, fail, salvage labels).
void BM_FeedParseSchemaSkew(benchmark::State& state) {
  const auto& lines = recorded_feed();
  FeedParser parser({"2.0"});
  size_t i = 0;
  for (auto _ : state) {
    ParseResult r = parser.parse(lines[i]);
    benchmark::DoNotOptimize(r.ok());
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_FeedParseSchemaSkew);

void BM_FeedEncodeOddsChange(benchmark::State& state) {
  FeedMessage m{Envelope{FeedMessageType::kOddsChange, "sim-primary", "1.0", 1, 1764270000000, 7},
                OddsChange{"EPL", {MarketOdds{701, MarketStatus::kOpen,
                                              {{7011, Odds{21000}}, {7012, Odds{34000}}, {7013, Odds{36000}}}}}}};
  for (auto _ : state) {
    ++m.env.seq;
    benchmark::DoNotOptimize(encode_feed_message(m));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_FeedEncodeOddsChange);

}  // namespace
}  // namespace inplay
BENCHMARK_MAIN();
