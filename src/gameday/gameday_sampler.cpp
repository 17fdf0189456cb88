#include "gameday/gameday_sampler.h"
#include "core/clock.h"

#include <algorithm>

namespace inplay {

namespace {
}

GamedaySampler::GamedaySampler(const Scenario& s, Engine& engine, IncidentLoop* loop, FeedDesk* desk,
                               GamedayRecord& rec)
    : engine_(engine), loop_(loop), desk_(desk), rec_(rec) {
  for (const Expectation& e : s.expect) {
    if (e.labels.empty()) continue;
    if (e.kind == Expectation::Kind::kP99Below) p99_by_.try_emplace(e.slice_key(), std::make_unique<LatencyWindow>(10, 1));
    if (e.kind == Expectation::Kind::kSli) events_by_.emplace(e.name, e.slice_key());
  }
  const Book& book = engine_.state().book;
  for (uint64_t eid : book.event_ids())
    for (uint64_t mid : book.event(eid)->markets) rec_.market_league[mid] = book.event(eid)->league;
}

void GamedaySampler::on_decision(const BetDecision& d) {
  if (p99_by_.empty()) return;
  const int64_t t = d.decided_ns / kNsPerSecond;
  auto league = rec_.market_league.find(d.market_id);
  if (league == rec_.market_league.end()) return;
  for (const std::string& key : {"market_id=" + std::to_string(d.market_id), "league=" + league->second}) {
    auto it = p99_by_.find(key);
    if (it != p99_by_.end()) it->second->add(t, d.latency_ns);
  }
}

void GamedaySampler::sample_alerts(int64_t since_ms) {
  // An alert the pipeline inhibited never reached a group: it is recorded
  // apart, so an expectation tells "silenced" from "fired".
  std::map<uint64_t, std::string> silenced;
  for (const Alert& a : loop_->pipeline().inhibited_now()) {
    auto by = a.annotations.find("inhibited_by");
    silenced[a.fingerprint()] = by == a.annotations.end() ? "?" : by->second;
  }
  for (const Alert& a : loop_->firing()) {
    auto s = silenced.find(a.fingerprint());
    const bool inhibited = s != silenced.end();
    if (!seen_.emplace(a.fingerprint(), inhibited).second) continue;
    rec_.fired.push_back(FiredAlert{a.name, a.labels, since_ms, inhibited ? s->second : ""});
    if (inhibited) continue;
    // One mark per alert name: a page names many markets.
    bool named = std::any_of(rec_.fired.begin(), rec_.fired.end() - 1,
                             [&](const FiredAlert& x) { return x.name == a.name && x.inhibited_by.empty(); });
    if (!named) rec_.marks.push_back(GamedayMark{since_ms, "alert", a.name});
  }
}

void GamedaySampler::sample_markets(int64_t now, GamedayPoint& p) {
  const Book& book = engine_.state().book;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->state != EventState::kInPlay) continue;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      ++p.in_play_markets;
      p.suspended_markets += m->status == MarketStatus::kSuspended;
      if (desk_)
        if (auto d = desk_->drift(mid)) p.max_drift = std::max(p.max_drift, *d);
      if (m->status != MarketStatus::kOpen || !m->last_update_ns) continue;
      p.max_stale_ratio = std::max(p.max_stale_ratio, static_cast<double>(Book::price_age(*m, now).count()) /
                                                          static_cast<double>(m->staleness_limit.count()));
    }
  }
}

void GamedaySampler::sample(int64_t t, uint64_t offered) {
  const int64_t now = rec_.start_ns + t * kNsPerSecond;
  GamedayPoint p;
  p.t = t;
  if (loop_) {
    const SloEvaluator& ev = loop_->evaluator();
    p.p50_ms = static_cast<double>(ev.accept_recent_quantile_ns(0.5)) / 1e6;
    p.p99_ms = static_cast<double>(ev.accept_recent_quantile_ns(0.99)) / 1e6;
    p.alerts = loop_->firing().size() - loop_->pipeline().inhibited_now().size();
    sample_alerts(t * 1000);
    for (auto& [id, inc] : loop_->runner().incidents()) p.incidents_open += inc.status != "resolved";
    for (const SloStatus& st : ev.status()) {
      p.good.push_back(st.total_good);
      p.valid.push_back(st.total_valid);
      p.burn.push_back(st.burns.empty() ? 0.0 : st.burns.front().burn_short);
    }
    for (auto& [slo, key] : events_by_) {
      const size_t eq = key.find('=');
      std::optional<GoodValid> g = ev.totals(slo, key.substr(0, eq), key.substr(eq + 1));
      p.events_by[slo + "|" + key] = g ? std::pair{g->good, g->valid} : std::pair{0.0, 0.0};
    }
  }
  for (auto& [key, w] : p99_by_) {
    w->advance(now / kNsPerSecond);
    p.p99_by[key] = static_cast<double>(w->quantile(0.99)) / 1e6;
  }
  sample_markets(now, p);
  if (desk_) p.active_feed = desk_->active_feed(sport_);
  if (payments_ && payments_->enabled()) p.payment_route = payments_->active();
  p.bets = engine_.state().bets.size();
  p.offered = offered;
  rec_.points.push_back(std::move(p));
}

}  // namespace inplay
