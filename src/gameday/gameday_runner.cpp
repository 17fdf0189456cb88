#include "gameday/gameday_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <thread>

#include "app/config.h"
#include "app/demo.h"
#include "app/runtime.h"
#include "app/shipped_configs.h"
#include "core/time_format.h"
#include "engine/engine.h"
#include "http/auth.h"
#include "playbook/incident_loop.h"
#include "sim/feed_provider.h"
#include "sim/sim_world.h"

namespace inplay {

namespace {

constexpr int64_t kSecond = 1'000'000'000;

// The values a slice names, without its shares and trace counts: those
// depend on how many traces the journal thread had handed over when the
// slice was taken (thread timing), the values do not.
std::string slice_values(const std::string& slice) {
  std::string out;
  size_t i = 0;
  while (i < slice.size()) {
    size_t end = slice.find_first_of(" ,[", i);
    std::string tok = slice.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (tok.find('=') != std::string::npos && tok.find('(') == std::string::npos)
      out += (out.empty() ? "" : ", ") + tok;
    if (end == std::string::npos) break;
    if (slice[end] == '[') break;
    size_t close = slice[end] == ' ' && end + 1 < slice.size() && slice[end + 1] == '(' ? slice.find(')', end) : end;
    i = (close == std::string::npos ? slice.size() : close) + 1;
    while (i < slice.size() && (slice[i] == ' ' || slice[i] == ',')) ++i;
  }
  return out;
}

struct Point {
  int64_t t = 0;  // seconds since the start
  double p50_ms = 0, p99_ms = 0, max_stale_ratio = 0;
  size_t alerts = 0, incidents_open = 0;
  uint64_t bets = 0;
};

struct Mark {
  int64_t t_ms;  // since the start
  std::string kind;  // fault, alert, incident, action
  std::string what;
};

Config scenario_config(const Scenario& s, const std::string& data_dir) {
  Config c;
  c.port = 0;
  c.data_dir = data_dir;
  c.sim_clock = true;
  c.sim_start_ms = s.start_ms;
  c.fsync = FsyncPolicy::kNone;  // a drill: durability is not what it measures
  c.price_refresh_ms = 0;
  c.engine.inplay_delay["football"] = std::chrono::seconds(5);
  c.pseudonym_secret = random_token();
  c.tokens.push_back(TokenConfig{"gameday", Role::kOperator, sha256_hex(random_token())});
  uint64_t eid = 1;
  for (const ScenarioMatch& m : s.matches) {
    EventConfig e;
    e.id = eid;
    e.sport = "football";
    e.league = m.league;
    e.home = m.home;
    e.away = m.away;
    e.kickoff_ms = m.minute >= 0 ? s.start_ms - m.minute * 60000 : s.start_ms + m.kickoff_in_s * 1000;
    e.state = m.minute >= 0 ? EventState::kInPlay : EventState::kPreMatch;
    e.lambda_home = m.lambda_home;
    e.lambda_away = m.lambda_away;
    Odds two{20000};  // opening prices are not used: the simulated feeds price the book
    e.markets = football_markets(eid, {two, two, two, two, two, two, two});
    c.events.push_back(std::move(e));
    ++eid;
  }
  c.sim_world = true;
  c.sim_seed = s.seed;
  c.bettors_per_s = s.bets_per_second;
  c.feeds = simulated_football_feeds();
  c.feed_options.canary_markets["football"] = 101;
  c.incidents.slos = s.slo_file.empty() ? parse_slo_catalogue(kShippedSlosYaml, "config/slos.yaml (built in)")
                                        : load_slo_file(s.slo_file);
  c.incidents.playbooks = s.playbook_file.empty()
                              ? parse_playbook_file(kShippedPlaybooksYaml, "config/playbooks.yaml (built in)")
                              : load_playbook_file(s.playbook_file);
  c.incidents.playbook_file = s.playbook_file.empty() ? "config/playbooks.yaml" : s.playbook_file;
  return c;
}

std::string svg_chart(const std::vector<Point>& pts, const std::vector<Mark>& marks, int64_t duration_s) {
  const double w = 900, h = 300, left = 50, right = 20, top = 20, bottom = 40;
  double max_p99 = 300;
  for (auto& p : pts) max_p99 = std::max(max_p99, p.p99_ms);
  auto x = [&](double t) { return left + (w - left - right) * t / std::max<int64_t>(1, duration_s); };
  auto y_ms = [&](double v) { return h - bottom - (h - top - bottom) * v / max_p99; };
  auto y_ratio = [&](double v) { return h - bottom - (h - top - bottom) * std::min(v, 4.0) / 4.0; };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      w, h);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#999\"/>\n", left, h - bottom, w - right);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#999\"/>\n", left, top, h - bottom);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/>"
                   "<text x=\"{3}\" y=\"{4:.1f}\" fill=\"#c00\">250 ms</text>\n",
                   left, y_ms(250), w - right, w - right - 45, y_ms(250) - 3);
  for (const Mark& m : marks) {
    const char* colour = m.kind == "fault" ? "#d00" : m.kind == "alert" ? "#e80" : m.kind == "action" ? "#080" : "#55a";
    s += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"{3}\" opacity=\"0.6\">"
                     "<title>{4}</title></line>\n",
                     x(m.t_ms / 1000.0), top, h - bottom, colour, m.what);
  }
  std::string p99 = "", stale = "";
  for (auto& p : pts) {
    p99 += fmt::format("{}{:.1f},{:.1f}", p99.empty() ? "" : " ", x(static_cast<double>(p.t)), y_ms(p.p99_ms));
    stale += fmt::format("{}{:.1f},{:.1f}", stale.empty() ? "" : " ", x(static_cast<double>(p.t)), y_ratio(p.max_stale_ratio));
  }
  s += fmt::format("<polyline fill=\"none\" stroke=\"#06c\" stroke-width=\"1.5\" points=\"{}\"/>\n", p99);
  s += fmt::format("<polyline fill=\"none\" stroke=\"#999\" stroke-width=\"1\" points=\"{}\"/>\n", stale);
  s += fmt::format("<text x=\"{}\" y=\"14\" fill=\"#06c\">accept p99, 10 s window (0..{:.0f} ms)</text>", left,
                   max_p99);
  s += fmt::format("<text x=\"{}\" y=\"14\" fill=\"#777\">worst price age / limit (0..4)</text>", left + 300);
  s += fmt::format("<text x=\"{}\" y=\"{}\">0 s</text><text x=\"{}\" y=\"{}\">{} s</text>\n", left, h - 20,
                   w - right - 30, h - 20, duration_s);
  return s + "</svg>\n";
}

}  // namespace

int run_gameday(const Scenario& s, const GamedayOptions& o) {
  namespace fs = std::filesystem;
  fs::create_directories(o.out_dir);
  const std::string data_dir = (fs::path(o.out_dir) / "data").string();
  fs::remove_all(data_dir);
  auto wall0 = std::chrono::steady_clock::now();

  Runtime rt(scenario_config(s, data_dir));
  rt.start();
  Engine& engine = rt.engine();
  IncidentLoop* loop = rt.incidents();
  SimWorld* world = rt.sim_world();
  auto on_engine = [&](auto fn) {
    std::promise<void> done;
    while (!engine.submit([&] {
      fn();
      done.set_value();
    }))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    done.get_future().wait();
  };

  std::vector<Point> points;
  std::map<std::string, int64_t> first_fired_ms;  // alert -> since start
  std::vector<Mark> marks;
  size_t fault_i = 0;
  const int64_t start_ns = s.start_ms * 1'000'000;
  for (int64_t t = 1; t <= s.duration_s; ++t) {
    while (fault_i < s.faults.size() && s.faults[fault_i].at_s <= t - 1) {
      const ScenarioFault& f = s.faults[fault_i++];
      if (FeedProvider* p = world ? world->provider(f.feed) : nullptr) p->apply(f.change);
      marks.push_back(Mark{f.at_s * 1000, "fault", f.describe()});
    }
    on_engine([&] {
      engine.advance_clock(from_ns(start_ns + t * kSecond));
      Point p;
      p.t = t;
      const int64_t now = start_ns + t * kSecond;
      if (loop) {
        p.p50_ms = loop->evaluator().accept_recent_quantile_ns(0.5) / 1e6;
        p.p99_ms = loop->evaluator().accept_recent_quantile_ns(0.99) / 1e6;
        p.alerts = loop->firing().size();
        for (auto& a : loop->firing())
          if (!first_fired_ms.count(a.name)) {
            first_fired_ms[a.name] = (now - start_ns) / 1'000'000;
            marks.push_back(Mark{(now - start_ns) / 1'000'000, "alert", a.name});
          }
        for (auto& [id, inc] : loop->runner().incidents()) p.incidents_open += inc.status != "resolved";
      }
      const Book& book = engine.state().book;
      for (uint64_t eid : book.event_ids()) {
        const Event* e = book.event(eid);
        if (e->state != EventState::kInPlay) continue;
        for (uint64_t mid : e->markets) {
          const Market* m = book.market(mid);
          if (m->status != MarketStatus::kOpen || !m->last_update_ns) continue;
          p.max_stale_ratio = std::max(p.max_stale_ratio, static_cast<double>(now - m->last_update_ns) /
                                                              static_cast<double>(m->staleness_limit.count()));
        }
      }
      p.bets = engine.state().bets.size();
      points.push_back(p);
    });
    if (o.progress && t % 10 == 0)
      std::cerr << fmt::format("\r[{:>3}%] {} s of {} s  bets {}  alerts {}  open incidents {}   ",
                               t * 100 / s.duration_s, t, s.duration_s, points.back().bets, points.back().alerts,
                               points.back().incidents_open)
                << std::flush;
    if (o.real_time) std::this_thread::sleep_until(wall0 + std::chrono::seconds(t));
  }
  if (o.progress) std::cerr << "\n";

  // The end state, read on the engine thread.
  std::map<uint64_t, Incident> incidents;
  int64_t ledger_sum = 0;
  size_t bets = 0;
  on_engine([&] {
    if (loop) incidents = loop->runner().incidents();
    ledger_sum = engine.state().ledger.sum();
    bets = engine.state().bets.size();
  });
  rt.stop();
  for (auto& [id, inc] : incidents) {
    marks.push_back(Mark{(inc.opened_ns - start_ns) / 1'000'000, "incident", fmt::format("incident {} opened", id)});
    for (auto& a : inc.actions)
      if (a.at_ns)
        marks.push_back(Mark{(a.at_ns - start_ns) / 1'000'000, "action",
                             fmt::format("{} {} ({})", action_type_name(a.spec.type), a.target.describe(), a.status)});
  }
  std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.t_ms < b.t_ms; });

  // Expectations.
  const int64_t fault0_ms = s.faults.empty() ? 0 : s.faults[0].at_s * 1000;
  struct Result {
    const Expectation* e;
    bool pass;
    std::string seen;
  };
  std::vector<Result> results;
  for (const Expectation& e : s.expect) {
    Result r{&e, false, ""};
    switch (e.kind) {
      case Expectation::Kind::kAlert: {
        auto it = first_fired_ms.find(e.name);
        if (it == first_fired_ms.end()) {
          r.seen = "never fired";
        } else {
          double after = (it->second - fault0_ms) / 1000.0;
          r.pass = after >= 0 && after <= static_cast<double>(e.within_s);
          r.seen = fmt::format("fired {:.0f} s after the first fault", after);
        }
        break;
      }
      case Expectation::Kind::kNoAlert: {
        auto it = first_fired_ms.find(e.name);
        r.pass = it == first_fired_ms.end();
        r.seen = r.pass ? "never fired" : fmt::format("fired at {} s", it->second / 1000);
        break;
      }
      case Expectation::Kind::kIncidents:
        r.pass = static_cast<int64_t>(incidents.size()) == e.count;
        r.seen = fmt::format("{} incident(s)", incidents.size());
        break;
      case Expectation::Kind::kAction: {
        int64_t best = -1;
        for (auto& [id, inc] : incidents)
          for (auto& a : inc.actions)
            if (action_type_name(a.spec.type) == e.name && (a.status == "done" || a.status == "reverted")) {
              int64_t at = (a.at_ns - start_ns) / 1'000'000;
              if (best < 0 || at < best) best = at;
            }
        if (best < 0) {
          r.seen = "never ran";
        } else {
          double after = (best - fault0_ms) / 1000.0;
          r.pass = after >= 0 && after <= static_cast<double>(e.within_s);
          r.seen = fmt::format("ran {:.0f} s after the first fault", after);
        }
        break;
      }
      case Expectation::Kind::kSliceContains: {
        std::string slices;
        for (auto& [id, inc] : incidents) {
          slices += (slices.empty() ? "" : " | ") + slice_values(inc.slice);
          r.pass = r.pass || inc.slice.find(e.name) != std::string::npos;
        }
        r.seen = slices.empty() ? "no incident" : slices;
        break;
      }
      case Expectation::Kind::kP99Below: {
        double worst = 0;
        for (auto& p : points)
          if (p.t * 1000 >= fault0_ms + e.from_s * 1000) worst = std::max(worst, p.p99_ms);
        r.pass = worst <= static_cast<double>(e.bound_ms);
        r.seen = fmt::format("worst {:.0f} ms", worst);
        break;
      }
      case Expectation::Kind::kLedgerZero:
        r.pass = ledger_sum == 0;
        r.seen = fmt::format("ledger sum {}", ledger_sum);
        break;
    }
    results.push_back(r);
  }
  bool all = std::all_of(results.begin(), results.end(), [](const Result& r) { return r.pass; });
  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();

  // The report folder.
  std::string md;
  auto out = std::back_inserter(md);
  fmt::format_to(out, "# Game day: {}\n\n{}\n\n", s.name, s.description);
  fmt::format_to(out, "- Result: **{}** ({} of {} expectations hold)\n", all ? "PASS" : "FAIL",
                 std::count_if(results.begin(), results.end(), [](const Result& r) { return r.pass; }),
                 results.size());
  fmt::format_to(out, "- Book time: {} from {}, {} clock, seed {}\n", fmt::format("{} s", s.duration_s),
                 rfc3339_ms(start_ns), o.real_time ? "real-time" : "simulated", s.seed);
  fmt::format_to(out, "- Bets accepted: {}; ledger sum: {}\n", bets, ledger_sum);
  fmt::format_to(out, "- Wall time: {:.2f} s\n\n", wall_s);
  fmt::format_to(out, "## Expectations\n\n| # | expectation | seen | result |\n|---|---|---|---|\n");
  for (size_t i = 0; i < results.size(); ++i)
    fmt::format_to(out, "| {} | {} (line {}) | {} | {} |\n", i + 1, results[i].e->describe(), results[i].e->line,
                   results[i].seen, results[i].pass ? "PASS" : "**FAIL**");
  fmt::format_to(out, "\n## Timeline\n\n| t | what | |\n|---|---|---|\n");
  for (auto& m : marks) fmt::format_to(out, "| {:.1f} s | {} | {} |\n", m.t_ms / 1000.0, m.kind, m.what);
  fmt::format_to(out, "\n## Incidents\n\n");
  if (incidents.empty()) md += "None.\n";
  for (auto& [id, inc] : incidents) {
    fmt::format_to(out, "### Incident {}: {}\n\n- group `{}`, severity {}, {}{}\n- slice: {}\n", id, inc.title,
                   inc.group_key, inc.severity, inc.status, inc.high_exposure ? ", **High Exposure**" : "",
                   inc.slice.empty() ? "—" : slice_values(inc.slice));
    for (auto& e : inc.timeline) {
      std::string what = e.what;
      size_t sl = what.find("slice");
      if (sl != std::string::npos) what = what.substr(0, sl) + "slice: " + slice_values(what.substr(sl));
      fmt::format_to(out, "- {:.1f} s {}: {}\n", (e.at_ns - start_ns) / 1e9, e.step, what);
    }
    md += "\n";
  }
  fmt::format_to(out, "\n![accept p99 and price age](chart.svg)\n\nSeries: `series.csv`.\n");
  std::ofstream(fs::path(o.out_dir) / "report.md") << md;
  std::ofstream csv(fs::path(o.out_dir) / "series.csv");
  csv << "t_s,accept_p50_ms,accept_p99_ms,max_price_age_ratio,alerts_firing,incidents_open,bets\n";
  for (auto& p : points)
    csv << fmt::format("{},{:.3f},{:.3f},{:.3f},{},{},{}\n", p.t, p.p50_ms, p.p99_ms, p.max_stale_ratio, p.alerts,
                       p.incidents_open, p.bets);
  std::ofstream(fs::path(o.out_dir) / "chart.svg") << svg_chart(points, marks, s.duration_s);

  for (auto& r : results)
    if (!r.pass)
      std::cerr << fmt::format("gameday {}: FAILED expectation (line {}): {}: seen {}\n", s.name, r.e->line,
                               r.e->describe(), r.seen);
  std::cout << fmt::format("gameday {}: {} ({} s of book time in {:.2f} s); report: {}/report.md\n", s.name,
                           all ? "PASS" : "FAIL", s.duration_s, wall_s, o.out_dir);
  return all ? 0 : 1;
}

}  // namespace inplay
