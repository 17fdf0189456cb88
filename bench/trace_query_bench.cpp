// Trace queries on a full store (OBS-2: "well under a second on a million
// spans"): a Tracer holding 1,000,000 spans - 250,000 bet traces of 4 spans
// (gateway root; risk, wallet, journal children) carrying bet_id, market_id,
// league and user - and the two queries behind GET /v1/traces and
// GET /v1/traces/breakdown.
//
//   ./build/trace_query_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// BM_Search_Slowest reports heap_MB, the heap in use after its walks: the
// store's memory, which a walk must not grow.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <random>

#include "telemetry/attributes.h"
#include "telemetry/trace.h"
#include "telemetry/trace_query.h"

namespace inplay {
namespace {

constexpr size_t kTraces = 250000;
constexpr int64_t kMs = 1000000;
const char* kLeagues[] = {"EPL", "Championship", "LaLiga", "SerieA", "Bundesliga", "Ligue1", "MLS", "A-League"};

Tracer& store() {
  static Tracer* t = [] {
    auto* tr = new Tracer(4 * kTraces);
    std::mt19937_64 rng(42);
    std::exponential_distribution<double> lat(1.0 / 2.0);  // ms, mean 2
    int64_t now = 1795878000LL * 1000000000LL;
    std::vector<Span> spans;
    for (size_t i = 0; i < kTraces; ++i) {
      now += 50 * 1000;  // 20k bets/s
      uint64_t market = 100000 + rng() % 2000;
      std::string league = kLeagues[market % 8];
      double slow = (market % 8 == 3) ? 3.0 : 1.0;  // one league is slower
      int64_t risk = static_cast<int64_t>(lat(rng) * slow * kMs);
      int64_t wallet = static_cast<int64_t>(lat(rng) * 0.2 * kMs);
      int64_t journal = static_cast<int64_t>(lat(rng) * 0.5 * kMs);
      Span g = tr->start("gateway", TraceContext{}, now);
      g.attr(attr::kUser, "u_" + std::to_string(rng() % 50000));
      g.attr(attr::kSelection, static_cast<int64_t>(market * 10 + 1));
      g.attr(attr::kStatus, int64_t{201});
      Span r = tr->start("risk", g.context(), now + 10000);
      r.end_ns = r.start_ns + risk;
      r.attr(attr::kMarketId, static_cast<int64_t>(market));
      r.attr(attr::kLeague, league);
      Span w = tr->start("wallet", g.context(), r.end_ns);
      w.end_ns = w.start_ns + wallet;
      w.attr(attr::kBetId, static_cast<int64_t>(i + 1));
      Span j = tr->start("journal", g.context(), w.end_ns);
      j.end_ns = j.start_ns + journal;
      j.attr(attr::kBetId, static_cast<int64_t>(i + 1));
      g.end_ns = j.end_ns + 5000;
      spans.clear();
      spans.push_back(std::move(g));
      spans.push_back(std::move(r));
      spans.push_back(std::move(w));
      spans.push_back(std::move(j));
      tr->record_all(std::move(spans));
      spans = std::vector<Span>();
    }
    return tr;
  }();
  return *t;
}

void BM_Search_Slowest(benchmark::State& st) {
  Tracer& t = store();
  TraceQuery q;
  q.limit = 20;
  size_t matched = 0;
  for (auto _ : st) {
    auto r = search_traces(t, q);
    matched = r.matched;
    benchmark::DoNotOptimize(r);
  }
  st.counters["spans"] = static_cast<double>(t.span_count());
  st.counters["matched"] = static_cast<double>(matched);
  // The heap after the walks: a walk must leave the stored spans as small as
  // they were (it reads their attributes without rendering them).
  const struct mallinfo2 mi = mallinfo2();
  st.counters["heap_MB"] = static_cast<double>(mi.uordblks + mi.hblkhd) / 1e6;
}
BENCHMARK(BM_Search_Slowest)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Search_AttrAndRange(benchmark::State& st) {
  Tracer& t = store();
  TraceQuery q;
  q.attrs.push_back({"league", "SerieA"});
  q.min_ns = 5 * kMs;
  q.max_ns = 1000 * kMs;
  q.limit = 50;
  size_t matched = 0;
  for (auto _ : st) {
    auto r = search_traces(t, q);
    matched = r.matched;
    benchmark::DoNotOptimize(r);
  }
  st.counters["matched"] = static_cast<double>(matched);
}
BENCHMARK(BM_Search_AttrAndRange)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Breakdown(benchmark::State& st, const char* by) {
  Tracer& t = store();
  BreakdownQuery q;
  q.by = by;
  size_t groups = 0;
  for (auto _ : st) {
    auto r = breakdown_traces(t, q);
    groups = r.groups_total;
    benchmark::DoNotOptimize(r);
  }
  st.counters["groups"] = static_cast<double>(groups);
}
BENCHMARK_CAPTURE(BM_Breakdown, league, "league")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Breakdown, market_id, "market_id")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Breakdown, bet_id, "bet_id")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace inplay

BENCHMARK_MAIN();
