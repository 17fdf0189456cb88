#include "playbook/incident_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "alert/alert_wire.h"
#include "alert/slice_finder.h"
#include "core/clock.h"
#include "playbook/incident_impact.h"
#include "core/error.h"
#include "playbook/incident_codec.h"
#include "telemetry/log.h"
#include "telemetry/log_linear.h"
#include "telemetry/metrics.h"
#include "telemetry/trace_query.h"

namespace inplay {

namespace {
constexpr int64_t kBetRateWindowS = 10;
}

IncidentLoop::IncidentLoop(MarketDesk& markets, PlacementDesk& bets, FeedDesk* desk, Tracer& tracer,
                           MetricsRegistry& metrics, SloCatalogue slos, PlaybookFile playbooks,
                           IncidentLoopOptions opts, Post post)
    : engine_(markets.engine()),
      bets_(bets),
      desk_(desk),
      tracer_(tracer),
      opts_(std::move(opts)),
      post_(std::move(post)),
      catalogue_(std::move(slos)),
      evaluator_(catalogue_),
      rules_(evaluator_.catalogue()),
      pipeline_(playbooks.routing),
      port_(markets, desk, playbooks.guards.feed_revert_hold_s * kNsPerSecond) {
  port_.set_decided_per_second([this] { return static_cast<double>(evaluator_.accept_recent_count()) / 10.0; });
  runner_ = std::make_unique<PlaybookRunner>(std::move(playbooks), port_);
  runner_->set_slice_finder([this](int64_t since_ns) { return slice_for(since_ns); });
  // An alert about the feed that prices a sport (down, late, refusing
  // lines) affects the markets of that sport (of its league, when it names
  // one) that the fault took out: its impact and High Exposure count them,
  // though it names no market. A standby or reference feed prices nothing.
  pipeline_.set_affected([this](const Alert& a) {
    const std::string feed = a.label("feed"), sport = a.label("sport");
    if (!desk_ || feed.empty() || sport.empty() || desk_->active_feed(sport) != feed) return std::vector<uint64_t>{};
    return feed_fault_markets(engine_.state().book, sport, a.label("league"), now_ns());
  });
  for (auto& a : evaluator_.catalogue().alerts) {
    auto it = min_above_.find(a.signal);
    if (it == min_above_.end() || a.above < it->second) min_above_[a.signal] = a.above;
  }
  sli_ = &metrics.gauge("slo_sli_ppm", "SLI over the SLO's period, good / valid events, in parts per million (absent without data)", {"slo"});
  has_data_ = &metrics.gauge("slo_has_data", "1 when the SLO has valid events over its period; 0: its SLI, budget and burn are not exported", {"slo"});
  budget_ = &metrics.gauge("slo_error_budget_remaining_ppm",
                           "Error budget left over the SLO's period, parts per million (negative when overspent)", {"slo"});
  burn_ = &metrics.gauge("slo_burn_rate_ppm", "Error-budget burn rate over a burn-alert window, in millionths (1e6 = burning exactly the budget)", {"slo", "tier", "window"});
  alerts_firing_ = &metrics.gauge("alerts_firing", "Alerts firing now, by name and service", {"alertname", "service"});
  notifications_ = &metrics.counter("alert_notifications_total", "Grouped alert notifications sent").with({});
  inhibited_ = &metrics.counter("alerts_inhibited_total", "Alert evaluations silenced by an inhibit rule").with({});
  rate_limited_ =
      &metrics.counter("alert_notifications_rate_limited_total", "Notifications held back by the rate limit").with({});
  incidents_open_ = &metrics.gauge("incidents_open", "Incidents open or recovering").with({});
  actions_ = &metrics.counter("playbook_actions_total", "Playbook and operator actions by type and status",
                              {"action", "status"});
  slo_events_ = &metrics.counter("slo_events_total",
                                 "SLI events by SLO: kind=valid counts every event, kind=good the good ones "
                                 "(stake-weighted SLOs count minor units); the input of the generated rules",
                                 {"slo", "kind"});
  staleness_ratio_ = &metrics.gauge("odds_staleness_ratio_permille",
                                    "Price age of an open in-play top-league market over its staleness limit, x1000",
                                    {"market_id", "league", "sport"});
  tick_ns_ = &metrics.gauge("incident_loop_tick_nanoseconds", "Duration of the last evaluation tick (wall time)").with({});
  // SLO gauges are bounded by the catalogue; alert gauges by alert names x services.
}

int64_t IncidentLoop::now_ns() const { return to_ns(engine_.clock().now()); }

void IncidentLoop::schedule() {
  std::vector<Incident> kept;
  for (auto& [id, snapshot] : engine_.state().incidents) {
    try {
      kept.push_back(decode_incident(snapshot));
      saved_[id] = snapshot;
    } catch (const IncidentDecodeError& e) {
      log::error("incident", "journaled incident not restored", {{"incident", id}, {"error", e.what()}});
    }
  }
  if (!kept.empty()) {
    log::info("incident", "incidents restored from the journal", {{"incidents", static_cast<uint64_t>(kept.size())}});
    runner_->restore(std::move(kept), now_ns());
    publish_status_page();  // the notes the journal kept are on the page again
  }
  bets_.add_offer_observer([this](uint64_t market_id, uint64_t event_id) {
    auto it = market_offers_.find(market_id);
    if (it == market_offers_.end())
      it = market_offers_.emplace(market_id, MarketOffers{event_id, RollingCounts({kBetRateWindowS})}).first;
    it->second.counts.add(now_ns() / kNsPerSecond, 1, 1);
  });
  bets_.add_decision_observer([this](const BetDecision& d) {
    int64_t t = now_ns() / kNsPerSecond;
    const Book& book = engine_.state().book;
    std::string_view league;
    if (const Event* e = book.event(d.event_id)) league = e->league;
    if (d.market_id != 0 && !d.synthetic) market_load_.on_decision(t, d.market_id, d.event_id, d.latency_ns);
    if (d.synthetic)  // REL-1: its own SLO, never a business SLI event
      return evaluator_.on_synthetic_bet(t, SloEvaluator::Labels{d.market_id, league, {}, {}}, d.latency_ns, d.accepted);
    evaluator_.on_bet_decision(t, SloEvaluator::Labels{d.market_id, league, {}, {}}, d.latency_ns, d.stake_minor);
  });
  timer_ = engine_.every(std::chrono::seconds(1), [this] { tick(); });
}

void IncidentLoop::on_market_settled(uint64_t market_id, uint64_t event_id, int64_t lag_ns) {
  const int64_t t = now_ns() / kNsPerSecond;
  const Event* e = engine_.state().book.event(event_id);
  evaluator_.on_market_settled(t, SloEvaluator::Labels{market_id, e ? std::string_view(e->league) : "", {}, {}}, lag_ns);
  settlement_.lags_ns.emplace_back(t, lag_ns);
}

void IncidentLoop::on_odds_update(uint64_t market_id, const std::string& feed, int64_t latency_ns) {
  const Book& book = engine_.state().book;
  const Market* m = book.market(market_id);
  const Event* e = m ? book.event(m->event_id) : nullptr;
  if (!e) return;
  const int64_t t = now_ns() / kNsPerSecond;
  evaluator_.on_odds_update(t, SloEvaluator::Labels{market_id, e->league, feed, {}}, latency_ns);
  auto it = latency_shift_.find(feed);
  if (it == latency_shift_.end()) it = latency_shift_.emplace(feed, FeedShift{e->sport, LatencyShift{}}).first;
  it->second.shift.add(t, latency_ns);
}

void IncidentLoop::on_support_reply(int64_t first_reply_ns) {
  evaluator_.on_support_reply(now_ns() / kNsPerSecond, SloEvaluator::Labels{}, first_reply_ns);
}

void IncidentLoop::on_kyc_screening(int64_t took_ns) {
  evaluator_.on_kyc_screening(now_ns() / kNsPerSecond, SloEvaluator::Labels{}, took_ns);
}

void IncidentLoop::publish_status_page() {
  if (!status_board_) return;
  std::vector<StatusNote> notes;
  for (auto& [id, inc] : runner_->incidents())
    if (inc.status != "resolved" && inc.status_note.published()) notes.push_back(inc.status_note);
  status_board_->publish(std::move(notes));
}

void IncidentLoop::on_cashout_quote(uint64_t event_id, bool offered, bool stale, int64_t freshness_ns,
                                    bool synthetic) {
  if (synthetic) return;
  const int64_t t = now_ns() / kNsPerSecond;
  cashout_quotes_.add(t, stale ? 1 : 0, 1);
  if (!offered) return;
  const Event* e = engine_.state().book.event(event_id);
  evaluator_.on_cashout_quote(t, SloEvaluator::Labels{0, e ? std::string_view(e->league) : "", {}, {}}, freshness_ns);
}

template <typename Wants>
void IncidentLoop::sample_settlement(int64_t now, std::vector<SignalSample>& out, const Wants& wants) {
  const int64_t t = now / kNsPerSecond;
  const SettlementProbe p = settlement_probe_();
  SettlementWindow& w = settlement_;
  // The shadow totals count from this process's start: that is the baseline.
  if (w.mismatches.empty()) evaluator_.on_totals("settlement_correct", t, 0, 0);
  evaluator_.on_totals("settlement_correct", t, p.shadow_matched, p.shadow_checked);
  auto trim = [t](auto& q, int64_t keep_s) {
    while (!q.empty() && q.front().first < t - keep_s) q.pop_front();
  };
  // dlq_growth: dead letters added over the last minute, net of those resolved.
  w.dlq_depth.emplace_back(t, p.dlq_depth);
  trim(w.dlq_depth, 60);
  const double growth = static_cast<double>(p.dlq_depth - w.dlq_depth.front().second);
  if (wants("dlq_growth", growth)) out.push_back(SignalSample{"dlq_growth", {{"service", "settlement"}}, growth, true});
  // settlement_shadow_mismatches: results the book's own rules disagreed
  // with over the last 15 minutes (each one is a page: never paid, never guessed).
  const uint64_t mismatched = p.shadow_checked - p.shadow_matched;
  if (w.mismatches.empty()) w.mismatches.emplace_back(t - 1, 0);  // the totals count from this process's start
  w.mismatches.emplace_back(t, mismatched);
  trim(w.mismatches, 15 * 60);
  const double recent = static_cast<double>(mismatched - std::min(mismatched, w.mismatches.front().second));
  if (wants("settlement_shadow_mismatches", recent))
    out.push_back(SignalSample{"settlement_shadow_mismatches", {{"service", "settlement"}}, recent, true});
  // settlement_lag_seconds: the oldest result still being paid, or the
  // slowest market settled in the last minute, whichever is longer.
  trim(w.lags_ns, 60);
  int64_t lag_ns = 0;
  for (auto& [s, l] : w.lags_ns) lag_ns = std::max(lag_ns, l);
  if (p.oldest_unpaid_result_ms >= 0) lag_ns = std::max(lag_ns, now - p.oldest_unpaid_result_ms * 1000000);
  const double lag_s = static_cast<double>(lag_ns) / 1e9;
  if (wants("settlement_lag_seconds", lag_s))
    out.push_back(SignalSample{"settlement_lag_seconds", {{"service", "settlement"}}, lag_s, true});
}

void IncidentLoop::sample(int64_t now, std::vector<SignalSample>& out) {
  const int64_t t = now / kNsPerSecond;
  const Book& book = engine_.state().book;
  auto wants = [&](const char* signal, double v) {
    auto it = min_above_.find(signal);
    return it != min_above_.end() && v > it->second;
  };
  const auto& exposure = engine_.state().exposure;
  const int64_t high_exposure_minor = runner_->file().routing.high_exposure_minor;
  std::set<uint64_t> stale_gauges = std::move(staleness_published_);
  staleness_published_.clear();
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->state != EventState::kInPlay) continue;
    bool top = opts_.top_leagues.count(e->league) > 0;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      // Open and priced at least once: a market never priced is not stale,
      // it is not bettable yet (the bet path refuses it).
      if (m->status != MarketStatus::kOpen || m->last_update_ns == 0) continue;
      int64_t age = Book::price_age(*m, now).count();  // on the provider's clock (ODDS-3)
      double ratio = static_cast<double>(age) / static_cast<double>(std::max<int64_t>(1, m->staleness_limit.count()));
      evaluator_.on_market_sample(t, SloEvaluator::Labels{mid, e->league, {}, {}}, ratio <= 1.0);
      if (top) {
        staleness_ratio_->with({std::to_string(mid), e->league, e->sport})
            .set(static_cast<int64_t>(std::min(ratio, 1e6) * 1000));
        staleness_published_.insert(mid);
        stale_gauges.erase(mid);
      }
      if (wants("market_staleness_ratio", ratio))
        out.push_back(SignalSample{"market_staleness_ratio",
                                   {{"market_id", std::to_string(mid)}, {"league", e->league}, {"sport", e->sport},
                                    {"event_id", std::to_string(eid)}},
                                   ratio, top});
      // ODDS-3: a market whose own live liability would make its alert
      // group High Exposure pages on its price age sooner (1.2 s, the
      // catalogue's bound) than on its staleness limit.
      const double age_s = static_cast<double>(age) / 1e9;
      if (wants("high_exposure_price_age_seconds", age_s) && exposure.market_liability(mid) >= high_exposure_minor)
        out.push_back(SignalSample{"high_exposure_price_age_seconds",
                                   {{"market_id", std::to_string(mid)}, {"league", e->league}, {"sport", e->sport},
                                    {"event_id", std::to_string(eid)}},
                                   age_s, top});
      if (desk_ && desk_->drift_flagged(mid))
        out.push_back(SignalSample{"market_drift_flagged",
                                   {{"market_id", std::to_string(mid)}, {"league", e->league}, {"sport", e->sport}},
                                   1.0, top});
    }
  }
  for (uint64_t mid : stale_gauges) {  // no longer open in play: no ratio
    const Market* m = book.market(mid);
    const Event* e = m ? book.event(m->event_id) : nullptr;
    if (e) staleness_ratio_->with({std::to_string(mid), e->league, e->sport}).set(0);
  }
  if (desk_) {
    // ODDS-7: each sport's canary market is watched at all times — in play
    // or pre-match, top league or not — while it is open and priced (a
    // suspension has its own cause and alert: feed_down, a goal's bet_stop).
    for (auto& [sport, mid] : desk_->canary_markets()) {
      const Market* m = book.market(mid);
      const Event* e = m ? book.event(m->event_id) : nullptr;
      if (!e || e->state == EventState::kEnded || m->status != MarketStatus::kOpen || m->last_update_ns == 0) continue;
      const double ratio = static_cast<double>(Book::price_age(*m, now).count()) /
                           static_cast<double>(std::max<int64_t>(1, m->staleness_limit.count()));
      if (wants("canary_staleness_ratio", ratio))
        out.push_back(SignalSample{"canary_staleness_ratio",
                                   {{"market_id", std::to_string(mid)}, {"league", e->league}, {"sport", sport},
                                    {"event_id", std::to_string(e->id)}, {"feed", desk_->active_feed(sport)}},
                                   ratio, true});
    }
    // ODDS-3: a fast shift of the active feed's update-latency p95 against
    // its own baseline (slo/latency_shift.h); a standby's window waits.
    for (auto& [feed, fs] : latency_shift_) {
      fs.shift.advance(t);
      if (desk_->active_feed(fs.sport) != feed) continue;
      const double ratio = fs.shift.ratio();
      if (wants("odds_update_p95_shift", ratio))
        out.push_back(SignalSample{"odds_update_p95_shift", {{"sport", fs.sport}, {"feed", feed}}, ratio, true});
    }
    for (auto& f : desk_->signals()) {
      if (f.role == "reference") {
        // The reference prices nothing (drift only): its outage, lateness or
        // refused lines are one low-severity signal, never the pricing
        // feeds' parse-error, schema or feed-down alerts that switch feeds.
        if (!f.reference_problem.empty() && wants("reference_feed_problem", 1.0))
          out.push_back(SignalSample{"reference_feed_problem", {{"sport", f.sport}, {"feed", f.name}}, 1.0, true});
        continue;
      }
      if (f.active && f.state != FeedState::kUp)
        out.push_back(SignalSample{"feed_down", {{"sport", f.sport}, {"feed", f.name}}, 1.0, true});
      // ODDS-2: the active feed's most punctual recent line, on the
      // provider's clock — a late but steady feed is late.
      const double delay_s = static_cast<double>(f.least_delay_ns) / 1e9;
      if (f.active && f.state == FeedState::kUp && wants("feed_delay_seconds", delay_s))
        out.push_back(SignalSample{"feed_delay_seconds", {{"sport", f.sport}, {"feed", f.name}}, delay_s, true});
      FeedWindow& w = feed_windows_[f.name];
      uint64_t dok = f.messages_ok - std::min(f.messages_ok, w.last_ok);
      uint64_t derr = f.parse_errors - std::min(f.parse_errors, w.last_err);
      w.last_ok = f.messages_ok;
      w.last_err = f.parse_errors;
      // The SLO is about the odds the book prices from: once a switch takes
      // a skewed feed out of use, its lines stop burning the budget (they
      // still raise feed_parser_errors below), so the fix reads as a fix.
      if (f.active) {
        w.active_ok += dok;
        w.active_valid += dok + derr;
      }
      evaluator_.on_totals("feed_messages", t, w.active_ok, w.active_valid, SloEvaluator::Labels{0, {}, f.name, {}});
      w.window.add(t, static_cast<double>(dok), static_cast<double>(dok + derr));
      double ratio = 1.0 - (w.window.window(0).valid > 0 ? w.window.window(0).good / w.window.window(0).valid : 1.0);
      if (wants("feed_parse_error_ratio", ratio))
        out.push_back(SignalSample{"feed_parse_error_ratio", {{"sport", f.sport}, {"feed", f.name}}, ratio, true});
      for (auto& s : f.schemas)
        if (s.skewed && now - s.last_ns < 10 * kNsPerSecond)
          // top_league: a top league's skew also stops its prices, and
          // odds_stale acts on that (freeze, switch); a lower league has no
          // staleness alert, so the canary's own playbook acts for it.
          out.push_back(SignalSample{"feed_schema_skew",
                                     {{"sport", f.sport}, {"feed", f.name}, {"league", s.league}, {"version", s.version},
                                      {"top_league", opts_.top_leagues.count(s.league) ? "true" : "false"}},
                                     1.0, true});
    }
  }
  // Bets offered per market per second over the last kBetRateWindowS (a
  // surge on one market crowds the engine thread for the whole book).
  for (auto it = market_offers_.begin(); it != market_offers_.end();) {
    it->second.counts.advance(t);
    double rate = it->second.counts.window(0).valid / static_cast<double>(kBetRateWindowS);
    if (rate == 0) {
      it = market_offers_.erase(it);
      continue;
    }
    if (wants("market_bet_rate", rate))
      if (const Event* e = book.event(it->second.event_id))
        out.push_back(SignalSample{"market_bet_rate",
                                   {{"market_id", std::to_string(it->first)}, {"league", e->league},
                                    {"sport", e->sport}, {"event_id", std::to_string(it->second.event_id)}},
                                   rate, opts_.top_leagues.count(e->league) > 0});
    ++it;
  }
  // The markets that hurt: a large share of the engine's decisions while
  // the book's accept p99 is over target (playbook/market_load.h).
  for (const MarketLoad::Hot& h : market_load_.hot(t))
    if (wants("market_engine_share", h.share))
      if (const Event* e = book.event(h.event_id))
        out.push_back(SignalSample{"market_engine_share",
                                   {{"market_id", std::to_string(h.market_id)}, {"league", e->league},
                                    {"sport", e->sport}, {"event_id", std::to_string(h.event_id)}},
                                   h.share, opts_.top_leagues.count(e->league) > 0});
  if (synthetic_failed_) {
    const double failed = static_cast<double>(synthetic_failed_());
    if (wants("synthetic_failed_rounds", failed))
      out.push_back(SignalSample{"synthetic_failed_rounds", {{"check", "synthetic"}}, failed, true});
  }
  if (settlement_probe_) sample_settlement(now, out, wants);
  {
    // cashout_stale_ratio: a rising share of quotes refused for a stale
    // price (CO-3); quiet below 10 quotes a minute (one refusal is no trend).
    cashout_quotes_.add(t, 0, 0);  // moves the window on when nobody asks
    const GoodValid& q = cashout_quotes_.window(0);
    const double ratio = q.valid >= 10 ? q.good / q.valid : 0.0;
    if (wants("cashout_stale_ratio", ratio))
      out.push_back(SignalSample{"cashout_stale_ratio", {{"service", "cashout"}}, ratio, true});
  }
  for (auto& source : signal_sources_) source(out);
  if (!totals_sources_.empty()) {
    std::vector<TotalsSample> totals;
    for (auto& source : totals_sources_) source(totals);
    for (const TotalsSample& s : totals)
      evaluator_.on_totals(s.source, t, s.good, s.valid, SloEvaluator::Labels{0, {}, {}, s.psp_route});
  }
  if (bet_totals_) {
    auto [good, valid] = bet_totals_();
    evaluator_.on_totals("bet_requests", t, good, valid);
  }
  if (evaluator_.accept_window_count() > 0) {
    double p99 = static_cast<double>(evaluator_.accept_quantile_ns(0.99)) / 1e9;
    if (wants("bet_accept_p99_seconds", p99)) out.push_back(SignalSample{"bet_accept_p99_seconds", {}, p99, true});
  }
  // BET-4: p99 of the time commands waited in the engine queue since the
  // last tick (the alert's `for` makes it a sustained lag).
  std::vector<uint64_t> lag = engine_.metrics().queue_lag->fine_counts();
  if (!queue_lag_seen_.empty()) {
    const std::vector<uint64_t> since = log_linear::delta(lag, queue_lag_seen_);
    double p99 = static_cast<double>(log_linear::quantile(since, 0.99)) / 1e9;
    if (wants("engine_queue_lag_seconds", p99)) out.push_back(SignalSample{"engine_queue_lag_seconds", {}, p99, true});
  }
  queue_lag_seen_ = std::move(lag);
}

void IncidentLoop::tick() {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  int64_t wall0 = monotonic_ns();
  const int64_t now = now_ns();
  std::vector<SignalSample> samples;
  sample(now, samples);
  evaluator_.tick(now / kNsPerSecond);
  coverage_.observe(now, evaluator_.status());
  firing_ = rules_.evaluate(now, samples, evaluator_.status());
  if (!opts_.builtin_alerts) firing_.clear();
  // Alerts received from Alertmanager stay until resolved or stale.
  for (auto it = received_.begin(); it != received_.end();) {
    if (now - received_at_[it->first] > opts_.received_alert_ttl_ns) {
      received_at_.erase(it->first);
      it = received_.erase(it);
    } else {
      firing_.push_back(it->second);
      ++it;
    }
  }
  const Book& book = engine_.state().book;
  const auto& exposure = engine_.state().exposure;
  // A match day: a match in play, or kicking off within 12 hours either side
  // (quiet hours are off then, INC-1).
  bool match_day = false;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    int64_t kickoff = e->kickoff_ms * 1'000'000;
    match_day = match_day || e->state == EventState::kInPlay ||
                (e->state != EventState::kEnded && std::llabs(kickoff - now) < 12 * 3600 * kNsPerSecond);
  }
  auto notes = pipeline_.update(
      now, firing_, [&](uint64_t m) { return book.market(m) ? exposure.market_liability(m) : 0; }, match_day);
  for (auto& n : notes) {
    notifications_->inc();
    for (auto& target : runner_->file().notifiers) {
      if (target.type == "webhook") {
        post_(target.url, webhook_payload(n, "inplay", opts_.external_url));
      } else {
        // Labels the generated Alertmanager routes use: High Exposure
        // first, quiet hours off on match days.
        std::vector<Alert> alerts;
        for (auto& [fp, a] : n.group.alerts) {
          if (a.source != "inplay") continue;
          alerts.push_back(a);
          alerts.back().labels["high_exposure"] = n.group.high_exposure ? "true" : "false";
          alerts.back().labels["match_day"] = match_day ? "true" : "false";
        }
        if (!alerts.empty()) post_(target.url + "/api/v2/alerts", alertmanager_v2_alerts(alerts, opts_.external_url));
      }
    }
    log::warn("alert", n.status == "firing" ? "alert group firing" : "alert group resolved",
              {{"group", n.group.key}, {"alerts", static_cast<uint64_t>(n.group.alerts.size())},
               {"markets", static_cast<uint64_t>(n.group.markets.size())},
               {"high_exposure", n.group.high_exposure}, {"severity", n.group.severity}});
  }
  runner_->on_notifications(now, notes);
  runner_->on_groups(now, pipeline_.groups());
  runner_->tick(now, evaluator_.status());
  const int64_t high_exposure = runner_->file().routing.high_exposure_minor;
  runner_->update_unresolved(
      [&](Incident& inc) { apply_impact(inc, incident_impact(inc, engine_.state()), high_exposure); });
  publish_metrics();
  save_incidents();
  publish_status_page();
  tick_ns_->set(monotonic_ns() - wall0);
}

void IncidentLoop::save_incidents(bool include_settled) {
  for (auto& [id, inc] : runner_->incidents()) {
    // A resolved incident changes only by an operator's hand (a revert), so
    // the tick skips those journaled as resolved; the API asks for all.
    const bool resolved = inc.status == "resolved";
    if (resolved && !include_settled && settled_.count(id)) continue;
    std::string snapshot = encode_incident(inc);
    auto last = saved_.find(id);
    if (last == saved_.end() || last->second != snapshot) {
      engine_.commit(IncidentSaved{id, snapshot, now_ns()});
      saved_[id] = std::move(snapshot);
    }
    if (resolved) settled_.insert(id);
  }
}

void IncidentLoop::receive(std::vector<Alert> alerts) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  int64_t now = now_ns();
  for (auto& a : alerts) {
    uint64_t fp = a.fingerprint();
    if (a.ends_ns) {
      received_.erase(fp);
      received_at_.erase(fp);
      continue;
    }
    a.labels.erase("alertname");
    received_[fp] = a;
    received_at_[fp] = now;
  }
}

void IncidentLoop::publish_metrics() {
  for (auto& st : evaluator_.status()) {
    auto& [good, valid] = slo_events_published_[st.spec->name];
    auto g = static_cast<uint64_t>(st.total_good + 0.5), v = static_cast<uint64_t>(st.total_valid + 0.5);
    if (g > good) slo_events_->with({st.spec->name, "good"}).inc(g - good);
    if (v > valid) slo_events_->with({st.spec->name, "valid"}).inc(v - valid);
    if (!valid) {  // both series exist from the first tick (rate() needs them)
      slo_events_->with({st.spec->name, "good"});
      slo_events_->with({st.spec->name, "valid"});
    }
    good = std::max(good, g);
    valid = std::max(valid, v);
  }
  for (auto& st : evaluator_.status()) {
    const std::string& name = st.spec->name;
    has_data_->with({name}).set(st.has_data ? 1 : 0);
    // Without data an SLI is no number at all (never a perfect 100 %): its
    // series appear with the first event.
    if (!st.has_data) continue;
    sli_->with({name}).set(static_cast<int64_t>(st.sli * 1e6));
    budget_->with({name}).set(static_cast<int64_t>(st.budget_remaining * 1e6));
    for (auto& b : st.burns) {
      burn_->with({name, b.tier, "long"}).set(static_cast<int64_t>(b.burn_long * 1e6));
      burn_->with({name, b.tier, "short"}).set(static_cast<int64_t>(b.burn_short * 1e6));
    }
  }
  std::map<std::pair<std::string, std::string>, int64_t> counts;
  for (auto& [k, v] : alerts_firing_->series()) counts[{k[0], k[1]}] = 0;
  for (auto& a : firing_) ++counts[{a.name, a.label("service")}];
  for (auto& [k, n] : counts) alerts_firing_->with({k.first, k.second}).set(n);
  if (pipeline_.inhibited_total() > inhibited_seen_) inhibited_->inc(pipeline_.inhibited_total() - inhibited_seen_);
  inhibited_seen_ = pipeline_.inhibited_total();
  if (pipeline_.rate_limited_total() > rate_limited_seen_)
    rate_limited_->inc(pipeline_.rate_limited_total() - rate_limited_seen_);
  rate_limited_seen_ = pipeline_.rate_limited_total();
  int64_t open = 0;
  for (auto& [id, inc] : runner_->incidents()) {
    open += inc.status != "resolved";
    size_t& seen = actions_seen_[id];
    for (; seen < inc.actions.size(); ++seen)
      actions_->with({action_type_name(inc.actions[seen].spec.type), inc.actions[seen].status}).inc();
  }
  incidents_open_->set(open);
}

std::pair<std::string, std::vector<std::string>> IncidentLoop::slice_for(int64_t since) {
  SliceQuery q;
  q.since_ns = since - 60 * kNsPerSecond;
  q.slow_ns = opts_.slow_trace_ns;
  SliceReport r = find_slice(tracer_, q);
  std::vector<std::string> traces;
  // Example bad traces: the slowest in the window.
  TraceQuery tq;
  tq.since_ns = q.since_ns;
  tq.min_ns = q.slow_ns;
  tq.limit = 5;
  for (auto& t : search_traces(tracer_, tq).traces) traces.push_back(to_hex(t.trace_id));
  // A handful of bad traces cannot name a slice: one bet refused on a
  // market a trader suspended would be "the slice that hurts".
  std::string text = r.values.empty() || r.bad_traces < kMinBadTracesForSlice ? "" : r.summary();
  if (!text.empty())
    text += fmt::format(" [{} bad / {} good traces since {} s before the alert]", r.bad_traces, r.good_traces, 60);
  return {text, traces};
}

}  // namespace inplay
