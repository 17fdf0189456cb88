// Telemetry hot paths: what every hop of a bet pays to be observable, and
// what a scrape costs. The anchors (docs/benchmarks.md) compare:
//   (a) span start + 5 attributes + end, recorded into the Tracer
//   (b) histogram record with exemplar, series looked up by market_id on
//       every call among 1,000 series
//   (c) histogram record with exemplar on a pre-bound series
//   (d) /metrics render of 10,000 series, Prometheus text and OpenMetrics,
//       reported per series (ns_per_series)
//   (e) an account pseudonym (a bet's edge pays one or two) and an audit
//       record's MAC with a key readied once (core/hmac.h), beside OpenSSL
//       3's one-shot HMAC() that both used before (issue 19)
//
//   build/telemetry_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

#include "core/hmac.h"
#include "telemetry/attributes.h"
#include "telemetry/metrics.h"
#include "telemetry/pseudonym.h"
#include "telemetry/trace.h"

namespace inplay {
namespace {

// (a) One hop: start a child span, 5 attributes, end, record into the store.
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

// Latency-like values spread over the buckets, up to ~1 s.
int64_t next_value(int64_t v) { return (v * 7 + 13) & 0x3fffffff; }

// (c) without the exemplar: the floor of a histogram record. The threads:2
// runs share one series (the worst case: its counters' cache lines bounce).
void BM_HistogramObserveBound(benchmark::State& state) {
  static MetricsRegistry reg;
  static auto& fam = reg.histogram("bench_accept_seconds", "b", {"route"},
                                   default_latency_bounds_ns(), Unit::kSeconds);
  Histogram& h = MetricsRegistry::series(fam, {"bets"});
  int64_t v = 1000 + state.thread_index() * 7919;
  for (auto _ : state) {
    h.observe(v);
    v = next_value(v);
  }
}
BENCHMARK(BM_HistogramObserveBound);
BENCHMARK(BM_HistogramObserveBound)->Threads(2);

// (c) Pre-bound series, with exemplar (trace id, value, time).
void BM_HistogramExemplarBound(benchmark::State& state) {
  static MetricsRegistry reg;
  static auto& fam = reg.histogram("bench_ex_seconds", "b", {"route"},
                                   default_latency_bounds_ns(), Unit::kSeconds);
  Histogram& h = MetricsRegistry::series(fam, {"bets"});
  Tracer tracer(16);
  const TraceId id = tracer.new_trace_id();
  int64_t v = 1000 + state.thread_index() * 7919;  // threads share the series, not the bucket
  for (auto _ : state) {
    h.observe(v, id, v);
    v = next_value(v);
  }
}
BENCHMARK(BM_HistogramExemplarBound);
BENCHMARK(BM_HistogramExemplarBound)->Threads(2);

// 1,000 market ids as the caller has them (strings), visited in a scattered
// order so that the lookups do not walk memory in insertion order.
struct MarketSeries {
  MetricsRegistry reg;
  Family<Histogram>* fam = nullptr;
  std::vector<std::string> ids;
  MarketSeries() {
    fam = &reg.histogram("bench_market_accept_seconds", "b", {"market_id"},
                         default_latency_bounds_ns(), Unit::kSeconds);
    for (int i = 0; i < 1000; ++i) {
      ids.push_back(std::to_string(30'000'000 + i * 37));
      MetricsRegistry::series(*fam, {ids.back()});
    }
  }
  static MarketSeries& get() {
    static MarketSeries m;
    return m;
  }
};

// (b) family.with({market_id}) on every call, then record with exemplar.
void BM_HistogramExemplarLookupByMarket(benchmark::State& state) {
  MarketSeries& m = MarketSeries::get();
  Tracer tracer(16);
  const TraceId id = tracer.new_trace_id();
  size_t i = static_cast<size_t>(state.thread_index()) * 500;
  int64_t v = 1000 + state.thread_index() * 7919;
  for (auto _ : state) {
    i = (i + 617) % 1000;
    MetricsRegistry::series(*m.fam, {m.ids[i]}).observe(v, id, v);
    v = next_value(v);
  }
}
BENCHMARK(BM_HistogramExemplarLookupByMarket);
BENCHMARK(BM_HistogramExemplarLookupByMarket)->Threads(2);

// (b) as a caller holding a LabelValues vector would write it: builds the
// vector (one allocation) on every call.
void BM_HistogramExemplarLookupByMarketVector(benchmark::State& state) {
  MarketSeries& m = MarketSeries::get();
  Tracer tracer(16);
  const TraceId id = tracer.new_trace_id();
  size_t i = 0;
  int64_t v = 1000;
  for (auto _ : state) {
    i = (i + 617) % 1000;
    MetricsRegistry::series(*m.fam, LabelValues{m.ids[i]}).observe(v, id, v);
    v = next_value(v);
  }
}
BENCHMARK(BM_HistogramExemplarLookupByMarketVector);

// 10,000 series: 9,000 counters, 900 gauges, 100 histograms (17 bounds
// each, exemplars on), with creation times for OpenMetrics' _created.
struct Scrape {
  static constexpr int kSeries = 10'000;
  MetricsRegistry reg;
  Scrape() {
    reg.set_time_source([] { return int64_t{1'795'902'000'123'000'000}; });
    reg.set_default_max_series(10'000);
    auto& c = reg.counter("bench_bets_total", "Bets.", {"market", "outcome"});
    for (int i = 0; i < 9000; ++i)
      c.with({"m_" + std::to_string(i / 3), i % 3 ? "accepted" : "rejected"}).inc(i);
    auto& g = reg.gauge("bench_exposure_minor", "Exposure.", {"market"});
    for (int i = 0; i < 900; ++i) g.with({"m_" + std::to_string(i)}).set(i * 100);
    auto& h = reg.histogram("bench_hop_seconds", "Hop latency.", {"hop"},
                            default_latency_bounds_ns(), Unit::kSeconds);
    Tracer tracer(16);
    for (int i = 0; i < 100; ++i) {
      auto& s = MetricsRegistry::series(h, {"hop_" + std::to_string(i)});
      for (int k = 0; k < 20; ++k) s.observe(k * 50000, tracer.new_trace_id(), 1'795'902'000'000'000'000 + k);
    }
  }
};

template <bool kOpenMetrics>
void BM_Render10k(benchmark::State& state) {
  Scrape scrape;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = kOpenMetrics ? scrape.reg.render_openmetrics() : scrape.reg.render_prometheus();
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  // Seconds per series (printed with an SI prefix: "95n" is 95 ns).
  state.counters["per_series"] =
      benchmark::Counter(Scrape::kSeries, benchmark::Counter::kIsIterationInvariantRate |
                                              benchmark::Counter::kInvert);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}
void BM_RenderPrometheus10k(benchmark::State& state) { BM_Render10k<false>(state); }
void BM_RenderOpenMetrics10k(benchmark::State& state) { BM_Render10k<true>(state); }
BENCHMARK(BM_RenderPrometheus10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderOpenMetrics10k)->Unit(benchmark::kMillisecond);

// (e) The secret is 48 characters, as `inplay token` makes them; the audit
// record is a typical bet_placed line with its predecessor's MAC.
constexpr std::string_view kSecret = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL";
constexpr std::string_view kAuditLine =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    "{\"seq\":123456,\"action\":\"bet_placed\",\"account\":\"u_0123456789abcdef\",\"stake_minor\":1000}";

void BM_PseudonymMask(benchmark::State& state) {
  const Pseudonymizer p{kSecret};
  for (auto _ : state) benchmark::DoNotOptimize(p.mask("load-account-0042"));
}
BENCHMARK(BM_PseudonymMask);

void BM_AuditMacReadyKey(benchmark::State& state) {
  const HmacSha256 key{kSecret};
  for (auto _ : state) benchmark::DoNotOptimize(key.mac(kAuditLine));
}
BENCHMARK(BM_AuditMacReadyKey);

void BM_AuditMacOpenSslOneShot(benchmark::State& state) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  for (auto _ : state) {
    HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
         reinterpret_cast<const unsigned char*>(kAuditLine.data()), kAuditLine.size(), mac, &len);
    benchmark::DoNotOptimize(mac);
  }
}
BENCHMARK(BM_AuditMacOpenSslOneShot);

}  // namespace
}  // namespace inplay

BENCHMARK_MAIN();
