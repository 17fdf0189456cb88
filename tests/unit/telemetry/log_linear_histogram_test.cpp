// Log-linear fine buckets of Histogram: the error bound, exact counts,
// windowed quantiles, lock-free exemplars and lock-free series lookup.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "telemetry/metrics.h"

namespace inplay {
namespace {

using namespace log_linear;

// The exact order statistic quantile() approximates: rank ceil(q * n).
int64_t exact_quantile(const std::vector<int64_t>& sorted, double q) {
  const size_t n = sorted.size();
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
  rank = std::clamp<size_t>(rank, 1, n);
  return sorted[rank - 1];
}

void expect_within_bound(int64_t got, int64_t exact) {
  EXPECT_LE(std::abs(static_cast<double>(got - exact)), static_cast<double>(exact) * kRelativeError)
      << "got " << got << " exact " << exact;
}

TEST(LogLinear, BucketsTileTheRangeWithoutGaps) {
  EXPECT_EQ(kBuckets, 1280u);
  EXPECT_DOUBLE_EQ(kRelativeError, 1.0 / 64);
  for (size_t i = 0; i + 1 < kBuckets; ++i) {
    ASSERT_EQ(bucket_lower(i) + bucket_width(i), bucket_lower(i + 1)) << i;
    ASSERT_EQ(bucket_of(bucket_lower(i)), i);
    ASSERT_EQ(bucket_of(bucket_lower(i) + bucket_width(i) - 1), i);
    // The representative is inside its bucket.
    ASSERT_GE(bucket_value(i), bucket_lower(i));
    ASSERT_LT(bucket_value(i), bucket_lower(i) + bucket_width(i));
  }
  EXPECT_EQ(bucket_lower(kBuckets - 1) + bucket_width(kBuckets - 1) - 1, kMaxTracked);
  for (int64_t v = 0; v < 64; ++v) EXPECT_EQ(bucket_value(bucket_of(v)), v);  // exact
}

TEST(LogLinear, RelativeErrorBoundHoldsForRandomValuesOverTheWholeRange) {
  std::mt19937_64 rng(20261127);
  for (int i = 0; i < 1'000'000; ++i) {
    // Log-uniform: every power of two up to 2^44 is as likely.
    const int e = static_cast<int>(rng() % kRangeBits);
    const int64_t lo = int64_t{1} << e;
    const int64_t v = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(lo));
    const int64_t rep = bucket_value(bucket_of(v));
    ASSERT_LE(std::abs(static_cast<double>(rep - v)), static_cast<double>(v) * kRelativeError)
        << "v=" << v << " rep=" << rep;
  }
}

TEST(LogLinear, HistogramQuantilesWithinBoundOfExactOrderStatistics) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> bounds = default_latency_bounds_ns();
  const double qs[] = {0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1};
  // Three shapes: log-uniform over the whole range, a latency-like
  // lognormal around 300 us, and uniform integers in a narrow band.
  std::lognormal_distribution<double> lognormal(std::log(300'000.0), 1.0);
  for (int shape = 0; shape < 3; ++shape) {
    Histogram h(&bounds);
    std::vector<int64_t> values;
    for (int i = 0; i < 200'000; ++i) {
      int64_t v;
      if (shape == 0) {
        const int64_t lo = int64_t{1} << (rng() % kRangeBits);
        v = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(lo));
      } else if (shape == 1) {
        v = std::min<int64_t>(static_cast<int64_t>(lognormal(rng)), kMaxTracked);
      } else {
        v = 1'000'000 + static_cast<int64_t>(rng() % 1000);
      }
      values.push_back(v);
      h.observe(v);
    }
    std::sort(values.begin(), values.end());
    for (double q : qs) {
      SCOPED_TRACE(testing::Message() << "shape " << shape << " q " << q);
      expect_within_bound(h.quantile(q), exact_quantile(values, q));
    }
  }
}

TEST(LogLinear, QuantilesOfKnownDistributions) {
  std::vector<int64_t> bounds{1000};
  Histogram uniform(&bounds);
  for (int64_t v = 1; v <= 100'000; ++v) uniform.observe(v);
  EXPECT_EQ(uniform.count(), 100'000u);
  expect_within_bound(uniform.quantile(0.5), 50'000);
  expect_within_bound(uniform.quantile(0.9), 90'000);
  expect_within_bound(uniform.quantile(0.99), 99'000);
  expect_within_bound(uniform.quantile(1.0), 100'000);
  EXPECT_EQ(uniform.quantile(0.0), 1);

  Histogram constant(&bounds);
  for (int i = 0; i < 1000; ++i) constant.observe(12'345'678);
  for (double q : {0.0, 0.5, 0.99, 1.0}) expect_within_bound(constant.quantile(q), 12'345'678);

  // Bimodal: 90% fast (100 us), 10% slow (250 ms): p50 fast, p95 slow.
  Histogram bimodal(&bounds);
  for (int i = 0; i < 900; ++i) bimodal.observe(100'000);
  for (int i = 0; i < 100; ++i) bimodal.observe(250'000'000);
  expect_within_bound(bimodal.quantile(0.5), 100'000);
  expect_within_bound(bimodal.quantile(0.9), 100'000);
  expect_within_bound(bimodal.quantile(0.901), 250'000'000);
  expect_within_bound(bimodal.quantile(0.95), 250'000'000);
}

TEST(LogLinear, OutOfRangeValuesClampAndCountsStayExact) {
  std::vector<int64_t> bounds{10};
  Histogram h(&bounds);
  h.observe(-7);
  h.observe(int64_t{1} << 50);
  h.observe(std::numeric_limits<int64_t>::max() / 4);
  EXPECT_EQ(h.count(), 3u);
  auto fine = h.fine_counts();
  ASSERT_EQ(fine.size(), kBuckets);
  EXPECT_EQ(fine[0], 1u);
  EXPECT_EQ(fine[kBuckets - 1], 2u);
  EXPECT_EQ(h.quantile(0), 0);
  EXPECT_EQ(h.quantile(1), bucket_value(kBuckets - 1));
  EXPECT_EQ(h.bucket_count(0), 1u);  // the rendered buckets see the raw value
  EXPECT_EQ(h.bucket_count(1), 2u);
}

// The rendered buckets come from the fine counts: they must be exactly what
// counting by bounds (Prometheus "le") gives, whatever the bounds.
TEST(LogLinear, RenderedBucketsEqualCountingByBounds) {
  std::mt19937_64 rng(7);
  const std::vector<std::vector<int64_t>> bound_sets = {
      default_latency_bounds_ns(),
      {10, 20, 40},
      {1000, 1001, 1002, 1003},               // several bounds inside one fine bucket
      {-1000, -1, 0, 1},                      // negative and zero bounds
      {1, int64_t{1} << 45, int64_t{1} << 50},  // bounds past the fine range
      {},                                     // only +Inf
  };
  for (const auto& bounds : bound_sets) {
    Histogram h(&bounds);
    std::vector<uint64_t> naive(bounds.size() + 1, 0);
    std::vector<Exemplar> last(bounds.size() + 1);
    for (int i = 0; i < 100'000; ++i) {
      int64_t v;
      switch (rng() % 4) {
        case 0: v = static_cast<int64_t>(rng() % 2048) - 1024; break;
        case 1: v = static_cast<int64_t>(rng() >> (rng() % 64)); break;
        case 2: v = bounds.empty() ? 0 : bounds[rng() % bounds.size()] + static_cast<int64_t>(rng() % 3) - 1; break;
        default: v = static_cast<int64_t>(rng() % 20'000'000'000); break;
      }
      const size_t b = static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
      ++naive[b];
      std::array<uint8_t, 16> id{};
      id[0] = 1;
      id[1] = static_cast<uint8_t>(i);
      h.observe(v, id, i);
      last[b] = Exemplar{id, v, i, true};
    }
    std::vector<uint64_t> got;
    h.bucket_counts(got);
    EXPECT_EQ(got, naive);
    for (size_t b = 0; b < naive.size(); ++b) {
      EXPECT_EQ(h.bucket_count(b), naive[b]);
      const Exemplar x = h.exemplar(b);
      EXPECT_EQ(x.present, last[b].present);
      EXPECT_EQ(x.value, last[b].value);
      EXPECT_EQ(x.trace_id, last[b].trace_id);
    }
    EXPECT_EQ(h.count(), 100'000u);
  }
}

TEST(LogLinear, WindowedQuantilesFromFineCountDeltas) {
  std::vector<int64_t> bounds = default_latency_bounds_ns();
  Histogram h(&bounds);
  EXPECT_EQ(quantile(h.fine_counts(), 0.5), 0);  // empty
  for (int i = 0; i < 1000; ++i) h.observe(100'000);  // second 1: 100 us
  const auto s1 = h.fine_counts();
  for (int i = 0; i < 1000; ++i) h.observe(80'000'000);  // second 2: 80 ms
  const auto s2 = h.fine_counts();
  const auto d1 = delta(s1, {});
  const auto d2 = delta(s2, s1);
  expect_within_bound(quantile(d1, 0.99), 100'000);
  expect_within_bound(quantile(d2, 0.01), 80'000'000);  // the window sees only its second
  std::vector<uint64_t> window;
  merge(window, d1);
  merge(window, d2);
  EXPECT_EQ(window, s2);
  EXPECT_EQ(quantile(window, 0.5), h.quantile(0.5));
  EXPECT_EQ(quantile(window, 0.75), h.quantile(0.75));
  uint64_t total = 0;
  for (uint64_t c : window) total += c;
  EXPECT_EQ(total, h.count());
}

TEST(LogLinear, ConcurrentObserveCountsExactlyAndExemplarsAreNeverTorn) {
  MetricsRegistry r;
  auto& f = r.histogram("conc_seconds", "c", {"t"}, default_latency_bounds_ns(), Unit::kSeconds);
  Histogram& h = MetricsRegistry::series(f, {"same"});
  constexpr int kThreads = 4, kPerThread = 250'000;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> torn{0}, seen{0};
  // A reader checks that every exemplar it sees is whole: the trace id
  // encodes the value and time written with it.
  std::thread reader([&] {
    while (!done.load(std::memory_order_relaxed)) {
      for (size_t b = 0; b <= h.bounds().size(); ++b) {
        Exemplar x = h.exemplar(b);
        if (!x.present) continue;
        int64_t v, t;
        std::memcpy(&v, x.trace_id.data(), 8);
        std::memcpy(&t, x.trace_id.data() + 8, 8);
        seen.fetch_add(1, std::memory_order_relaxed);
        if (v != x.value || t != x.time_ns) torn.fetch_add(1, std::memory_order_relaxed);
      }
    }
  });
  std::vector<std::thread> writers;
  for (int k = 0; k < kThreads; ++k)
    writers.emplace_back([&h, k] {
      std::mt19937_64 rng(k);
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t v = static_cast<int64_t>(rng() % 20'000'000'000);
        const int64_t t = static_cast<int64_t>(rng());
        std::array<uint8_t, 16> id;
        std::memcpy(id.data(), &v, 8);
        std::memcpy(id.data() + 8, &t, 8);
        h.observe(v, id, t);
      }
    });
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  constexpr uint64_t kTotal = uint64_t{kThreads} * kPerThread;
  EXPECT_EQ(h.count(), kTotal);
  uint64_t fine = 0;
  for (uint64_t c : h.fine_counts()) fine += c;
  EXPECT_EQ(fine, kTotal);
  EXPECT_EQ(torn.load(), 0u) << "of " << seen.load();
  for (size_t b = 0; b <= h.bounds().size(); ++b) {
    Exemplar x = h.exemplar(b);
    if (!x.present) continue;
    // Each bucket's exemplar holds a value of that bucket.
    EXPECT_EQ(std::lower_bound(h.bounds().begin(), h.bounds().end(), x.value) - h.bounds().begin(),
              static_cast<std::ptrdiff_t>(b));
  }
}

TEST(SeriesLookup, BracedListAndVectorFindTheSameSeriesAcrossIndexGrowth) {
  MetricsRegistry r;
  auto& f = r.counter("lookup_total", "L.", {"market_id", "outcome"});
  f.set_max_series(100'000);
  std::vector<Counter*> first;
  for (int i = 0; i < 5000; ++i) first.push_back(&f.with({std::to_string(i), "accepted"}));
  for (int i = 0; i < 5000; ++i) {
    const std::string id = std::to_string(i);
    ASSERT_EQ(&f.with({id, "accepted"}), first[i]);
    ASSERT_EQ(&f.with(LabelValues{id, "accepted"}), first[i]);
  }
  EXPECT_EQ(f.size(), 5000u);
  // Same values, other split: another label set.
  EXPECT_NE(&f.with({"1", "0accepted"}), &f.with({"10", "accepted"}));
}

TEST(SeriesLookup, ConcurrentLookupsWhileTheIndexGrows) {
  MetricsRegistry r;
  auto& f = r.histogram("grow_seconds", "G.", {"market_id"}, {1000}, Unit::kSeconds);
  f.set_max_series(1'000'000);
  constexpr int kThreads = 4, kPerThread = 3000;
  std::vector<std::vector<Histogram*>> got(kThreads);
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      // Every thread walks the same label sets from a different start, so
      // finds race with inserts of the same and of other label sets.
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "m_" + std::to_string((i + t * 750) % kPerThread);
        Histogram& h = MetricsRegistry::series(f, {id});
        h.observe(i);
        got[t].push_back(&h);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(f.size(), static_cast<size_t>(kPerThread));
  uint64_t total = 0;
  for (auto& [lv, h] : f.series()) total += h->count();
  EXPECT_EQ(total, uint64_t{kThreads} * kPerThread);
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i) {
      const std::string id = "m_" + std::to_string((i + t * 750) % kPerThread);
      ASSERT_EQ(got[t][i], &MetricsRegistry::series(f, {id}));
    }
}

TEST(SeriesLookup, HistogramFamilyOutsideARegistryThrows) {
  Family<Histogram> loose("loose_seconds", "L.", {});
  EXPECT_THROW(loose.with({}), std::invalid_argument);
  EXPECT_THROW(MetricsRegistry::series(loose, {}), std::invalid_argument);
}

}  // namespace
}  // namespace inplay
