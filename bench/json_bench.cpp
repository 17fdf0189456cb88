// JSON writing (src/core/json.h) on the shapes the hot paths write: a bet's
// reply (bet_json, once per bet on the engine thread) and a feed message of
// a simulated provider (odds for three markets), plus escaping alone.
//   build/json_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "bet/bet.h"
#include "engine/book_state.h"
#include "http/views.h"
#include "core/json.h"

namespace inplay {
namespace {

void BM_BetJson(benchmark::State& state) {
  Bet b;
  b.id = 123456;
  b.account = 7;
  b.selection_id = 1011;
  b.market_id = 101;
  b.event_id = 1;
  b.stake_minor = 2500;
  b.odds = Odds{21000};
  b.odds_requested = Odds{21000};
  b.placed_ns = 1'764'345'600'000'000'000;
  b.accepted_ns = b.placed_ns + 5'000'000'000;
  for (uint8_t i = 0; i < 16; ++i) b.trace_id[i] = static_cast<uint8_t>(i * 17);
  BookState s(Currency::of("GBP"), 1);
  b.account = s.ledger.open_user("alice");
  for (auto _ : state) benchmark::DoNotOptimize(bet_json(s, b));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BetJson);

void BM_FeedMessage(benchmark::State& state) {
  for (auto _ : state) {
    JsonWriter w;
    w.begin_object().field("type", "odds_change").field("producer", "sim-primary").field("schema", "1.0");
    w.field("seq", uint64_t{4242}).field("ts", int64_t{1764345600123}).field("event_id", uint64_t{1});
    w.field("league", "EPL").key("markets").begin_array();
    for (uint64_t m = 101; m <= 103; ++m) {
      w.begin_object().field("market_id", m).field("status", "open").key("outcomes").begin_array();
      for (uint64_t s = 1; s <= 3; ++s)
        w.begin_object().field("selection_id", m * 10 + s).key("odds").raw("2.35").end_object();
      w.end_array().end_object();
    }
    w.end_array().end_object();
    benchmark::DoNotOptimize(w.take());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FeedMessage);

void BM_Escape(benchmark::State& state) {
  const std::string plain = "Manchester City v Tottenham Hotspur — match result, home";  // 57 bytes
  std::string out;
  for (auto _ : state) {
    out.clear();
    json_escape_into(out, plain);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(plain.size()));
}
BENCHMARK(BM_Escape);

}  // namespace
}  // namespace inplay

BENCHMARK_MAIN();
