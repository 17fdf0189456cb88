#include "telemetry/log.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "telemetry/attributes.h"

namespace inplay {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_sink([this](std::string_view l) { lines.emplace_back(l); });
  }
  void TearDown() override {
    log::set_sink({});
    log::configure(nullptr, LogLevel::kInfo);
  }
  std::vector<std::string> lines;
};

TEST_F(LogTest, WritesOneJsonObjectWithFixedKeysFirst) {
  // 2026-11-27T20:00:00.123Z
  SimClock clock(from_ns(1795809600123456789LL));
  log::configure(&clock, LogLevel::kDebug);
  const std::string market = "m-\"7\"\n";
  log::info("engine", "journal replayed",
            {{"records", 1234}, {attr::kMarketId, market}, {"ok", true}, {"neg", int64_t{-5}}});
  ASSERT_EQ(lines.size(), 1u);
  const std::string& line = lines[0];
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind("{\"ts\":\"2026-11-27T20:00:00.123Z\",\"level\":\"info\","
                       "\"component\":\"engine\",\"msg\":\"journal replayed\",",
                       0),
            0u)
      << line;

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(std::string_view(doc["level"].get_string().value()), "info");
  EXPECT_EQ(int64_t(doc["records"].get_int64().value()), 1234);
  EXPECT_EQ(std::string_view(doc["market_id"].get_string().value()), market);
  EXPECT_TRUE(bool(doc["ok"].get_bool().value()));
  EXPECT_EQ(int64_t(doc["neg"].get_int64().value()), -5);
}

TEST_F(LogTest, OmitsTsWithoutClockAndFiltersByLevel) {
  log::configure(nullptr, LogLevel::kWarn);
  log::info("feed", "dropped");
  EXPECT_FALSE(log::enabled(LogLevel::kInfo));
  EXPECT_TRUE(log::enabled(LogLevel::kError));
  log::warn("feed", "seq gap", {{"gap", 3}});
  log::error("feed", "parse error");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], R"({"level":"warn","component":"feed","msg":"seq gap","gap":3})");
  EXPECT_EQ(lines[1], R"({"level":"error","component":"feed","msg":"parse error"})");
}

TEST_F(LogTest, EpochAndPreEpochTimestamps) {
  SimClock clock(from_ns(0));
  log::configure(&clock, LogLevel::kInfo);
  log::info("c", "m");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].substr(0, 32), R"({"ts":"1970-01-01T00:00:00.000Z")");
}

TEST_F(LogTest, ConcurrentLinesNeverInterleave) {
  log::configure(nullptr, LogLevel::kInfo);
  auto work = [](int k) {
    for (int i = 0; i < 2000; ++i) log::info("t", "m", {{"k", k}, {"i", i}});
  };
  std::thread a(work, 1), b(work, 2);
  a.join();
  b.join();
  ASSERT_EQ(lines.size(), 4000u);
  simdjson::dom::parser parser;
  for (auto& l : lines) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(l).get(doc), simdjson::SUCCESS) << l;
  }
}

}  // namespace
}  // namespace inplay
