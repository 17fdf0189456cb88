#include "telemetry/process_metrics.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

TEST(ProcessMetrics, ParsesProcText) {
  const char* stat =
      "4242 (in play) x) S 1 4242 4242 0 -1 4194560 2000 0 0 0 250 50 0 0 20 0 7 0 123400 "
      "100000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  const char* status = "Name:\tinplay\nVmPeak:\t  9000 kB\nVmRSS:\t    2048 kB\nThreads:\t7\n";
  const char* proc_stat = "cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n";
  auto s = parse_process_stats(stat, status, proc_stat, 100);
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(s->resident_bytes, 2048.0 * 1024);
  EXPECT_DOUBLE_EQ(s->threads, 7);
  EXPECT_DOUBLE_EQ(s->start_time_seconds, 1700001234.0);
  EXPECT_FALSE(parse_process_stats("garbage", status, proc_stat, 100));
  EXPECT_FALSE(parse_process_stats(stat, "Name:\tx\n", proc_stat, 100));
  EXPECT_FALSE(parse_process_stats(stat, status, "cpu 1\n", 100));
}

TEST(ProcessMetrics, LiveProcessRendersAtScrapeTime) {
  auto s = read_process_stats();
  ASSERT_TRUE(s);
  EXPECT_GT(s->resident_bytes, 1024.0);
  EXPECT_GE(s->threads, 1.0);
  EXPECT_GT(s->start_time_seconds, 1.5e9);
  MetricsRegistry r;
  register_process_metrics(r);
  const std::string om = r.render_openmetrics();
  EXPECT_NE(om.find("# TYPE process_cpu_seconds counter\n# UNIT process_cpu_seconds seconds\n"),
            std::string::npos)
      << om;
  EXPECT_NE(om.find("\nprocess_cpu_seconds_total "), std::string::npos);
  EXPECT_NE(om.find("\nprocess_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(om.find("\nprocess_threads "), std::string::npos);
  EXPECT_NE(om.find("\nprocess_start_time_seconds "), std::string::npos);
  const std::string text = r.render_prometheus();
  EXPECT_NE(text.find("\nprocess_cpu_seconds_total "), std::string::npos) << text;
}

}  // namespace
}  // namespace inplay
