#include "telemetry/metrics.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace inplay {
namespace {

TEST(Metrics, RendersSmallRegistryExactly) {
  MetricsRegistry r;
  auto& bets = r.counter("inplay_bets_total", "Bets by outcome.\nSecond \\ line", {"outcome"});
  bets.with({"accepted"}).inc(3);
  bets.with({"say \"hi\"\\\n"}).inc();
  auto& depth = r.gauge("inplay_queue_depth", "Inbound queue depth.");
  depth.with({}).set(-7);
  auto& lat = r.histogram("inplay_accept_seconds", "Accept latency.", {"route"},
                          {1'000'000, 250'000'000}, Unit::kSeconds);
  auto& h = MetricsRegistry::series(lat, {"bets"});
  h.observe(500'000);      // 0.0005s -> le 0.001
  h.observe(1'000'000);    // exactly on the bound -> le 0.001
  h.observe(200'000'000);  // -> le 0.25
  h.observe(3'000'000'000);  // -> +Inf
  auto& sizes = r.histogram("inplay_batch_records", "Records per batch.", {}, {10, 100}, Unit::kNone);
  MetricsRegistry::series(sizes, {}).observe(42);

  const std::string want =
      "# HELP inplay_bets_total Bets by outcome.\\nSecond \\\\ line\n"
      "# TYPE inplay_bets_total counter\n"
      "inplay_bets_total{outcome=\"accepted\"} 3\n"
      "inplay_bets_total{outcome=\"say \\\"hi\\\"\\\\\\n\"} 1\n"
      "# HELP inplay_queue_depth Inbound queue depth.\n"
      "# TYPE inplay_queue_depth gauge\n"
      "inplay_queue_depth -7\n"
      "# HELP inplay_accept_seconds Accept latency.\n"
      "# TYPE inplay_accept_seconds histogram\n"
      "inplay_accept_seconds_bucket{route=\"bets\",le=\"0.001\"} 2\n"
      "inplay_accept_seconds_bucket{route=\"bets\",le=\"0.25\"} 3\n"
      "inplay_accept_seconds_bucket{route=\"bets\",le=\"+Inf\"} 4\n"
      "inplay_accept_seconds_sum{route=\"bets\"} 3.2015\n"
      "inplay_accept_seconds_count{route=\"bets\"} 4\n"
      "# HELP inplay_batch_records Records per batch.\n"
      "# TYPE inplay_batch_records histogram\n"
      "inplay_batch_records_bucket{le=\"10\"} 0\n"
      "inplay_batch_records_bucket{le=\"100\"} 1\n"
      "inplay_batch_records_bucket{le=\"+Inf\"} 1\n"
      "inplay_batch_records_sum 42\n"
      "inplay_batch_records_count 1\n";
  EXPECT_EQ(r.render_prometheus(), want);
}

TEST(Metrics, DefaultBoundsRenderInSeconds) {
  auto b = default_latency_bounds_ns();
  ASSERT_EQ(b.size(), 17u);
  EXPECT_EQ(b.front(), 50'000);
  EXPECT_EQ(b.back(), 10'000'000'000);
  MetricsRegistry r;
  auto& f = r.histogram("x_seconds", "x", {}, b, Unit::kSeconds);
  MetricsRegistry::series(f, {});
  auto text = r.render_prometheus();
  EXPECT_NE(text.find("x_seconds_bucket{le=\"5e-05\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{le=\"0.0025\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{le=\"2.5\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_bucket{le=\"10\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("x_seconds_sum 0\n"), std::string::npos);
}

TEST(Metrics, RegistrationIsIdempotentAndValidated) {
  MetricsRegistry r;
  auto& a = r.counter("a_total", "a", {"x"});
  EXPECT_EQ(&a, &r.counter("a_total", "a", {"x"}));
  EXPECT_THROW(r.gauge("a_total", "a", {"x"}), std::invalid_argument);
  EXPECT_THROW(r.counter("a_total", "a", {"y"}), std::invalid_argument);
  EXPECT_THROW(r.counter("bad-name", "b"), std::invalid_argument);
  EXPECT_THROW(r.counter("c_total", "c", {"1x"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "h", {"le"}, {1}, Unit::kNone), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "h", {}, {2, 1}, Unit::kNone), std::invalid_argument);
  auto& h = r.histogram("h", "h", {"k"}, {1, 2}, Unit::kNone);
  EXPECT_THROW(MetricsRegistry::series(h, {}), std::invalid_argument);
  EXPECT_EQ(&MetricsRegistry::series(h, {"v"}), &MetricsRegistry::series(h, {"v"}));
}

TEST(Histogram, BucketsCumulativeAndQuantile) {
  std::vector<int64_t> bounds{10, 20, 40};
  Histogram h(&bounds);
  EXPECT_EQ(h.quantile(0.5), 0);
  for (int i = 0; i < 50; ++i) h.observe(5);    // le 10
  for (int i = 0; i < 40; ++i) h.observe(15);   // le 20
  for (int i = 0; i < 9; ++i) h.observe(40);    // le 40 (inclusive)
  h.observe(1000);                              // +Inf
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.sum(), 50 * 5 + 40 * 15 + 9 * 40 + 1000);
  EXPECT_EQ(h.bucket_count(0), 50u);
  EXPECT_EQ(h.bucket_count(1), 40u);
  EXPECT_EQ(h.bucket_count(2), 9u);
  EXPECT_EQ(h.bucket_count(3), 1u);
  EXPECT_EQ(h.bucket_count(4), 0u);  // out of range
  // Quantiles come from the fine buckets: exact below 64, within 1/64 above.
  EXPECT_EQ(h.quantile(0.0), 5);
  EXPECT_EQ(h.quantile(0.5), 5);
  EXPECT_EQ(h.quantile(0.51), 15);
  EXPECT_EQ(h.quantile(0.9), 15);
  EXPECT_EQ(h.quantile(0.99), 40);
  EXPECT_EQ(h.quantile(1.0), 999);  // 1000 lies in the fine bucket 992..1007
}

TEST(Histogram, KeepsLastExemplarPerBucket) {
  std::vector<int64_t> bounds{10, 20};
  Histogram h(&bounds);
  std::array<uint8_t, 16> t1{}, t2{}, t3{};
  t1[0] = 1;
  t2[0] = 2;
  t3[0] = 3;
  h.observe(5, t1, 100);
  h.observe(7, t2, 200);  // same bucket: replaces
  h.observe(15, t3, 300);
  h.observe(16);          // no exemplar: keeps t3
  auto e0 = h.exemplar(0), e1 = h.exemplar(1), e2 = h.exemplar(2);
  ASSERT_TRUE(e0.present);
  EXPECT_EQ(e0.trace_id, t2);
  EXPECT_EQ(e0.value, 7);
  EXPECT_EQ(e0.time_ns, 200);
  ASSERT_TRUE(e1.present);
  EXPECT_EQ(e1.trace_id, t3);
  EXPECT_EQ(e1.value, 15);
  EXPECT_FALSE(e2.present);
  EXPECT_FALSE(h.exemplar(99).present);
  EXPECT_EQ(h.count(), 4u);
}

TEST(Histogram, ConcurrentObserveIsExact) {
  MetricsRegistry r;
  auto& f = r.histogram("c_seconds", "c", {"t"}, default_latency_bounds_ns(), Unit::kSeconds);
  constexpr int kPerThread = 200000;
  auto work = [&](int k) {
    auto& h = MetricsRegistry::series(f, {"same"});
    std::array<uint8_t, 16> tid{};
    tid[15] = static_cast<uint8_t>(k + 1);
    for (int i = 0; i < kPerThread; ++i) {
      if (i % 16 == 0) h.observe(i * 1000, tid, i);
      else h.observe(i * 1000);
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  auto& h = MetricsRegistry::series(f, {"same"});
  EXPECT_EQ(h.count(), 2u * kPerThread);
  uint64_t total = 0;
  for (size_t i = 0; i <= h.bounds().size(); ++i) total += h.bucket_count(i);
  EXPECT_EQ(total, 2u * kPerThread);
  int64_t per = 0;
  for (int i = 0; i < kPerThread; ++i) per += i * 1000LL;
  EXPECT_EQ(h.sum(), 2 * per);
}

}  // namespace
}  // namespace inplay
