// The game day's static charts (src/gameday/svg_chart.h): the axis follows
// the data, the bound is drawn only on the scale, every event line is
// numbered and explained in visible text (no tooltips), book text escaped.
#include "gameday/svg_chart.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

std::vector<GamedayPoint> points(double p99_ms) {
  std::vector<GamedayPoint> out;
  for (int64_t t = 0; t <= 120; ++t) {
    GamedayPoint p;
    p.t = t;
    p.p99_ms = t < 60 ? p99_ms : p99_ms / 2;
    out.push_back(p);
  }
  return out;
}

SvgChartSpec latency() {
  return {"Accept latency", "ms", {{"p99", "#06c", [](const GamedayPoint& p) { return p.p99_ms; }}},
          1, 250, "250 ms: the objective", 120};
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(SvgChart, NiceSteps) {
  EXPECT_DOUBLE_EQ(nice_step(0.84, 4), 0.25);
  EXPECT_DOUBLE_EQ(nice_step(300, 4), 100);
  EXPECT_DOUBLE_EQ(nice_step(120, 8), 20);
  EXPECT_DOUBLE_EQ(nice_step(9, 4), 2.5);
}

TEST(SvgChart, ASubMillisecondP99IsScaledToItsDataAndTheFarBoundIsNamedNotDrawn) {
  std::string svg = svg_chart(latency(), points(0.8), {});
  // Ticks of 0.5 ms up to 1.5 ms (the floor of 1 ms, and a margin), not 0-300 ms.
  EXPECT_NE(svg.find(">0.5 ms</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">1.5 ms</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find(">2 ms</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find(">300 ms</text>"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("stroke-dasharray"), std::string::npos) << svg;
  EXPECT_NE(svg.find("250 ms: the objective: far above this scale (the highest value here is 0.8 ms)"),
            std::string::npos);
  // The title carries the unit; the legend names the series.
  EXPECT_NE(svg.find("Accept latency (ms)"), std::string::npos);
  EXPECT_NE(svg.find(">p99</text>"), std::string::npos);
}

TEST(SvgChart, ABoundWithinReachIsDrawnAndLabelled) {
  std::string svg = svg_chart(latency(), points(180), {});
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(svg.find(">250 ms: the objective</text>"), std::string::npos);
  EXPECT_EQ(svg.find("far above"), std::string::npos);
}

TEST(SvgChart, EventsAreNumberedAndExplainedInVisibleTextEscaped) {
  std::vector<GamedayMark> marks = {{20'000, "fault", "stall football-primary"},
                                    {23'500, "alert", "odds_stale <league=EPL>"},
                                    {31'000, "action", "switch_feed sport:football & freeze"}};
  std::string svg = svg_chart(latency(), points(0.8), marks);
  EXPECT_EQ(svg.find("<title>"), std::string::npos) << "nothing may depend on a tooltip";
  EXPECT_NE(svg.find(">1. at 20.0 s, fault: stall football-primary</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">2. at 23.5 s, alert: odds_stale &lt;league=EPL&gt;</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">3. at 31.0 s, action: switch_feed sport:football &amp; freeze</text>"), std::string::npos);
  // Each numbered above its line.
  for (const char* n : {">1</text>", ">2</text>", ">3</text>"}) EXPECT_EQ(count(svg, n), 1u) << n;
}

TEST(SvgChart, ManyEventsKeyTheFirstAndPointToTheTimeline) {
  std::vector<GamedayMark> marks;
  for (int i = 0; i < 30; ++i) marks.push_back({i * 1000, "alert", "a" + std::to_string(i)});
  std::string svg = svg_chart(latency(), points(0.8), marks);
  EXPECT_NE(svg.find("24. at 23.0 s, alert: a23</text>"), std::string::npos);
  EXPECT_EQ(svg.find("alert: a24</text>"), std::string::npos);
  EXPECT_NE(svg.find("and 6 more: see the timeline in report.md"), std::string::npos);
}

}  // namespace
}  // namespace inplay
