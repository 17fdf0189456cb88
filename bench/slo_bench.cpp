// The incident loop's cost (issue 5: "measure all SLOs over 10,000 markets
// in one evaluation"): one second of the shipped SLO catalogue over 10,000
// open in-play markets — a price-age sample per market, the evaluator's
// tick (every SLO, every burn window, the league slices), the catalogue's
// alert rules and the alert pipeline — plus the per-bet cost of feeding the
// accept-latency SLIs.
//
//   build/slo_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "alert/alert_pipeline.h"
#include "alert/alert_rules.h"
#include "app/shipped_configs.h"
#include "slo/slo_evaluator.h"
#include "slo/slo_spec.h"

using namespace inplay;

namespace {

constexpr int kMarkets = 10000;
const char* kLeagues[] = {"EPL", "LaLiga", "SerieA", "Bundesliga", "Ligue1", "Championship", "MLS", "Eredivisie"};

void BM_EvaluateAllSlosOver10kMarkets(benchmark::State& state) {
  SloCatalogue cat = parse_slo_catalogue(kShippedSlosYaml, "slos.yaml");
  SloEvaluator ev(cat);
  AlertRules rules(ev.catalogue());
  AlertPipeline pipeline;
  const double stale_share = static_cast<double>(state.range(0)) / 100.0;
  int64_t t = 1'800'000'000;
  std::vector<SignalSample> samples;
  for (auto _ : state) {
    ++t;
    samples.clear();
    for (int m = 0; m < kMarkets; ++m) {
      const char* league = kLeagues[m % 8];
      bool stale = m < kMarkets * stale_share;
      ev.on_market_sample(t, SloEvaluator::Labels{static_cast<uint64_t>(m + 1), league, {}}, !stale);
      if (stale)
        samples.push_back(SignalSample{"market_staleness_ratio",
                                       {{"market_id", std::to_string(m + 1)}, {"league", league}, {"sport", "football"}},
                                       2.0, m % 8 == 0});
    }
    ev.tick(t);
    auto firing = rules.evaluate(t * 1'000'000'000, samples, ev.status());
    auto notes = pipeline.update(t * 1'000'000'000, std::move(firing), [](uint64_t) { return 1000; }, true);
    benchmark::DoNotOptimize(notes);
  }
  state.counters["markets"] = kMarkets;
  state.counters["slos"] = static_cast<double>(cat.slos.size());
}
// Arg: percent of markets stale (each one a firing alert to group).
BENCHMARK(BM_EvaluateAllSlosOver10kMarkets)->Arg(0)->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond);

void BM_FeedOneBetDecision(benchmark::State& state) {
  SloCatalogue cat = parse_slo_catalogue(kShippedSlosYaml, "slos.yaml");
  SloEvaluator ev(cat);
  int64_t t = 1'800'000'000;
  uint64_t i = 0;
  for (auto _ : state) {
    ++i;
    if ((i & 1023) == 0) ++t;
    ev.on_bet_decision(t, SloEvaluator::Labels{1 + (i % kMarkets), kLeagues[i % 8], {}},
                       static_cast<int64_t>(i % 300) * 1'000'000, 500);
  }
}
BENCHMARK(BM_FeedOneBetDecision);

}  // namespace

BENCHMARK_MAIN();
