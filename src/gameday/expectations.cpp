#include "gameday/expectations.h"

#include <fmt/format.h>

#include <algorithm>

#include "playbook/playbook_spec.h"

namespace inplay {

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

namespace {

bool carries(const FiredAlert& a, const std::map<std::string, std::string>& labels) {
  for (auto& [k, v] : labels) {
    auto it = a.labels.find(k);
    if (it == a.labels.end() || it->second != v) return false;
  }
  return true;
}

// The first firing of the expectation's alert with its labels, or nullptr.
const FiredAlert* first_fired(const GamedayRecord& r, const Expectation& e) {
  for (const FiredAlert& a : r.fired)
    if (a.name == e.name && carries(a, e.labels)) return &a;
  return nullptr;
}

std::string percent(double v) { return fmt::format("{:.3f}%", v * 100); }

ExpectationResult check_sli(const Scenario& s, const GamedayRecord& r, const Expectation& e) {
  ExpectationResult res{&e, false, ""};
  size_t i = 0;
  while (i < r.slos.size() && r.slos[i].name != e.name) ++i;
  if (i == r.slos.size()) {
    res.seen = "no such SLO in the catalogue";
    return res;
  }
  // Totals at the second before the window and at its last second.
  const int64_t to = e.to_s < 0 ? s.duration_s : e.to_s;
  double g0 = 0, v0 = 0, g1 = 0, v1 = 0;
  for (const GamedayPoint& p : r.points) {
    if (p.t <= e.from_s) g0 = p.good[i], v0 = p.valid[i];
    if (p.t <= to) g1 = p.good[i], v1 = p.valid[i];
  }
  const double valid = v1 - v0;
  if (valid <= 0) {
    res.seen = "no events in the window";
    return res;
  }
  const double sli = (g1 - g0) / valid;
  const bool met = sli >= r.slos[i].target;
  res.pass = met == e.within_target;
  res.seen = fmt::format("SLI {} over {:.0f} events (target {})", percent(sli), valid, percent(r.slos[i].target));
  return res;
}

}  // namespace

std::vector<ExpectationResult> check_expectations(const Scenario& s, const GamedayRecord& r) {
  const int64_t fault0_ms = s.faults.empty() ? 0 : s.faults[0].at_s * 1000;
  std::vector<ExpectationResult> results;
  for (const Expectation& e : s.expect) {
    ExpectationResult res{&e, false, ""};
    switch (e.kind) {
      case Expectation::Kind::kAlert: {
        const FiredAlert* a = first_fired(r, e);
        if (!a) {
          res.seen = "never fired";
        } else {
          double after = (a->t_ms - fault0_ms) / 1000.0;
          res.pass = after >= 0 && after <= static_cast<double>(e.within_s);
          res.seen = fmt::format("fired {:.0f} s after the first fault", after);
        }
        break;
      }
      case Expectation::Kind::kNoAlert: {
        const FiredAlert* a = first_fired(r, e);
        res.pass = a == nullptr;
        res.seen = res.pass ? "never fired" : fmt::format("fired at {} s", a->t_ms / 1000);
        break;
      }
      case Expectation::Kind::kIncidents:
        res.pass = static_cast<int64_t>(r.incidents.size()) == e.count;
        res.seen = fmt::format("{} incident(s)", r.incidents.size());
        break;
      case Expectation::Kind::kAction: {
        int64_t best = -1;
        for (auto& [id, inc] : r.incidents)
          for (auto& a : inc.actions)
            if (action_type_name(a.spec.type) == e.name && (a.status == "done" || a.status == "reverted")) {
              int64_t at = (a.at_ns - r.start_ns) / 1'000'000;
              if (best < 0 || at < best) best = at;
            }
        if (best < 0) {
          res.seen = "never ran";
        } else {
          double after = (best - fault0_ms) / 1000.0;
          res.pass = after >= 0 && after <= static_cast<double>(e.within_s);
          res.seen = fmt::format("ran {:.0f} s after the first fault", after);
        }
        break;
      }
      case Expectation::Kind::kSliceContains: {
        std::string slices;
        for (auto& [id, inc] : r.incidents) {
          slices += (slices.empty() ? "" : " | ") + slice_values(inc.slice);
          res.pass = res.pass || inc.slice.find(e.name) != std::string::npos;
        }
        res.seen = slices.empty() ? "no incident" : slices;
        break;
      }
      case Expectation::Kind::kP99Below: {
        double worst = 0;
        for (auto& p : r.points)
          if (p.t * 1000 >= fault0_ms + e.from_s * 1000) worst = std::max(worst, p.p99_ms);
        res.pass = worst <= static_cast<double>(e.bound_ms);
        res.seen = fmt::format("worst {:.0f} ms", worst);
        break;
      }
      case Expectation::Kind::kSli: res = check_sli(s, r, e); break;
      case Expectation::Kind::kLedgerZero:
        res.pass = r.ledger_sum == 0;
        res.seen = fmt::format("ledger sum {}", r.ledger_sum);
        break;
      case Expectation::Kind::kNoStaleAccept: {
        res.pass = r.stale_accepts == 0;
        res.seen = fmt::format("{} bet(s) accepted on a stale price", r.stale_accepts);
        for (auto& ex : r.stale_examples) res.seen += (&ex == &r.stale_examples.front() ? ": " : "; ") + ex;
        break;
      }
      case Expectation::Kind::kMarketsSuspendedAt: {
        for (auto& p : r.points)
          if (p.t == e.from_s) {
            res.pass = p.in_play_markets > 0 && p.suspended_markets == p.in_play_markets;
            res.seen = fmt::format("{} of {} in-play markets suspended", p.suspended_markets, p.in_play_markets);
          }
        if (res.seen.empty()) res.seen = "no sample at that second";
        break;
      }
      case Expectation::Kind::kMarketsOpenFrom: {
        int64_t last_closed = -1;
        size_t worst = 0;
        for (auto& p : r.points)
          if (p.t >= e.from_s && p.suspended_markets > 0) {
            last_closed = p.t;
            worst = std::max(worst, p.suspended_markets);
          }
        res.pass = last_closed < 0 && !r.points.empty() && r.points.back().t >= e.from_s;
        res.seen = last_closed < 0 ? "all open" : fmt::format("{} suspended, last at {} s", worst, last_closed);
        break;
      }
      case Expectation::Kind::kSettlementExact: {
        const SettlementAudit& a = r.settlement;
        res.pass = a.matches_ended > 0 && a.bets_wrong == 0 && a.bets_unsettled == 0 && a.accounts_off == 0 &&
                   a.paid_twice == 0 && a.bets_exact == a.bets_due;
        res.seen = fmt::format("{} matches ended: {} of {} bets paid exactly, {} wrong, {} unsettled, {} paid twice; "
                               "{} accounts recomputed, {} off",
                               a.matches_ended, a.bets_exact, a.bets_due, a.bets_wrong, a.bets_unsettled, a.paid_twice,
                               a.accounts, a.accounts_off);
        for (auto& x : a.examples) res.seen += "; " + x;
        break;
      }
      case Expectation::Kind::kNoDuplicateTx:
        res.pass = r.reserved_minor == r.accepted_stakes_minor;
        res.seen = fmt::format("reserved {} minor units for {} accepted bets staking {}", r.reserved_minor,
                               r.bets_accepted, r.accepted_stakes_minor);
        break;
    }
    results.push_back(std::move(res));
  }
  return results;
}

}  // namespace inplay
