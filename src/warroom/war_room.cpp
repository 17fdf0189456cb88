#include "warroom/war_room.h"

#include <fmt/format.h>

#include "engine/engine.h"
#include "feed/feed_desk.h"
#include "playbook/incident_loop.h"

namespace inplay {

WarRoom::WarRoom(PlacementDesk& bets, FeedDesk* desk, IncidentLoop* incidents, size_t max_streams,
                 MetricsRegistry* metrics)
    : engine_(bets.engine()), bets_(bets), desk_(desk), incidents_(incidents), max_streams_(max_streams) {
  if (metrics)
    build_seconds_ = &MetricsRegistry::series(
        metrics->histogram("warroom_snapshot_build_seconds",
                           "Wall time to build one war-room snapshot on the engine thread (once a second while watched)", {},
                           {50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000,
                            25'000'000, 50'000'000, 100'000'000},
                           Unit::kSeconds),
        {});
}

void WarRoom::schedule() {
  bets_.add_decision_observer([self = shared_from_this()](const BetDecision& d) {
    // The board shows customers' bets: synthetic checks' stay out of it.
    if (!d.synthetic) self->activity_.on_decision(d.market_id, d.decided_ns, d.latency_ns);
  });
  tick();
  // The room owns its timer; the decision observer above keeps the room
  // alive as long as the engine, so `this` outlives the timer.
  timer_ = engine_.every(std::chrono::seconds(1), [this] { tick(); });
}

WarRoomInputs WarRoom::gather(int64_t now_ns) {
  WarRoomInputs in;
  in.state = &engine_.state();
  in.now_ns = now_ns;
  in.seq = ++seq_;
  in.simulated_clock = engine_.clock().simulated();
  in.activity = &activity_;
  in.marks = &marks_;
  if (desk_) {
    FeedDesk* d = desk_;
    in.drift = [d](uint64_t mid) { return d->drift(mid); };
    in.feeds_json = desk_->status_json();
  } else {
    in.feeds_json = R"({"sports":[],"feeds":[]})";
  }
  if (settlement_view_) in.settlement_json = settlement_view_();
  if (hedging_view_) in.hedging_json = hedging_view_();
  if (payments_view_) in.payments_json = payments_view_();
  if (journal_view_) in.journal_json = journal_view_();
  in.cashout_offers = cashout_offers_;
  if (incidents_) {
    const SloEvaluator& ev = incidents_->evaluator();
    in.accept_count = ev.accept_window_count();
    if (in.accept_count) {
      in.accept_p50_ns = ev.accept_quantile_ns(0.5);
      in.accept_p99_ns = ev.accept_quantile_ns(0.99);
    }
    for (auto& [key, g] : incidents_->pipeline().groups())
      if (g.high_exposure && g.firing()) in.high_exposure.insert(g.markets.begin(), g.markets.end());
    for (auto& [id, inc] : incidents_->runner().incidents())
      if (inc.high_exposure && inc.status != "resolved") in.high_exposure.insert(inc.markets.begin(), inc.markets.end());
    in.slos_json = incidents_->slos_json();
    in.alerts_json = incidents_->alerts_json();
    in.incidents_json = incidents_->incidents_json();
  }
  return in;
}

namespace {

std::string alert_what(const Alert& a) {
  std::string s = a.name;
  for (const char* k : {"sport", "feed", "league", "market_id", "slo"}) {
    std::string v = a.label(k);
    if (!v.empty()) s += fmt::format(" {}={}", k, v);
  }
  return s;
}

std::string action_what(const IncidentAction& a, bool revert) {
  return fmt::format("{}{} {} ({})", revert ? "revert " : "", action_type_name(a.spec.type), a.target.describe(),
                     a.actor);
}

}  // namespace

void WarRoom::mark_action(int64_t t_ns, std::string what) {
  marks_.add(t_ns / 1'000'000, ChartMarks::Kind::kAction, fmt::format("operator:{}", ++operator_marks_),
             std::move(what));
}

void WarRoom::collect_marks(int64_t now_ns) {
  marks_.prune(now_ns / 1'000'000);
  if (!incidents_) return;
  // Offered every second; ChartMarks keeps each once (by key). One alert
  // mark per alert name and second: a stale league starts dozens of
  // per-market alerts at once, and one line says it.
  for (auto& [key, g] : incidents_->pipeline().groups())
    for (auto& [fp, a] : g.alerts)
      if (a.starts_ns)
        marks_.add(a.starts_ns / 1'000'000, ChartMarks::Kind::kAlert,
                   fmt::format("alert:{}:{}", a.name, a.starts_ns / 1'000'000'000), alert_what(a));
  const int64_t horizon = now_ns - ChartMarks::kWindowMs * 1'000'000;
  auto offer = [&](const IncidentAction& a) {
    // Ran: done (and possibly reverted since). Pending, dry-run, skipped
    // and failed actions changed nothing.
    if (a.status != "done" && a.status != "reverted" && a.status != "revert_failed") return;
    marks_.add(a.at_ns / 1'000'000, ChartMarks::Kind::kAction, fmt::format("action:{}", a.id), action_what(a, false));
    if (a.reverted_ns)
      marks_.add(a.reverted_ns / 1'000'000, ChartMarks::Kind::kAction, fmt::format("revert:{}", a.id),
                 action_what(a, true));
  };
  for (auto& [id, inc] : incidents_->runner().incidents()) {
    if (inc.status == "resolved" && inc.resolved_ns < horizon) continue;  // all its marks are off the chart
    for (const IncidentAction& a : inc.actions) offer(a);
  }
  for (const IncidentAction& a : incidents_->runner().manual_actions())
    if (a.at_ns >= horizon || a.reverted_ns >= horizon) offer(a);
}

void WarRoom::tick() {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const int64_t now = to_ns(engine_.clock().now());
  collect_marks(now);
  const BookState& state = engine_.state();
  std::vector<uint64_t> top = top_markets_by_liability(state, kBoardMarkets);
  WarRoomPoint point{now / 1'000'000, 0, 0, max_staleness_ms(state, top, now), std::nullopt};
  if (incidents_ && incidents_->evaluator().accept_window_count()) {
    point.p50_us = incidents_->evaluator().accept_quantile_ns(0.5) / 1000;
    point.p99_us = incidents_->evaluator().accept_quantile_ns(0.99) / 1000;
  }
  const int64_t since = last_tick_ns_ ? last_tick_ns_ : now - 1'000'000'000;
  if (auto e = slowest_exemplar(*engine_.metrics().accept_latency, since, now)) point.exemplar = e->trace_id;
  last_tick_ns_ = now;
  series_.add(point);
  {
    std::lock_guard lk(mu_);
    latest_fresh_ = false;
    if (!watched()) return;
  }
  push(render(now, top));
}

void WarRoom::push(const Snapshot& snap) {
  std::lock_guard lk(mu_);
  // Writes only queue bytes (StreamSink::write never blocks).
  std::erase_if(subs_, [&](Subscriber& s) { return !s(snap); });
}

WarRoom::Snapshot WarRoom::build_now() {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const int64_t now = to_ns(engine_.clock().now());
  collect_marks(now);
  return render(now, top_markets_by_liability(engine_.state(), kBoardMarkets));
}

WarRoom::Snapshot WarRoom::render(int64_t now_ns, const std::vector<uint64_t>& top) {
  const int64_t wall0 = monotonic_ns();
  WarRoomInputs in = gather(now_ns);
  auto snap = std::make_shared<const std::string>(warroom_snapshot_json(in, top, series_));
  if (build_seconds_) build_seconds_->observe(monotonic_ns() - wall0);
  std::lock_guard lk(mu_);
  latest_ = snap;
  latest_fresh_ = true;
  return snap;
}

bool WarRoom::watched() const {
  return !subs_.empty() || (read_mono_ns_ && monotonic_ns() - read_mono_ns_ < kWatchedForNs);
}

WarRoom::Snapshot WarRoom::fresh() const {
  std::lock_guard lk(mu_);
  read_mono_ns_ = monotonic_ns();
  return latest_fresh_ ? latest_ : nullptr;
}

bool WarRoom::subscribe(Subscriber s) {
  {
    std::lock_guard lk(mu_);
    if (subs_.size() >= max_streams_) return false;
    if (latest_fresh_) {
      if (s(latest_)) subs_.push_back(std::move(s));  // else gone already
      return true;
    }
    subs_.push_back(std::move(s));
  }
  // Nobody watched: the first snapshot is built now, not at the next tick
  // (a simulated clock may not move for a while). A full engine queue
  // leaves it to the tick.
  engine_.submit([self = shared_from_this()] { self->push(self->build_now()); });
  return true;
}

size_t WarRoom::streams() const {
  std::lock_guard lk(mu_);
  return subs_.size();
}

std::string sse_frame(const std::string& json, uint64_t id) {
  // The JSON is compact (no newlines), so it fits one data: line.
  if (id) return fmt::format("id: {}\nevent: snapshot\ndata: {}\n\n", id, json);
  return fmt::format("event: snapshot\ndata: {}\n\n", json);
}

}  // namespace inplay
