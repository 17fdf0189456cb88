// SvgChart: one static line chart of a game day (report.md's latency.svg,
// freshness.svg, burn.svg), written to be read where the report is read —
// a Markdown viewer or a browser showing the file — so nothing depends on
// hovering: tooltips never show there.
//
// What it promises:
//  - a title with the unit, and a legend (a swatch and a label per series,
//    then the kinds of event line);
//  - a y-axis with its unit, ticks at 1, 2, 2.5 or 5 x 10^n, scaled to the
//    data (at least `y_floor`): a sub-millisecond p99 is not a flat line at
//    the bottom of a 0-300 ms axis;
//  - the bound (a dashed line and its label) when the data come within a
//    fifth of it; when they stay far below, a line under the legend says so
//    instead of flattening the data to fit it;
//  - every event (fault, alert, incident, action, load step) a numbered
//    vertical line, its number printed above it and explained in a key
//    under the plot ("3. at 41.0 s, action: switch_feed ..."), at most
//    kMaxKeyed of them (then "and N more: see the timeline in report.md");
//  - an x-axis in seconds since the start with ticks.
// Pure function of its inputs; text from the book (alert names, actions) is
// escaped. Any thread.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gameday/gameday_record.h"

namespace inplay {

struct SvgSeries {
  std::string label, colour;
  std::function<double(const GamedayPoint&)> value;
};

struct SvgChartSpec {
  std::string title;          // "Accept latency, 10 s window"
  std::string unit;           // "ms", "x" (a ratio or rate), "" (none)
  std::vector<SvgSeries> series;
  double y_floor = 1;         // the axis reaches at least this
  double bound = 0;           // <= 0: none
  std::string bound_label;    // "250 ms: the accept-latency objective"
  int64_t duration_s = 0;
};

inline constexpr size_t kMaxKeyed = 24;

std::string svg_chart(const SvgChartSpec& spec, const std::vector<GamedayPoint>& points,
                      const std::vector<GamedayMark>& marks);

// A step of 1, 2, 2.5 or 5 x 10^n giving about n_ticks ticks up to max (> 0).
double nice_step(double max, int n_ticks);

}  // namespace inplay
