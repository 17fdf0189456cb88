#include "gameday/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "core/time_format.h"
#include "gameday/svg_chart.h"
#include "playbook/playbook_spec.h"

namespace inplay {

namespace {

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
  if (r.payments.on) {
    // The book's side of each PSP route and what the end-of-day T+0
    // reconciliation found on the PSP's (gameday/psp_drill.h).
    fmt::format_to(out, "\n## Payments\n\n| route | sent | authorised | declined | failed | PSP rows | duplicates | "
                        "mismatches | unsettled |\n|---|---|---|---|---|---|---|---|---|\n");
    for (const PaymentRouteRecord& p : r.payments.routes)
      fmt::format_to(out, "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", p.route, p.sent, p.authorised, p.declined,
                     p.failed, p.reconciled ? std::to_string(p.rows) : "not reconciled: " + p.error, p.duplicates,
                     p.mismatches, p.unsettled);
    fmt::format_to(out, "\nPayments without their PSP's word at the end: {}. Seconds whose wait for the PSP "
                        "calls was cut at 30 s: {}.\n", r.payments.unresolved, r.payments.settle_cut);
  }
  fmt::format_to(out, "\n## Timeline\n\n| t | what | |\n|---|---|---|\n");
  for (auto& m : r.marks) fmt::format_to(out, "| {:.1f} s | {} | {} |\n", m.t_ms / 1000.0, m.kind, m.what);
  fmt::format_to(out, "\n## Incidents\n\n");
  if (r.incidents.empty()) md += "None.\n";
  for (auto& [id, inc] : r.incidents) {
    fmt::format_to(out, "### Incident {}: {}\n\n- group `{}`, severity {}, {}{}\n- impact: {} market(s), live "
                   "liability {} (peak)\n- slice: {}\n- post-mortem: [postmortem-{}.md](postmortem-{}.md)\n",
                   id, inc.title, inc.group_key, inc.severity, inc.status,
                   inc.high_exposure ? ", **High Exposure**" : "", inc.markets.size(),
                   format_money(inc.exposure_minor, r.currency), inc.slice.empty() ? "—" : slice_values(inc.slice),
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
  // Budget guards' caps and delays (and operators' actions tied to no
  // incident): when they acted, on what, and when they were relaxed. The
  // incidents they concern say so in their timelines too.
  fmt::format_to(out, "\n## Actions outside incidents\n\n");
  if (r.other_actions.empty()) md += "None.\n";
  else
    md += "| t | action | on | status | by | relaxed | detail |\n|---|---|---|---|---|---|---|\n";
  for (const IncidentAction& a : r.other_actions) {
    const std::string on = a.target.league.empty()
                               ? a.target.describe()
                               : fmt::format("league {} ({} markets)", a.target.league, a.target.markets.size());
    fmt::format_to(out, "| {} | {} | {} | {} | {} | {} | {} |\n",
                   a.at_ns ? fmt::format("{:.1f} s", (a.at_ns - r.start_ns) / 1e9) : "—", action_type_name(a.spec.type),
                   on, a.status, a.actor,
                   a.reverted_ns ? fmt::format("{:.1f} s", (a.reverted_ns - r.start_ns) / 1e9) : "—", a.detail);
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
      << svg_chart({"Accept latency, 10 s window", "ms",
                    {{"p50", "#7aa7d8", [](const GamedayPoint& p) { return p.p50_ms; }},
                     {"p99", "#06c", [](const GamedayPoint& p) { return p.p99_ms; }}},
                    1, 250, "250 ms: the accept-latency objective", s.duration_s},
                   r.points, r.marks);
  std::ofstream(fs::path(out_dir) / "freshness.svg")
      << svg_chart({"Worst price age / its limit, worst drift x10 (capped at 10)", "x",
                    {{"price age / limit", "#555", [](const GamedayPoint& p) { return std::min(p.max_stale_ratio, 10.0); }},
                     {"drift x10", "#c60", [](const GamedayPoint& p) { return std::min(10 * p.max_drift, 10.0); }}},
                    1.2, 1, "1 x: the limit", s.duration_s},
                   r.points, r.marks);
  std::vector<SvgSeries> burns;
  for (size_t k = 0; k < live.size(); ++k) {
    size_t i = live[k];
    burns.push_back(SvgSeries{r.slos[i].name, kPalette[k % std::size(kPalette)],
                              [i](const GamedayPoint& p) { return std::min(p.burn[i], 100.0); }});
  }
  std::ofstream(fs::path(out_dir) / "burn.svg")
      << svg_chart({"Fast-tier burn rate, short window (1 x spends exactly the budget; capped at 100)", "x",
                    std::move(burns), 2, 14.4, "14.4 x: pages", s.duration_s},
                   r.points, r.marks);
}

}  // namespace inplay
