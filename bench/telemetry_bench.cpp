// Telemetry hot paths: what every hop of a bet pays to be observable.
#include <benchmark/benchmark.h>

#include <string>

#include "telemetry/attributes.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"

namespace inplay {
namespace {

// One hop: start a child span, 5 attributes, end, record into the store.
void BM_SpanStartEndRecord5Attrs(benchmark::State& state) {
  Tracer tracer(200000);
  Span root = tracer.start("gateway", TraceContext{}, 0);
  const TraceContext parent = root.context();
  int64_t t = 0;
  for (auto _ : state) {
    Span s = tracer.start("risk", parent, ++t);
    s.attr(attr::kBetId, "b_0123456789");
    s.attr(attr::kMarketId, "m_42");
    s.attr(attr::kSelection, "home");
    s.attr(attr::kUser, "u_5bdcc146bf60754e");
    s.attr(attr::kJournalSeq, t);
    s.end_ns = t + 1000;
    tracer.record(std::move(s));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpanStartEndRecord5Attrs);
BENCHMARK(BM_SpanStartEndRecord5Attrs)->Threads(2);

void BM_HistogramObserveBound(benchmark::State& state) {
  static MetricsRegistry reg;
  static auto& fam = reg.histogram("bench_accept_seconds", "b", {"route"},
                                   default_latency_bounds_ns(), Unit::kSeconds);
  Histogram& h = MetricsRegistry::series(fam, {"bets"});
  int64_t v = 1000;
  for (auto _ : state) {
    h.observe(v);
    v = (v * 7 + 13) & 0x3fffffff;  // spread over buckets, up to ~1s
  }
}
BENCHMARK(BM_HistogramObserveBound);
BENCHMARK(BM_HistogramObserveBound)->Threads(2);

void BM_HistogramObserveExemplar(benchmark::State& state) {
  static MetricsRegistry reg;
  static auto& fam = reg.histogram("bench_ex_seconds", "b", {"route"},
                                   default_latency_bounds_ns(), Unit::kSeconds);
  Histogram& h = MetricsRegistry::series(fam, {"bets"});
  Tracer tracer(16);
  const TraceId id = tracer.new_trace_id();
  int64_t v = 1000;
  for (auto _ : state) {
    h.observe(v, id, v);
    v = (v * 7 + 13) & 0x3fffffff;
  }
}
BENCHMARK(BM_HistogramObserveExemplar);
BENCHMARK(BM_HistogramObserveExemplar)->Threads(2);

// Cold path done on the hot path: family.with(labels) then observe.
void BM_FamilyLookupObserve(benchmark::State& state) {
  MetricsRegistry reg;
  auto& fam = reg.histogram("bench_lookup_seconds", "b", {"route", "outcome"},
                            default_latency_bounds_ns(), Unit::kSeconds);
  const std::vector<LabelValues> keys = {
      {"bets", "accepted"}, {"bets", "rejected"}, {"cashout", "accepted"}, {"cashout", "frozen"}};
  for (auto& k : keys) MetricsRegistry::series(fam, k);
  size_t i = 0;
  for (auto _ : state) {
    MetricsRegistry::series(fam, keys[i++ & 3]).observe(250000);
  }
}
BENCHMARK(BM_FamilyLookupObserve);

void BM_RenderPrometheus10k(benchmark::State& state) {
  MetricsRegistry reg;
  // 10,000 series: 9,000 counters, 900 gauges, 100 histograms (17 bounds each).
  auto& c = reg.counter("bench_bets_total", "Bets.", {"market", "outcome"});
  for (int i = 0; i < 9000; ++i)
    c.with({"m_" + std::to_string(i / 3), i % 3 ? "accepted" : "rejected"}).inc(i);
  auto& g = reg.gauge("bench_exposure_minor", "Exposure.", {"market"});
  for (int i = 0; i < 900; ++i) g.with({"m_" + std::to_string(i)}).set(i * 100);
  auto& h = reg.histogram("bench_hop_seconds", "Hop latency.", {"hop"},
                          default_latency_bounds_ns(), Unit::kSeconds);
  for (int i = 0; i < 100; ++i) {
    auto& s = MetricsRegistry::series(h, {"hop_" + std::to_string(i)});
    for (int k = 0; k < 20; ++k) s.observe(k * 50000);
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = reg.render_prometheus();
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}
BENCHMARK(BM_RenderPrometheus10k)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace inplay

BENCHMARK_MAIN();
