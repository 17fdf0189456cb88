#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "telemetry/metrics.h"

namespace inplay {
namespace {

constexpr int64_t kCreated = 1'700'000'000'500'000'000;  // 1700000000.5 s

TEST(OpenMetrics, RendersSmallRegistryExactly) {
  MetricsRegistry r;
  r.set_time_source([] { return kCreated; });
  auto& bets = r.counter("inplay_bets_total", "Bets by \"outcome\".\nSecond \\ line", {"outcome"});
  bets.with({"accepted"}).inc(3);
  bets.with({"say \"hi\"\\\n"}).inc();
  r.gauge("inplay_queue_depth", "Inbound queue depth.").with({}).set(-7);
  auto& lat = r.histogram("inplay_accept_seconds", "Accept latency.", {"route"},
                          {1'000'000, 250'000'000}, Unit::kSeconds);
  std::array<uint8_t, 16> tid{};
  for (uint8_t i = 0; i < 16; ++i) tid[i] = i;
  auto& h = MetricsRegistry::series(lat, {"bets"});
  h.observe(500'000, tid, 1'700'000'001'250'000'000);  // 0.0005 s, exemplar
  h.observe(3'000'000'000);                          // +Inf, no exemplar
  auto& sizes = r.histogram("inplay_batch_records", "Records per batch.", {}, {10}, Unit::kNone);
  MetricsRegistry::series(sizes, {}).observe(7, tid, 1'700'000'002'000'000'000);
  r.counter_fn("process_cpu_seconds_total", "CPU.", [] { return 1.5; });
  r.gauge_fn("process_resident_memory_bytes", "RSS.", [] { return 1048576.0; });

  const std::string want =
      "# TYPE inplay_bets counter\n"
      "# HELP inplay_bets Bets by \\\"outcome\\\".\\nSecond \\\\ line\n"
      "inplay_bets_total{outcome=\"accepted\"} 3\n"
      "inplay_bets_created{outcome=\"accepted\"} 1700000000.5\n"
      "inplay_bets_total{outcome=\"say \\\"hi\\\"\\\\\\n\"} 1\n"
      "inplay_bets_created{outcome=\"say \\\"hi\\\"\\\\\\n\"} 1700000000.5\n"
      "# TYPE inplay_queue_depth gauge\n"
      "# HELP inplay_queue_depth Inbound queue depth.\n"
      "inplay_queue_depth -7\n"
      "# TYPE inplay_accept_seconds histogram\n"
      "# UNIT inplay_accept_seconds seconds\n"
      "# HELP inplay_accept_seconds Accept latency.\n"
      "inplay_accept_seconds_bucket{route=\"bets\",le=\"0.001\"} 1 # "
      "{trace_id=\"000102030405060708090a0b0c0d0e0f\"} 0.0005 1700000001.25\n"
      "inplay_accept_seconds_bucket{route=\"bets\",le=\"0.25\"} 1\n"
      "inplay_accept_seconds_bucket{route=\"bets\",le=\"+Inf\"} 2\n"
      "inplay_accept_seconds_count{route=\"bets\"} 2\n"
      "inplay_accept_seconds_sum{route=\"bets\"} 3.0005\n"
      "inplay_accept_seconds_created{route=\"bets\"} 1700000000.5\n"
      "# TYPE inplay_batch_records histogram\n"
      "# HELP inplay_batch_records Records per batch.\n"
      "inplay_batch_records_bucket{le=\"10\"} 1 # {trace_id=\"000102030405060708090a0b0c0d0e0f\"} 7 "
      "1700000002\n"
      "inplay_batch_records_bucket{le=\"+Inf\"} 1\n"
      "inplay_batch_records_count 1\n"
      "inplay_batch_records_sum 7\n"
      "inplay_batch_records_created 1700000000.5\n"
      "# TYPE process_cpu_seconds counter\n"
      "# UNIT process_cpu_seconds seconds\n"
      "# HELP process_cpu_seconds CPU.\n"
      "process_cpu_seconds_total 1.5\n"
      "# TYPE process_resident_memory_bytes gauge\n"
      "# UNIT process_resident_memory_bytes bytes\n"
      "# HELP process_resident_memory_bytes RSS.\n"
      "process_resident_memory_bytes 1048576\n"
      "# EOF\n";
  EXPECT_EQ(r.render_openmetrics(), want);
}

TEST(OpenMetrics, EmptyRegistryIsJustEof) {
  MetricsRegistry r;
  EXPECT_EQ(r.render_openmetrics(), "# EOF\n");
}

TEST(OpenMetrics, NoCreatedWithoutTimeSourceAndNoZeroTraceExemplar) {
  MetricsRegistry r;
  r.counter("a_total", "A.").with({}).inc();
  auto& h = MetricsRegistry::series(r.histogram("b_seconds", "B.", {}, {1000}, Unit::kSeconds), {});
  h.observe(10, std::array<uint8_t, 16>{}, 5);  // all-zero trace id: not an exemplar
  r.set_time_source([] { return int64_t{2'000'000'000'000'000'123}; });
  r.counter("a_total", "A.").with({}).inc();  // existing series keeps "unknown"
  r.counter("c", "C, no _total suffix.").with({}).inc(2);
  const std::string want =
      "# TYPE a counter\n# HELP a A.\na_total 2\n"
      "# TYPE b_seconds histogram\n# UNIT b_seconds seconds\n# HELP b_seconds B.\n"
      "b_seconds_bucket{le=\"1e-06\"} 1\nb_seconds_bucket{le=\"+Inf\"} 1\n"
      "b_seconds_count 1\nb_seconds_sum 1e-08\n"
      "# TYPE c counter\n# HELP c C, no _total suffix.\nc_total 2\n"
      "c_created 2000000000.000000123\n"
      "# EOF\n";
  EXPECT_EQ(r.render_openmetrics(), want);
}

TEST(OpenMetrics, PrometheusTextIsUnchangedByTheNewFeatures) {
  MetricsRegistry r;
  r.set_time_source([] { return kCreated; });
  r.counter("x_total", "X.", {"k"}).with({"v"}).inc();
  r.gauge_fn("g_bytes", "G.", [] { return 2.5; });
  EXPECT_EQ(r.render_prometheus(),
            "# HELP x_total X.\n# TYPE x_total counter\nx_total{k=\"v\"} 1\n"
            "# HELP g_bytes G.\n# TYPE g_bytes gauge\ng_bytes 2.5\n");
}

TEST(OpenMetrics, FunctionFamiliesClashWithOrdinaryOnes) {
  MetricsRegistry r;
  r.counter("x_total", "X.");
  EXPECT_THROW(r.counter_fn("x_total", "X.", [] { return 1.0; }), std::invalid_argument);
  r.gauge_fn("g", "G.", [] { return 1.0; });
  EXPECT_THROW(r.gauge("g", "G."), std::invalid_argument);
  r.gauge_fn("g", "G.", [] { return 3.0; });  // replaces the function
  EXPECT_NE(r.render_openmetrics().find("\ng 3\n"), std::string::npos);
}

// Prometheus 2.42's scrape Accept header, verbatim.
constexpr const char* kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

TEST(OpenMetrics, ContentNegotiation) {
  EXPECT_TRUE(accepts_openmetrics(kPrometheusAccept));
  EXPECT_TRUE(accepts_openmetrics("application/openmetrics-text"));
  EXPECT_TRUE(accepts_openmetrics("Application/OpenMetrics-Text; version=1.0.0"));
  EXPECT_TRUE(accepts_openmetrics("text/plain;q=0.5, application/openmetrics-text;q=0.5"));
  EXPECT_TRUE(accepts_openmetrics("text/plain;q=0.4,application/openmetrics-text; version=\"1.0.0\"; q=0.9"));
  EXPECT_FALSE(accepts_openmetrics(""));
  EXPECT_FALSE(accepts_openmetrics("*/*"));
  EXPECT_FALSE(accepts_openmetrics("text/plain;version=0.0.4"));
  EXPECT_FALSE(accepts_openmetrics("application/openmetrics-text;version=0.0.1"));
  EXPECT_FALSE(accepts_openmetrics("application/openmetrics-text;version=2.0.0"));
  EXPECT_FALSE(accepts_openmetrics("application/openmetrics-text;q=0.4,text/plain;q=0.5"));
  EXPECT_FALSE(accepts_openmetrics("application/openmetrics-text;q=0"));
  EXPECT_FALSE(accepts_openmetrics("application/openmetrics-text;q=0.5,*/*"));
  EXPECT_FALSE(accepts_openmetrics("application/openmetrics-text;q=abc"));
}

TEST(CardinalityGuard, FoldsNewLabelSetsPastTheCapAndCountsThem) {
  MetricsRegistry r;
  auto& f = r.counter("req_total", "Requests.", {"route", "code"});
  f.set_max_series(2);
  Counter& a = f.with({"/a", "200"});
  Counter& b = f.with({"/b", "200"});
  Counter& c = f.with({"/c", "200"});  // folds
  Counter& d = f.with({"/d", "500"});  // folds into the same series
  EXPECT_NE(&a, &b);
  EXPECT_EQ(&c, &d);
  EXPECT_NE(&c, &a);
  EXPECT_EQ(&f.with({"/a", "200"}), &a);  // known label sets still resolve
  c.inc();
  d.inc();
  EXPECT_EQ(f.size(), 3u);  // two real series and "other"
  const std::string text = r.render_prometheus();
  EXPECT_NE(text.find("req_total{route=\"other\",code=\"other\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("metrics_series_folded_total{family=\"req_total\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(r.render_openmetrics().find("metrics_series_folded_total{family=\"req_total\"} 2\n"),
            std::string::npos);
}

TEST(CardinalityGuard, RegistryDefaultAppliesToHistogramsAndUnlabelledFamiliesNeverFold) {
  MetricsRegistry r;
  EXPECT_EQ(r.counter("x_total", "X.", {"k"}).max_series(), kDefaultMaxSeries);
  r.set_default_max_series(1);
  auto& lat = r.histogram("lat_seconds", "L.", {"market_id"}, {1000}, Unit::kSeconds);
  auto& h1 = MetricsRegistry::series(lat, {"m1"});
  auto& h2 = MetricsRegistry::series(lat, {"m2"});
  auto& h3 = MetricsRegistry::series(lat, {"m3"});
  EXPECT_NE(&h1, &h2);
  EXPECT_EQ(&h2, &h3);
  h2.observe(5);
  EXPECT_EQ(h2.bounds().size(), 1u);
  auto& g = r.gauge("g", "G.");
  EXPECT_EQ(&g.with({}), &g.with({}));
  const std::string text = r.render_prometheus();
  EXPECT_NE(text.find("lat_seconds_count{market_id=\"other\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("metrics_series_folded_total{family=\"lat_seconds\"} 2\n"), std::string::npos)
      << text;
  r.set_default_max_series(0);  // back to the default
  EXPECT_EQ(lat.max_series(), kDefaultMaxSeries);
}

TEST(CardinalityGuard, ManyThreadsFoldingConcurrently) {
  MetricsRegistry r;
  auto& f = r.counter("y_total", "Y.", {"k"});
  f.set_max_series(10);
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&f, t] {
      for (int i = 0; i < 1000; ++i) f.with({std::to_string(t * 1000 + i)}).inc();
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(f.size(), 11u);
  uint64_t total = 0;
  for (auto& [lv, s] : f.series()) total += s->value();
  EXPECT_EQ(total, 4000u);
  EXPECT_NE(r.render_prometheus().find("metrics_series_folded_total{family=\"y_total\"} 3990\n"),
            std::string::npos);
}

}  // namespace
}  // namespace inplay
