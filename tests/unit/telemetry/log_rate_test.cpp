#include "telemetry/log_rate.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "telemetry/log.h"

namespace inplay {
namespace {

constexpr int64_t kSecond = 1000000000;

class LogRateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_sink([this](std::string_view l) { lines.emplace_back(l); });
    log::set_rate_limit(LogRateLimiter::kDefaultBurst, LogRateLimiter::kDefaultPerSecond);
  }
  void TearDown() override {
    log::set_sink({});
    log::configure(nullptr, LogLevel::kInfo);
    log::set_rate_limit(LogRateLimiter::kDefaultBurst, LogRateLimiter::kDefaultPerSecond);
  }
  // One call site, many lines.
  void storm(int n) {
    for (int i = 0; i < n; ++i) log::warn("feed", "seq gap", {{"i", i}});
  }
  int64_t suppressed_field(const std::string& line) {
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    if (p.parse(line).get(doc) != simdjson::SUCCESS) return -2;
    int64_t n = -1;
    if (doc["suppressed"].get_int64().get(n) != simdjson::SUCCESS) return -1;
    return n;
  }
  std::vector<std::string> lines;
};

TEST_F(LogRateTest, AStormFromOneSiteIsCutToBurstThenRefillRate) {
  SimClock clock(from_ns(1795809600000000000LL));
  log::configure(&clock, LogLevel::kInfo);
  const uint64_t before = log::suppressed_total();
  storm(100);
  ASSERT_EQ(lines.size(), 20u);  // the burst
  EXPECT_EQ(log::suppressed_total() - before, 80u);
  for (auto& l : lines) EXPECT_EQ(suppressed_field(l), -1) << l;

  clock.advance(std::chrono::seconds(1));  // earns 10 lines back
  storm(30);
  ASSERT_EQ(lines.size(), 30u);
  // The first line after the suppression says how many were lost there.
  EXPECT_EQ(suppressed_field(lines[20]), 80);
  EXPECT_EQ(suppressed_field(lines[21]), -1);
  EXPECT_EQ(log::suppressed_total() - before, 100u);

  clock.advance(std::chrono::milliseconds(250));  // 2.5 lines of credit
  storm(5);
  ASSERT_EQ(lines.size(), 32u);
  EXPECT_EQ(suppressed_field(lines[30]), 20);
}

TEST_F(LogRateTest, SitesAreLimitedSeparately) {
  SimClock clock(from_ns(kSecond));
  log::configure(&clock, LogLevel::kInfo);
  storm(50);
  log::info("runtime", "other site");  // its own bucket
  log::error("runtime", "a third site");
  ASSERT_EQ(lines.size(), 22u);
  EXPECT_NE(lines[20].find("other site"), std::string::npos);
  EXPECT_NE(lines[21].find("a third site"), std::string::npos);
}

TEST_F(LogRateTest, NoClockOrNoLimitMeansEveryLine) {
  log::configure(nullptr, LogLevel::kInfo);
  storm(100);
  EXPECT_EQ(lines.size(), 100u);
  lines.clear();
  SimClock clock(from_ns(kSecond));
  log::configure(&clock, LogLevel::kInfo);
  log::set_rate_limit(20, 0.0);
  storm(100);
  EXPECT_EQ(lines.size(), 100u);
}

TEST_F(LogRateTest, LinesBelowTheLevelSpendNoCredit) {
  SimClock clock(from_ns(kSecond));
  log::configure(&clock, LogLevel::kWarn);
  log::set_rate_limit(2, 1.0);
  for (int i = 0; i < 10; ++i) log::write(LogLevel::kInfo, "c", "quiet");
  storm(3);
  EXPECT_EQ(lines.size(), 2u);
}

TEST(LogRateLimiter, CreditIsCappedAtTheBurst) {
  LogRateLimiter l;
  l.configure(3, 10.0);
  const auto site = std::source_location::current();
  int64_t t = 0;
  int passed = 0;
  for (int i = 0; i < 10; ++i) passed += l.admit(site, t) >= 0;
  EXPECT_EQ(passed, 3);
  t += 3600 * kSecond;  // an hour of quiet is still only 3 lines of credit
  passed = 0;
  int64_t reported = -1;
  for (int i = 0; i < 10; ++i) {
    int64_t r = l.admit(site, t);
    if (r >= 0) ++passed;
    if (i == 0) reported = r;
  }
  EXPECT_EQ(passed, 3);
  EXPECT_EQ(reported, 7);
  // A clock that steps back earns nothing and breaks nothing.
  EXPECT_EQ(l.admit(site, t - kSecond), -1);
  EXPECT_EQ(l.suppressed_total(), 15u);
}

TEST(LogRateLimiter, ConfigureForgetsSites) {
  LogRateLimiter l;
  l.configure(1, 1.0);
  const auto site = std::source_location::current();
  EXPECT_EQ(l.admit(site, 0), 0);
  EXPECT_EQ(l.admit(site, 0), -1);
  l.reset();
  EXPECT_EQ(l.admit(site, 0), 0);
}

}  // namespace
}  // namespace inplay
