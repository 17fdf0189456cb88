// ChartMarks (src/warroom/chart_marks.h): one mark per key, the 15-minute
// window, the bound; and WarRoom's operator action marks in the snapshot.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "core/json.h"
#include "warroom/chart_marks.h"

namespace inplay {
namespace {

constexpr int64_t kT0Ms = 1'800'000'000'000;  // ms
constexpr int64_t kMin = 60'000;

TEST(ChartMarks, OneMarkPerKeyInTheWindow) {
  ChartMarks m;
  m.prune(kT0Ms);
  m.add(kT0Ms - kMin, ChartMarks::Kind::kAlert, "alert:1:5", "FeedDown sport=football");
  m.add(kT0Ms - kMin, ChartMarks::Kind::kAlert, "alert:1:5", "FeedDown sport=football");  // offered again
  m.add(kT0Ms, ChartMarks::Kind::kAction, "action:3", "switch_feed sport:football (playbook:feed_down)");
  m.add(kT0Ms - 16 * kMin, ChartMarks::Kind::kAlert, "alert:2:1", "too old");  // before the window
  ASSERT_EQ(m.marks().size(), 2u);
  JsonWriter w;
  m.write_json(w);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(w.str()).get(doc), simdjson::SUCCESS) << w.str();
  simdjson::dom::array a = doc;
  EXPECT_EQ(int64_t(a.at(0)["t_ms"]), kT0Ms - kMin);
  EXPECT_EQ(std::string_view(a.at(0)["kind"]), "alert");
  EXPECT_EQ(std::string_view(a.at(1)["kind"]), "action");
  EXPECT_EQ(std::string_view(a.at(1)["what"]), "switch_feed sport:football (playbook:feed_down)");
  // 15 minutes later the alert mark leaves the window; its key may come back.
  m.prune(kT0Ms + 15 * kMin - kMin + 1);
  ASSERT_EQ(m.marks().size(), 1u);
  EXPECT_EQ(m.marks().front().key, "action:3");
  m.add(kT0Ms + 15 * kMin, ChartMarks::Kind::kAlert, "alert:1:5", "fired again later");
  EXPECT_EQ(m.marks().size(), 2u);
}

TEST(ChartMarks, KeepsAtMostMaxMarksDroppingTheOldest) {
  ChartMarks m;
  m.prune(kT0Ms);
  for (size_t i = 0; i < ChartMarks::kMaxMarks + 10; ++i)
    m.add(kT0Ms + static_cast<int64_t>(i), ChartMarks::Kind::kAction, "k" + std::to_string(i), "x");
  ASSERT_EQ(m.marks().size(), ChartMarks::kMaxMarks);
  EXPECT_EQ(m.marks().front().key, "k10");
  // A key dropped for the bound stays known: offered again, it adds nothing...
  m.add(kT0Ms + 1000, ChartMarks::Kind::kAction, "k0", "x");
  EXPECT_EQ(m.marks().back().key, "k" + std::to_string(ChartMarks::kMaxMarks + 9));
  // ...until the window has passed it.
  m.prune(kT0Ms + ChartMarks::kWindowMs + 1);
  m.add(kT0Ms + ChartMarks::kWindowMs + 5, ChartMarks::Kind::kAction, "k0", "x");
  EXPECT_EQ(m.marks().back().key, "k0");
}

}  // namespace
}  // namespace inplay
