#include "telemetry/retention.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/clock.h"
#include "telemetry/log_file.h"
#include "telemetry/trace.h"

namespace inplay {
namespace {

constexpr int64_t kSecond = 1000000000;

void record_at(Tracer& t, int64_t end_ns, TraceId* id = nullptr) {
  Span s = t.start("gateway", TraceContext{}, end_ns - 10);
  s.end_ns = end_ns;
  if (id) *id = s.trace_id;
  t.record(std::move(s));
}

TEST(TraceRetention, SweepEvictsSpansOlderThanTheMaxAgeOldestFirst) {
  SimClock clock(from_ns(1000 * kSecond));
  Tracer t(100);
  TraceId old_id, young_id;
  record_at(t, 100 * kSecond, &old_id);
  for (int i = 0; i < 9; ++i) record_at(t, (200 + i) * kSecond);
  record_at(t, 950 * kSecond, &young_id);
  EXPECT_EQ(sweep_traces(t, clock, 0), 0u);  // 0: off
  EXPECT_EQ(sweep_traces(t, clock, 600 * kSecond), 10u);  // everything that ended before 400 s
  EXPECT_EQ(t.expired(), 10u);
  EXPECT_EQ(t.evicted(), 0u);
  EXPECT_EQ(t.span_count(), 1u);
  EXPECT_EQ(t.trace_count(), 1u);
  EXPECT_TRUE(t.trace(old_id).empty());
  EXPECT_EQ(t.trace(young_id).size(), 1u);
  EXPECT_EQ(sweep_traces(t, clock, 600 * kSecond), 0u);
  clock.advance(std::chrono::seconds(600));
  EXPECT_EQ(sweep_traces(t, clock, 600 * kSecond), 1u);
  EXPECT_EQ(t.span_count(), 0u);
}

TEST(TraceRetention, TheStoreStaysConsistentAcrossSweepsAndTheCountCap) {
  // Mix age sweeps with cap evictions around the ring many times; every
  // trace that should be there is, whole, and nothing else.
  Tracer t(8);
  std::vector<std::pair<TraceId, int64_t>> live;  // trace id, end time (2 spans each)
  int64_t now = 0;
  for (int round = 0; round < 200; ++round) {
    now += kSecond;
    Span root = t.start("gateway", TraceContext{}, now - 5);
    root.end_ns = now;
    Span child = t.start("risk", root.context(), now - 4);
    child.end_ns = now - 1;
    live.emplace_back(root.trace_id, now);
    std::vector<Span> v;
    v.push_back(std::move(child));
    v.push_back(std::move(root));
    t.record_all(std::move(v));
    if (round % 7 == 3) {
      SimClock clock(from_ns(now));
      sweep_traces(t, clock, 2 * kSecond + 1);  // keeps the last three traces
    }
    // What must be stored: the newest traces that fit and are young enough.
    size_t n = 0;
    for (auto it = live.rbegin(); it != live.rend(); ++it) {
      auto spans = t.trace(it->first);
      if (spans.empty()) break;
      EXPECT_EQ(spans.size(), 2u) << round;
      ++n;
    }
    EXPECT_EQ(t.span_count(), 2 * n) << round;
    EXPECT_EQ(t.trace_count(), n) << round;
    EXPECT_LE(n, 4u);
  }
  EXPECT_GT(t.expired(), 0u);
  EXPECT_GT(t.evicted(), 0u);
  EXPECT_EQ(t.expired() + t.evicted() + t.span_count(), 400u);
}

class LogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("inplay-logfile-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  static std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::path dir;
};

TEST_F(LogFileTest, RotatesAtTheMaxSizeAndKeepsNFiles) {
  const auto path = dir / "inplay.log";
  LogFile f(path, 100, 2);
  const std::string line(39, 'x');  // 40 bytes with '\n': two lines per file
  for (int i = 0; i < 9; ++i) f.write(line.substr(0, 37) + std::to_string(i % 10) + "!");
  // 9 lines, 2 per file: the live file has the 9th, .1 the 7th and 8th,
  // .2 the 5th and 6th; older ones were deleted.
  EXPECT_EQ(f.rotations(), 4u);
  EXPECT_EQ(f.errors(), 0u);
  EXPECT_EQ(read(path), line.substr(0, 37) + "8!\n");
  EXPECT_EQ(read(f.rotated(1)), line.substr(0, 37) + "6!\n" + line.substr(0, 37) + "7!\n");
  EXPECT_EQ(read(f.rotated(2)), line.substr(0, 37) + "4!\n" + line.substr(0, 37) + "5!\n");
  EXPECT_FALSE(std::filesystem::exists(f.rotated(3)));
  for (const auto& e : std::filesystem::directory_iterator(dir)) EXPECT_LE(std::filesystem::file_size(e), 100u);
}

TEST_F(LogFileTest, AppendsToAnExistingFileAndCountsItsSize) {
  const auto path = dir / "a.log";
  {
    std::ofstream out(path);
    out << std::string(90, 'o') << '\n';
  }
  LogFile f(path, 100, 1);
  f.write("0123456789");  // 91 + 11 > 100: rotate first
  EXPECT_EQ(f.rotations(), 1u);
  EXPECT_EQ(read(path), "0123456789\n");
  EXPECT_EQ(read(f.rotated(1)).size(), 91u);
}

TEST_F(LogFileTest, AnUnopenableFileThrowsWithTheReason) {
  EXPECT_THROW(LogFile(dir / "no" / "such" / "dir.log", 100, 1), std::runtime_error);
}

}  // namespace
}  // namespace inplay
