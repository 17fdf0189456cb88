#include "gameday/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace inplay {

namespace {

constexpr double kWidth = 900, kLeft = 64, kRight = 20, kPlotH = 200, kKeyLine = 15;

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* mark_colour(const std::string& kind) {
  if (kind == "fault") return "#d00";
  if (kind == "alert") return "#e07000";
  if (kind == "incident") return "#55a";
  if (kind == "action") return "#080";
  return "#888";  // load
}

// "0.25 ms", "12 ms", "1.5 x": a tick's value, as short as it can be.
std::string tick_text(double v, const std::string& unit) {
  std::string n = fmt::format("{:.4g}", v);
  return unit.empty() ? n : n + " " + unit;
}

}  // namespace

double nice_step(double max, int n_ticks) {
  const double raw = max / std::max(1, n_ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0})
    if (m * mag >= raw * (1 - 1e-9)) return m * mag;
  return 10 * mag;
}

std::string svg_chart(const SvgChartSpec& spec, const std::vector<GamedayPoint>& points,
                      const std::vector<GamedayMark>& marks) {
  double data_max = 0;
  for (const GamedayPoint& p : points)
    for (const SvgSeries& l : spec.series) data_max = std::max(data_max, l.value(p));
  // The bound is on the scale when the data come within a fifth of it.
  const bool bound_shown = spec.bound > 0 && data_max >= spec.bound / 5;
  double top_value = std::max({spec.y_floor, data_max, bound_shown ? spec.bound : 0.0}) * 1.05;
  const double step = nice_step(top_value, 4);
  top_value = std::ceil(top_value / step - 1e-9) * step;

  // Legend: the series, then the kinds of event line, wrapped to the width.
  std::string legend;
  double lx = kLeft, ly = 34;
  auto legend_item = [&](const std::string& label, const char* colour, bool vertical) {
    const double item_w = 34 + 6.6 * static_cast<double>(label.size());
    if (lx + item_w > kWidth - kRight && lx > kLeft) {
      lx = kLeft;
      ly += 17;
    }
    if (vertical)
      legend += fmt::format("<line x1=\"{0:.0f}\" y1=\"{1:.0f}\" x2=\"{0:.0f}\" y2=\"{2:.0f}\" stroke=\"{3}\" "
                            "stroke-width=\"2\"/>",
                            lx + 6, ly - 8, ly + 6, colour);
    else
      legend += fmt::format("<line x1=\"{0:.0f}\" y1=\"{2:.0f}\" x2=\"{1:.0f}\" y2=\"{2:.0f}\" stroke=\"{3}\" "
                            "stroke-width=\"3\"/>",
                            lx, lx + 18, ly, colour);
    legend += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\">{}</text>\n", lx + 22, ly + 4, escape(label));
    lx += item_w;
  };
  for (const SvgSeries& l : spec.series) legend_item(l.label, l.colour.c_str(), false);
  for (const char* kind : {"fault", "alert", "incident", "action"}) legend_item(kind, mark_colour(kind), true);
  if (spec.bound > 0 && !bound_shown) {
    ly += 18;
    legend += fmt::format("<text x=\"{}\" y=\"{:.0f}\" fill=\"#a00\">{}: far above this scale (the highest value "
                          "here is {})</text>\n",
                          kLeft, ly + 4, escape(spec.bound_label), tick_text(data_max, spec.unit));
  }

  const size_t keyed = std::min(marks.size(), kMaxKeyed);
  const double plot_top = ly + 42, plot_bottom = plot_top + kPlotH;  // room for three rows of event numbers
  const double key_top = plot_bottom + 44;
  const double height = key_top + kKeyLine * (static_cast<double>(keyed) + (marks.size() > keyed ? 1 : 0)) + 8;
  const double span = static_cast<double>(std::max<int64_t>(1, spec.duration_s));
  auto x = [&](double t_s) { return kLeft + (kWidth - kLeft - kRight) * std::clamp(t_s, 0.0, span) / span; };
  auto y = [&](double v) { return plot_bottom - kPlotH * std::clamp(v, 0.0, top_value) / top_value; };

  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1:.0f}\" viewBox=\"0 0 {0} {1:.0f}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"16\" font-weight=\"bold\" font-size=\"14\">{3}{4}</text>\n",
      kWidth, height, kLeft, escape(spec.title), spec.unit.empty() ? "" : " (" + escape(spec.unit) + ")");
  s += legend;

  // Axes, grid and ticks.
  for (double v = 0; v <= top_value + step / 2; v += step) {
    s += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e4e4e4\"/>"
                     "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
                     kLeft, y(v), kWidth - kRight, kLeft - 6, y(v) + 4, tick_text(v, spec.unit));
  }
  s += fmt::format("<line x1=\"{0}\" y1=\"{1:.0f}\" x2=\"{2}\" y2=\"{1:.0f}\" stroke=\"#666\"/>\n", kLeft, plot_bottom,
                   kWidth - kRight);
  const double x_step = nice_step(span, 8);
  for (double t = 0; t <= span + x_step / 2; t += x_step)
    s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" stroke=\"#666\"/>"
                     "<text x=\"{0:.1f}\" y=\"{3:.0f}\" text-anchor=\"middle\">{4} s</text>\n",
                     x(t), plot_bottom, plot_bottom + 4, plot_bottom + 17, fmt::format("{:.4g}", t));
  s += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" text-anchor=\"end\" fill=\"#555\">seconds since the start</text>\n",
                   kWidth - kRight, plot_bottom + 32);
  if (bound_shown)
    s += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#c00\" stroke-dasharray=\"5 4\"/>"
                     "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"#c00\">{5}</text>\n",
                     kLeft, y(spec.bound), kWidth - kRight, kWidth - kRight - 2, y(spec.bound) - 4,
                     escape(spec.bound_label));

  // Event lines, numbered above the plot; the key under it.
  for (size_t i = 0; i < keyed; ++i) {
    const GamedayMark& m = marks[i];
    const double t = static_cast<double>(m.t_ms) / 1000.0;
    s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.0f}\" x2=\"{0:.1f}\" y2=\"{2:.0f}\" stroke=\"{3}\" opacity=\"0.7\"/>"
                     "<text x=\"{0:.1f}\" y=\"{4:.0f}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{3}\" "
                     "font-weight=\"bold\">{5}</text>\n",
                     x(t), plot_top, plot_bottom, mark_colour(m.kind), plot_top - 3 - 11.0 * static_cast<double>(i % 3),
                     i + 1);
    s += fmt::format("<text x=\"{}\" y=\"{:.0f}\" fill=\"{}\">{}. at {:.1f} s, {}: {}</text>\n", kLeft,
                     key_top + kKeyLine * static_cast<double>(i), mark_colour(m.kind), i + 1, t, escape(m.kind),
                     escape(m.what));
  }
  if (marks.size() > keyed)
    s += fmt::format("<text x=\"{}\" y=\"{:.0f}\" fill=\"#555\">and {} more: see the timeline in report.md</text>\n",
                     kLeft, key_top + kKeyLine * static_cast<double>(keyed), marks.size() - keyed);

  // The series last, over the grid and the event lines.
  for (const SvgSeries& l : spec.series) {
    std::string pts;
    for (const GamedayPoint& p : points)
      pts += fmt::format("{}{:.1f},{:.1f}", pts.empty() ? "" : " ", x(static_cast<double>(p.t)), y(l.value(p)));
    s += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n", l.colour, pts);
  }
  return s + "</svg>\n";
}

}  // namespace inplay
