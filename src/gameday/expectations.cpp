#include "gameday/expectations.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

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

// The first firing of the expectation's alert with its labels, or nullptr;
// inhibited: the first time it was silenced instead.
const FiredAlert* first_fired(const GamedayRecord& r, const Expectation& e, bool inhibited = false) {
  for (const FiredAlert& a : r.fired)
    if (a.name == e.name && carries(a, e.labels) && a.inhibited_by.empty() != inhibited) return &a;
  return nullptr;
}

// Every action the book took: the incidents' and the others (budget guards).
template <class Fn>
void for_each_action(const GamedayRecord& r, Fn fn) {
  for (auto& [id, inc] : r.incidents)
    for (auto& a : inc.actions) fn(a);
  for (auto& a : r.other_actions) fn(a);
}

bool ran(const IncidentAction& a) { return a.status == "done" || a.status == "reverted"; }

// The action touched a market of the league (or targeted the league).
bool touches_league(const GamedayRecord& r, const IncidentAction& a, const std::string& league) {
  if (a.target.league == league) return true;
  for (uint64_t m : a.outcome.markets.empty() ? a.target.markets : a.outcome.markets) {
    auto it = r.market_league.find(m);
    if (it != r.market_league.end() && it->second == league) return true;
  }
  return false;
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
  // Totals at the second before the window and at its last second (of the
  // slice the expectation names, if any).
  const int64_t to = e.to_s < 0 ? s.duration_s : e.to_s;
  const std::string key = e.name + "|" + e.slice_key();
  auto at = [&](const GamedayPoint& p) -> std::pair<double, double> {
    if (e.labels.empty()) return {p.good[i], p.valid[i]};
    auto it = p.events_by.find(key);
    return it == p.events_by.end() ? std::pair<double, double>{0, 0} : it->second;
  };
  double g0 = 0, v0 = 0, g1 = 0, v1 = 0;
  for (const GamedayPoint& p : r.points) {
    if (p.t <= e.from_s) std::tie(g0, v0) = at(p);
    if (p.t <= to) std::tie(g1, v1) = at(p);
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
        const FiredAlert* silenced = first_fired(r, e, true);
        res.pass = a == nullptr;
        res.seen = a ? fmt::format("fired at {} s", a->t_ms / 1000) : "never fired";
        if (silenced)
          res.seen += fmt::format("; inhibited by {} from {} s", silenced->inhibited_by, silenced->t_ms / 1000);
        break;
      }
      case Expectation::Kind::kIncidents:
        res.pass = static_cast<int64_t>(r.incidents.size()) == e.count;
        res.seen = fmt::format("{} incident(s)", r.incidents.size());
        break;
      case Expectation::Kind::kAction: {
        int64_t best = -1;
        for_each_action(r, [&](const IncidentAction& a) {
          if (action_type_name(a.spec.type) != e.name || !ran(a)) return;
          int64_t at = (a.at_ns - r.start_ns) / 1'000'000;
          if (best < 0 || at < best) best = at;
        });
        if (best < 0) {
          res.seen = "never ran";
        } else {
          double after = (best - fault0_ms) / 1000.0;
          res.pass = after >= 0 && after <= static_cast<double>(e.within_s);
          res.seen = fmt::format("ran {:.0f} s after the first fault", after);
        }
        break;
      }
      case Expectation::Kind::kNoAction: {
        const auto league = e.labels.find("league");
        const IncidentAction* seen = nullptr;
        for_each_action(r, [&](const IncidentAction& a) {
          if (seen || (e.name != "any" && action_type_name(a.spec.type) != e.name) || !ran(a)) return;
          if (league == e.labels.end() || touches_league(r, a, league->second)) seen = &a;
        });
        res.pass = seen == nullptr;
        res.seen = seen ? fmt::format("ran at {:.0f} s on {} by {}", (seen->at_ns - r.start_ns) / 1e9,
                                      seen->target.describe(), seen->actor)
                        : "never ran";
        break;
      }
      case Expectation::Kind::kActiveFeed: {
        res.seen = "no sample at that second";
        for (auto& p : r.points)
          if (p.t == e.from_s) {
            res.pass = p.active_feed == e.name;
            res.seen = p.active_feed.empty() ? "no feed" : p.active_feed;
          }
        break;
      }
      case Expectation::Kind::kPaymentRoute: {
        res.seen = "no sample at that second";
        for (auto& p : r.points)
          if (p.t == e.from_s) {
            res.pass = p.payment_route == e.name;
            res.seen = p.payment_route.empty() ? "the book takes no payments" : p.payment_route;
          }
        break;
      }
      case Expectation::Kind::kPaymentsAuthorised: {
        res.seen = "the book takes no payments";
        for (const PaymentRouteRecord& pr : r.payments.routes)
          if (pr.route == e.name) {
            res.pass = static_cast<int64_t>(pr.authorised) >= e.count;
            res.seen = fmt::format("{} sent, {} authorised, {} declined, {} failed", pr.sent, pr.authorised,
                                   pr.declined, pr.failed);
          }
        break;
      }
      case Expectation::Kind::kPspReconciled: {
        res.pass = !r.payments.routes.empty();
        for (const PaymentRouteRecord& pr : r.payments.routes) {
          res.pass = res.pass && pr.reconciled && pr.duplicates == 0 && pr.mismatches == 0;
          res.seen += fmt::format("{}{}: ", res.seen.empty() ? "" : "; ", pr.route);
          res.seen += pr.reconciled ? fmt::format("{} rows, {} held, {} duplicate(s), {} mismatch(es), {} unsettled",
                                                  pr.rows, pr.held, pr.duplicates, pr.mismatches, pr.unsettled)
                                    : "not reconciled (" + pr.error + ")";
        }
        if (res.seen.empty()) res.seen = "the book takes no payments";
        break;
      }
      case Expectation::Kind::kIncidentImpact: {
        const Incident* best = nullptr;
        for (auto& [id, inc] : r.incidents) {
          if (std::find(inc.alerts.begin(), inc.alerts.end(), e.name) == inc.alerts.end()) continue;
          if (!best || inc.markets.size() > best->markets.size()) best = &inc;
        }
        res.pass = best && static_cast<int64_t>(best->markets.size()) >= e.count &&
                   (!e.high_exposure || best->high_exposure);
        res.seen = best ? fmt::format("incident {}: {} market(s), live liability {}{}", best->id,
                                      best->markets.size(), best->exposure_minor,
                                      best->high_exposure ? ", High Exposure" : "")
                        : "no incident with that alert";
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
        const std::string key = e.slice_key();
        for (auto& p : r.points) {
          if (p.t * 1000 < fault0_ms + e.from_s * 1000) continue;
          auto it = p.p99_by.find(key);
          worst = std::max(worst, key.empty() ? p.p99_ms : it == p.p99_by.end() ? 0.0 : it->second);
        }
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
      case Expectation::Kind::kNoUnsafeCashout: {
        const CashoutRecord& c = r.cashout;
        res.pass = c.unsafe == 0 && c.accepted > 0;
        res.seen = fmt::format("{} cash-out(s) accepted, {} unsafe", c.accepted, c.unsafe);
        if (c.accepted == 0) res.seen += " (none accepted: nothing was checked)";
        for (auto& ex : c.unsafe_examples) res.seen += (&ex == &c.unsafe_examples.front() ? ": " : "; ") + ex;
        break;
      }
      case Expectation::Kind::kCashoutRefused: {
        auto count = [&](const std::map<std::string, uint64_t>& m) {
          auto it = m.find(e.name);
          return it == m.end() ? uint64_t{0} : it->second;
        };
        const uint64_t q = count(r.cashout.quotes_refused), a = count(r.cashout.refused);
        res.pass = q + a > 0;
        res.seen = fmt::format("{} quote(s) and {} accept(s) refused {}", q, a, e.name);
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
        res.seen = fmt::format("reserved {} minor units; the open bets of {} accepted ride {}", r.reserved_minor,
                               r.bets_accepted, r.accepted_stakes_minor);
        break;
    }
    results.push_back(std::move(res));
  }
  return results;
}

}  // namespace inplay
