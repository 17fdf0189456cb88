#include "gameday/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/time_format.h"
#include "playbook/playbook_spec.h"

namespace inplay {

namespace {

struct Line {
  std::string label, colour;
  std::function<double(const GamedayPoint&)> value;
};

// One SVG line chart over the run, with the marks and an optional dashed
// bound (bound <= 0: none).
std::string svg_chart(const std::string& title, const std::vector<GamedayPoint>& pts,
                      const std::vector<GamedayMark>& marks, int64_t duration_s, const std::vector<Line>& lines,
                      double y_min_top, double bound, const std::string& bound_label) {
  const double w = 900, h = 260, left = 50, right = 20, top = 34, bottom = 30;
  double y_top = y_min_top;
  for (auto& p : pts)
    for (auto& l : lines) y_top = std::max(y_top, l.value(p));
  auto x = [&](double t) { return left + (w - left - right) * t / static_cast<double>(std::max<int64_t>(1, duration_s)); };
  auto y = [&](double v) { return h - bottom - (h - top - bottom) * std::clamp(v, 0.0, y_top) / y_top; };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"14\" "
      "font-weight=\"bold\">{}</text>\n",
      w, h, left, title);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#999\"/>\n", left, h - bottom, w - right);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>\n", left, top, h - bottom);
  s += fmt::format("<text x=\"4\" y=\"{:.1f}\">{:.4g}</text><text x=\"4\" y=\"{}\">0</text>\n", top + 4, y_top,
                   h - bottom);
  if (bound > 0)
    s += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#c00\" "
                     "stroke-dasharray=\"4 3\"/><text x=\"{3}\" y=\"{4:.1f}\" fill=\"#c00\">{5}</text>\n",
                     left, y(bound), w - right, w - right - 80, y(bound) - 3, bound_label);
  for (const GamedayMark& m : marks) {
    const char* colour = m.kind == "fault" ? "#d00" : m.kind == "alert" ? "#e80" : m.kind == "action" ? "#080" : "#55a";
    s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"{3}\" opacity=\"0.6\">"
                     "<title>{4:.1f} s {5}: {6}</title></line>\n",
                     x(static_cast<double>(m.t_ms) / 1000.0), top, h - bottom, colour,
                     static_cast<double>(m.t_ms) / 1000.0, m.kind, m.what);
  }
  double legend_x = left;
  for (const Line& l : lines) {
    std::string points;
    for (auto& p : pts)
      points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x(static_cast<double>(p.t)), y(l.value(p)));
    s += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"><title>{}</title>"
                     "</polyline>\n",
                     l.colour, points, l.label);
    s += fmt::format("<text x=\"{:.0f}\" y=\"28\" fill=\"{}\">{}</text>\n", legend_x, l.colour, l.label);
    legend_x += 12 + 6.5 * static_cast<double>(l.label.size());
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\">0 s</text><text x=\"{}\" y=\"{}\">{} s</text>\n", left, h - 14,
                   w - right - 40, h - 14, duration_s);
  return s + "</svg>\n";
}

const char* kPalette[] = {"#06c", "#c60", "#093", "#90c", "#c03", "#099", "#663", "#f6a"};

}  // namespace

void write_gameday_report(const std::string& out_dir, const ReportContext& c) {
  namespace fs = std::filesystem;
  const Scenario& s = c.scenario;
  const GamedayRecord& r = c.record;
  const int64_t n_pass =
      std::count_if(c.results.begin(), c.results.end(), [](const ExpectationResult& x) { return x.pass; });
  const bool all = n_pass == static_cast<int64_t>(c.results.size());

  // SLOs that saw events: the only ones worth a burn line and CSV columns.
  std::vector<size_t> live;
  for (size_t i = 0; i < r.slos.size(); ++i)
    if (!r.points.empty() && r.points.back().valid[i] > 0) live.push_back(i);

  std::string md;
  auto out = std::back_inserter(md);
  fmt::format_to(out, "# Game day: {}\n\n{}\n\n", s.name, s.description);
  fmt::format_to(out, "- Result: **{}** ({} of {} expectations hold)\n", all ? "PASS" : "FAIL", n_pass,
                 c.results.size());
  fmt::format_to(out, "- Book time: {} s from {}, {} clock, seed {}\n", s.duration_s, rfc3339_ms(r.start_ns),
                 c.real_time ? "real-time" : "simulated", s.seed);
  fmt::format_to(out, "- Bets offered: {}; accepted: {}; ledger sum: {}\n",
                 r.points.empty() ? 0 : r.points.back().offered, r.bets_accepted, r.ledger_sum);
  std::string refused;
  for (auto& [code, n] : r.refused) refused += fmt::format("{}{} {}", refused.empty() ? "" : ", ", code, n);
  fmt::format_to(out, "- Bets refused: {}\n", refused.empty() ? "none" : refused);
  fmt::format_to(out, "- Wall time: {:.2f} s\n\n", r.wall_s);
  fmt::format_to(out, "## Expectations\n\n| # | expectation | seen | result |\n|---|---|---|---|\n");
  for (size_t i = 0; i < c.results.size(); ++i)
    fmt::format_to(out, "| {} | {} (line {}) | {} | {} |\n", i + 1, c.results[i].e->describe(), c.results[i].e->line,
                   c.results[i].seen, c.results[i].pass ? "PASS" : "**FAIL**");
  fmt::format_to(out, "\n## SLOs over the run\n\n| SLO | SLI | target | events |\n|---|---|---|---|\n");
  for (size_t i : live) {
    const GamedayPoint& p = r.points.back();
    fmt::format_to(out, "| {} | {:.3f}% | {:.3f}% | {:.0f} |\n", r.slos[i].name, 100 * p.good[i] / p.valid[i],
                   100 * r.slos[i].target, p.valid[i]);
  }
  fmt::format_to(out, "\n## Timeline\n\n| t | what | |\n|---|---|---|\n");
  for (auto& m : r.marks) fmt::format_to(out, "| {:.1f} s | {} | {} |\n", m.t_ms / 1000.0, m.kind, m.what);
  fmt::format_to(out, "\n## Incidents\n\n");
  if (r.incidents.empty()) md += "None.\n";
  for (auto& [id, inc] : r.incidents) {
    fmt::format_to(out, "### Incident {}: {}\n\n- group `{}`, severity {}, {}{}\n- slice: {}\n- post-mortem: "
                   "[postmortem-{}.md](postmortem-{}.md)\n",
                   id, inc.title, inc.group_key, inc.severity, inc.status,
                   inc.high_exposure ? ", **High Exposure**" : "", inc.slice.empty() ? "—" : slice_values(inc.slice),
                   id, id);
    for (auto& e : inc.timeline) {
      std::string what = e.what;
      size_t sl = what.find("slice");
      if (sl != std::string::npos) what = what.substr(0, sl) + "slice: " + slice_values(what.substr(sl));
      fmt::format_to(out, "- {:.1f} s {}: {}\n", (e.at_ns - r.start_ns) / 1e9, e.step, what);
    }
    md += "\n";
    // The post-mortem names slices with their shares, which depend on
    // thread timing: it is written as the playbook writes it.
    std::ofstream(fs::path(out_dir) / fmt::format("postmortem-{}.md", id)) << postmortem_markdown(inc, r.currency);
  }
  md += "\n## Charts\n\n![accept latency](latency.svg)\n\n![price age and drift](freshness.svg)\n\n"
        "![burn rates](burn.svg)\n\nSeries: `series.csv`.\n";
  std::ofstream(fs::path(out_dir) / "report.md") << md;

  std::ofstream csv(fs::path(out_dir) / "series.csv");
  csv << "t_s,accept_p50_ms,accept_p99_ms,max_price_age_ratio,max_drift,alerts_firing,incidents_open,bets_offered,"
         "bets_accepted,in_play_markets,suspended_markets";
  for (size_t i : live)
    csv << fmt::format(",{0}_good,{0}_valid,{0}_fast_burn", r.slos[i].name);
  csv << "\n";
  for (auto& p : r.points) {
    csv << fmt::format("{},{:.3f},{:.3f},{:.3f},{:.4f},{},{},{},{},{},{}", p.t, p.p50_ms, p.p99_ms,
                       p.max_stale_ratio, p.max_drift, p.alerts, p.incidents_open, p.offered, p.bets,
                       p.in_play_markets, p.suspended_markets);
    for (size_t i : live) csv << fmt::format(",{:.0f},{:.0f},{:.3f}", p.good[i], p.valid[i], p.burn[i]);
    csv << "\n";
  }

  std::ofstream(fs::path(out_dir) / "latency.svg")
      << svg_chart("accept latency (ms), 10 s window", r.points, r.marks, s.duration_s,
                   {{"p50", "#9bd", [](const GamedayPoint& p) { return p.p50_ms; }},
                    {"p99", "#06c", [](const GamedayPoint& p) { return p.p99_ms; }}},
                   300, 250, "250 ms");
  std::ofstream(fs::path(out_dir) / "freshness.svg")
      << svg_chart("worst price age / limit, worst drift vs reference", r.points, r.marks, s.duration_s,
                   {{"price age / limit", "#555", [](const GamedayPoint& p) { return std::min(p.max_stale_ratio, 10.0); }},
                    {"drift (x10)", "#c60", [](const GamedayPoint& p) { return std::min(10 * p.max_drift, 10.0); }}},
                   2, 1, "limit");
  std::vector<Line> burns;
  for (size_t k = 0; k < live.size(); ++k) {
    size_t i = live[k];
    burns.push_back(Line{r.slos[i].name, kPalette[k % std::size(kPalette)],
                         [i](const GamedayPoint& p) { return std::min(p.burn[i], 100.0); }});
  }
  std::ofstream(fs::path(out_dir) / "burn.svg")
      << svg_chart("fast-tier burn rate (short window; 1 = spending exactly the budget)", r.points, r.marks,
                   s.duration_s, burns, 2, 14.4, "14.4 (page)");
}

}  // namespace inplay
