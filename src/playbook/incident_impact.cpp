#include "playbook/incident_impact.h"

#include <algorithm>
#include <set>

namespace inplay {

namespace {

// The open or suspended markets of a league's events that have not ended:
// what a league-scoped alert is about.
void league_markets(const Book& book, const std::string& league, std::set<uint64_t>& out) {
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->league != league || e->state == EventState::kEnded) continue;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      if (m->status == MarketStatus::kOpen || m->status == MarketStatus::kSuspended) out.insert(mid);
    }
  }
}

}  // namespace

std::vector<uint64_t> feed_fault_markets(const Book& book, const std::string& sport, const std::string& league,
                                         int64_t now_ns) {
  std::vector<uint64_t> out;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->sport != sport || e->state == EventState::kEnded || (!league.empty() && e->league != league)) continue;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      const bool live = m->status == MarketStatus::kOpen || m->status == MarketStatus::kSuspended;
      if (live && Book::is_stale(*m, now_ns)) out.push_back(mid);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

IncidentImpact incident_impact(const Incident& inc, const BookState& s) {
  std::set<uint64_t> markets(inc.markets.begin(), inc.markets.end());
  for (const IncidentAction& a : inc.actions) {
    if (a.status != "done" && a.status != "reverted" && a.status != "revert_failed") continue;
    markets.insert(a.outcome.markets.begin(), a.outcome.markets.end());
    markets.insert(a.target.markets.begin(), a.target.markets.end());
  }
  auto league = inc.group_labels.find("league");
  if (inc.markets.empty() && league != inc.group_labels.end() && !league->second.empty())
    league_markets(s.book, league->second, markets);
  IncidentImpact out;
  for (uint64_t mid : markets) {
    if (!s.book.market(mid)) continue;
    out.markets.push_back(mid);
    out.liability_minor += s.exposure.market_liability(mid);
  }
  return out;
}

void apply_impact(Incident& inc, const IncidentImpact& now, int64_t high_exposure_minor) {
  std::vector<uint64_t> merged;
  std::set_union(inc.markets.begin(), inc.markets.end(), now.markets.begin(), now.markets.end(),
                 std::back_inserter(merged));
  inc.markets = std::move(merged);
  inc.exposure_minor = std::max(inc.exposure_minor, now.liability_minor);
  inc.high_exposure = inc.high_exposure || inc.exposure_minor >= high_exposure_minor;
}

}  // namespace inplay
