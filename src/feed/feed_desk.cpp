#include "feed/feed_desk.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "feed/recovery_request.h"
#include "telemetry/log.h"

namespace inplay {

const char* feed_state_name(FeedState s) {
  switch (s) {
    case FeedState::kDown: return "down";
    case FeedState::kRecovering: return "recovering";
    case FeedState::kUp: return "up";
  }
  return "unknown";
}

namespace {
constexpr const char* kFeedDown = "FEED_DOWN";
constexpr const char* kActor = "system:feed-desk";
}  // namespace

FeedDesk::FeedDesk(MarketDesk& markets, MetricsRegistry& metrics, std::vector<FeedConfig> feeds,
                   FeedDeskOptions opts)
    : engine_(markets.engine()),
      markets_(markets),
      metrics_(metrics),
      opts_(std::move(opts)),
      drift_band_(opts_.drift_band, opts_.drift_hold_ns) {
  messages_ = &metrics.counter("feed_messages_total", "Feed messages received, by feed and type", {"feed", "type"});
  dropped_ = &metrics.counter("feed_messages_dropped_total", "Feed messages dropped (duplicate, reordered)", {"feed", "reason"});
  gaps_ = &metrics.counter("feed_seq_gaps_total", "Sequence gaps seen per feed (each triggers a recovery)", {"feed"});
  parse_errors_ = &metrics.counter("feed_parse_errors_total", "Feed lines that failed to parse, by producer and reason", {"producer", "reason"});
  skew_ = &metrics.gauge("feed_schema_skew", "1 once a producer sent a schema version the feed does not accept (ODDS-8)", {"producer", "league", "version"});
  active_ = &metrics.gauge("feed_active", "1 for the feed that prices the sport now", {"sport", "feed"});
  switches_ = &metrics.counter("feed_switches_total", "Primary/backup switches per sport", {"sport", "to"});
  recoveries_ = &metrics.counter("feed_recovery_requests_total", "Recovery (snapshot) requests sent", {"feed"});
  auto lat = default_latency_bounds_ns();
  update_latency_ = &MetricsRegistry::series(
      metrics.histogram("odds_update_latency_seconds", "Provider timestamp to price live in the book (ODDS-2)", {}, lat, Unit::kSeconds), {});
  book_latency_ = &MetricsRegistry::series(
      metrics.histogram("odds_book_latency_seconds",
                        "Inside the book: line read from the socket to price live (parse, queue, apply, journal append)",
                        {}, {5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
                             50000000, 100000000},
                        Unit::kSeconds),
      {});
  staleness_hist_ = &MetricsRegistry::series(
      metrics.histogram("odds_staleness_seconds", "Price age of every open market (now minus its provider timestamp), sampled each second (ODDS-3)", {},
                        {100000000, 250000000, 500000000, 1000000000, 1200000000, 1500000000, 2000000000,
                         3000000000, 5000000000, 10000000000, 30000000000},
                        Unit::kSeconds),
      {});
  staleness_ms_ = &metrics.gauge("odds_market_staleness_milliseconds", "Price age of the market on the provider's clock (top-league markets)", {"market_id"});
  drift_gauge_ = &metrics.gauge("odds_market_drift_ppm", "Drift score of the market vs the reference feed, parts per million (ODDS-6)", {"market_id"});
  drift_flagged_ = &metrics.gauge("odds_drift_flagged", "1 while the market's drift has stayed above its band for 60 s", {"market_id"});
  canary_staleness_ = &metrics.gauge("odds_canary_staleness_milliseconds", "Price age of the sport's canary market on the provider's clock (ODDS-7)", {"sport", "market_id"});
  canary_drift_ = &metrics.gauge("odds_canary_drift_ppm", "Drift of the sport's canary market (ODDS-7)", {"sport", "market_id"});
  suspended_ = &metrics.gauge("markets_suspended", "Markets suspended now, by reason kind", {"reason"});

  for (auto& cfg : feeds) {
    Feed f;
    f.cfg = cfg;
    f.up_gauge = &metrics.gauge("feed_up", "1 while the feed is up (alive and recovered)", {"feed"}).with({cfg.name});
    f.delay_gauge = &metrics
                         .gauge("feed_delay_milliseconds",
                                "The feed's most punctual line of the last 5 s: arrival minus provider timestamp (ODDS-2)",
                                {"feed"})
                         .with({cfg.name});
    if (cfg.role == FeedRole::kReference)
      f.reference_gauge = &metrics
                               .gauge("feed_reference_problem",
                                      "1 while the reference feed is down, late or refusing lines (drift unknown)",
                                      {"feed"})
                               .with({cfg.name});
    f.skew_counter = &metrics
                          .counter("feed_clock_skew_total",
                                   "Lines stamped in the future by the provider's clock (clamped to their arrival)",
                                   {"feed"})
                          .with({cfg.name});
    f.skew_gauge = &metrics
                        .gauge("feed_clock_skew_milliseconds",
                               "How far in the future the feed's last future-stamped line was", {"feed"})
                        .with({cfg.name});
    for (size_t t = 0; t < f.by_type.size(); ++t)
      f.by_type[t] = &messages_->with({cfg.name, feed_message_type_name(static_cast<FeedMessageType>(t))});
    size_t i = feeds_.size();
    Sport& s = sports_[cfg.sport];
    if (cfg.role == FeedRole::kPrimary) s.primary = i;
    if (cfg.role == FeedRole::kBackup) s.backup = i;
    if (cfg.role == FeedRole::kReference) s.reference = i;
    feeds_.push_back(std::move(f));
  }
  for (auto& [name, s] : sports_) {
    s.active = s.primary != SIZE_MAX ? s.primary : s.backup;
    auto want = opts_.initial_active.find(name);
    if (want != opts_.initial_active.end()) {
      size_t i = want->second == FeedRole::kBackup ? s.backup : s.primary;
      if (i != SIZE_MAX) s.active = i;
    }
    adopt_book(name, s);
    for (size_t i : {s.primary, s.backup})
      if (i != SIZE_MAX) active_->with({name, feeds_[i].cfg.name}).set(i == s.active ? 1 : 0);
  }
}

void FeedDesk::adopt_book(const std::string& sport, Sport& s) {
  // A restart: the sport comes back on the feed it was switched to...
  const BookState& state = engine_.state();
  auto kept = state.active_feeds.find(sport);
  if (kept != state.active_feeds.end())
    for (size_t i : {s.primary, s.backup})
      if (i != SIZE_MAX && feeds_[i].cfg.name == kept->second) s.active = i;
  // ...and the markets this desk suspended when the feed went down (the
  // journal keeps them suspended) reopen when that feed is up again.
  const Book& book = state.book;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->sport != sport) continue;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      if (m->status == MarketStatus::kSuspended && m->status_reason == kFeedDown && m->status_actor == kActor)
        s.suspended_for_feed_down = true;
    }
  }
}

std::optional<size_t> FeedDesk::feed_index(std::string_view name) const {
  for (size_t i = 0; i < feeds_.size(); ++i)
    if (feeds_[i].cfg.name == name) return i;
  return std::nullopt;
}

void FeedDesk::set_sender(size_t feed, std::function<void(std::string)> send) {
  feeds_[feed].send = std::move(send);
}

void FeedDesk::schedule() {
  timer_ = engine_.every(std::chrono::milliseconds(250), [this] { check(to_ns(engine_.clock().now())); });
}

bool FeedDesk::is_active(size_t feed) const {
  auto it = sports_.find(feeds_[feed].cfg.sport);
  return it != sports_.end() && it->second.active == feed;
}

bool FeedDesk::feed_owned(const Market& m) {
  // Set by a feed or by this desk (FEED_DOWN): never an operator's.
  return m.status_actor.rfind("feed:", 0) == 0 || m.status_actor == kActor;
}

std::string FeedDesk::active_feed(const std::string& sport) const {
  auto it = sports_.find(sport);
  if (it == sports_.end() || it->second.active == SIZE_MAX) return "";
  return feeds_[it->second.active].cfg.name;
}

void FeedDesk::on_connected(size_t i) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  Feed& f = feeds_[i];
  f.connected = true;
  f.seq.reset();  // a new connection may restart the numbering
  f.last_alive_ns = to_ns(engine_.clock().now());
  log::info("feed", "connected", {{"feed", f.cfg.name}});
  request_recovery(i);
}

void FeedDesk::on_disconnected(size_t i) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  feeds_[i].connected = false;
  mark_down(i, "disconnected");
}

void FeedDesk::on_gap(size_t i) {
  Feed& f = feeds_[i];
  gaps_->with({f.cfg.name}).inc();
  if (f.state != FeedState::kDown) request_recovery(i);
}

void FeedDesk::request_recovery(size_t i) {
  Feed& f = feeds_[i];
  f.pending_request = next_request_++;
  if (f.state == FeedState::kUp) {
    // Still up: prices keep flowing while the snapshot comes (a gap repair).
  } else {
    f.state = FeedState::kRecovering;
  }
  recoveries_->with({f.cfg.name}).inc();
  if (f.send) f.send(encode_recovery_request(f.pending_request));
}

void FeedDesk::mark_down(size_t i, const char* why) {
  Feed& f = feeds_[i];
  if (f.state == FeedState::kDown) return;
  f.state = FeedState::kDown;
  f.pending_request = 0;
  f.up_gauge->set(0);
  log::warn("feed", "feed down", {{"feed", f.cfg.name}, {"why", why}, {"active", is_active(i)}});
  if (is_active(i)) suspend_sport(f.cfg.sport, kFeedDown);
}

void FeedDesk::mark_up(size_t i) {
  Feed& f = feeds_[i];
  f.state = FeedState::kUp;
  f.up_gauge->set(1);
  log::info("feed", "feed up", {{"feed", f.cfg.name}});
  Sport& s = sports_[f.cfg.sport];
  if (is_active(i) && s.suspended_for_feed_down) reopen_sport(f.cfg.sport);
}

void FeedDesk::suspend_sport(const std::string& sport, const std::string& reason) {
  sports_[sport].suspended_for_feed_down = true;
  auto& book = engine_.state().book;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->sport != sport) continue;
    for (uint64_t mid : e->markets)
      if (book.market(mid)->status == MarketStatus::kOpen)
        markets_.set_market_status(mid, MarketStatus::kSuspended, reason, kActor);
  }
}

void FeedDesk::reopen_sport(const std::string& sport) {
  Sport& s = sports_[sport];
  s.suspended_for_feed_down = false;
  if (s.active == SIZE_MAX) return;
  Feed& f = feeds_[s.active];
  auto& book = engine_.state().book;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->sport != sport) continue;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      if (m->status != MarketStatus::kSuspended || m->status_reason != kFeedDown || !feed_owned(*m)) continue;
      auto c = f.cache.find(mid);
      MarketStatus target = c == f.cache.end() ? MarketStatus::kOpen : c->second.status;
      const char* reason = target == MarketStatus::kOpen      ? ""
                           : target == MarketStatus::kClosed ? "feed: closed"
                                                             : "feed: suspended";
      markets_.set_market_status(mid, target, reason, kActor);
    }
  }
  take_over(s.active);
}

void FeedDesk::take_over(size_t i) {
  Feed& f = feeds_[i];
  for (auto& [mid, cm] : f.cache) apply_market(f, mid, cm, true);
}

void FeedDesk::on_message(size_t i, FeedMessage&& m, int64_t read_ns) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  Feed& f = feeds_[i];
  f.by_type[static_cast<size_t>(feed_body_type(m.body))]->inc();
  ++f.messages_ok;
  const uint64_t skewed = f.timeliness.skewed_lines();
  f.timeliness.on_line(to_ns(engine_.clock().now()), m.env.ts_ms);
  if (f.timeliness.skewed_lines() != skewed) {
    f.skew_counter->inc();
    f.skew_gauge->set(f.timeliness.last_skew_ns() / 1'000'000);
  }
  if (f.producer != m.env.producer) f.producer = m.env.producer;
  if (auto* oc = std::get_if<OddsChange>(&m.body); oc && !oc->league.empty()) {
    LeagueSchema& ls = f.schemas[oc->league];
    if (ls.version != m.env.schema) ls = LeagueSchema{oc->league, m.env.schema, 0, false};
    ls.last_ns = to_ns(engine_.clock().now());
    ls.skewed = false;
  }
  const FeedMessageType type = feed_body_type(m.body);
  const bool result = type == FeedMessageType::kBetSettlement || type == FeedMessageType::kBetCancel ||
                      type == FeedMessageType::kRollbackBetSettlement || type == FeedMessageType::kRollbackBetCancel;
  switch (f.seq.observe(m.env.seq)) {
    case SeqVerdict::kDuplicate:
      dropped_->with({f.cfg.name, "duplicate"}).inc();
      return;
    case SeqVerdict::kReordered:
      if (!result) {
        dropped_->with({f.cfg.name, "reordered"}).inc();
        return;
      }
      break;  // a late result still counts: settlement orders results by ts
    case SeqVerdict::kGap: on_gap(i); break;
    default: break;
  }
  if (result) {
    // Results of the price feeds only: the reference feed is for drift.
    if (f.cfg.role == FeedRole::kReference || !results_sink_) return;
    ++f.results;
    results_sink_(f.cfg.name, m);
    return;
  }
  int64_t now = to_ns(engine_.clock().now());
  std::visit(
      [&](auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Alive>) {
          f.last_alive_ns = now;
          if (!body.subscribed) {
            mark_down(i, "alive subscribed=false");
            request_recovery(i);
          } else if (f.state == FeedState::kDown && f.connected) {
            request_recovery(i);  // back after a timeout: resync before trusting it
          }
        } else if constexpr (std::is_same_v<T, SnapshotComplete>) {
          if (body.request_id == f.pending_request && f.state != FeedState::kDown) {
            f.pending_request = 0;
            if (f.state != FeedState::kUp) mark_up(i);
          }
        } else if constexpr (std::is_same_v<T, OddsChange>) {
          apply_odds(i, m, body, read_ns);
        } else if constexpr (std::is_same_v<T, BetStop>) {
          apply_bet_stop(i, m.env.event_id, body);
        } else if constexpr (std::is_same_v<T, FixtureChange>) {
          apply_fixture(i, m.env.event_id, body);
        }
      },
      m.body);
}

void FeedDesk::on_parse_error(size_t i, const ParseError& e) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  Feed& f = feeds_[i];
  std::string producer = e.producer.empty() ? f.cfg.name : e.producer;
  parse_errors_->with({producer, feed_parse_reason_name(e.reason)}).inc();
  ++f.parse_errors;
  // A refused line keeps its place in the sequence: the next line is no gap.
  // A gap before it is still one (lines were lost on the way).
  if (e.seq && f.seq.observe(e.seq) == SeqVerdict::kGap) on_gap(i);
  if (e.reason == FeedParseReason::kSchemaUnsupported && !e.league.empty())
    f.schemas[e.league] = LeagueSchema{e.league, e.schema, to_ns(engine_.clock().now()), true};
  if (e.reason == FeedParseReason::kSchemaUnsupported &&
      f.skew_seen.emplace(e.league, e.schema).second) {
    skew_->with({producer, e.league, e.schema}).set(1);
    log::warn("feed", "schema skew",
              {{"feed", f.cfg.name}, {"producer", producer}, {"league", e.league}, {"version", e.schema}});
  }
}

void FeedDesk::apply_odds(size_t i, const FeedMessage& m, const OddsChange& oc, int64_t read_ns) {
  Feed& f = feeds_[i];
  bool active = is_active(i) && f.state != FeedState::kDown;
  for (const MarketOdds& mo : oc.markets) {
    CachedMarket& cm = f.cache[mo.market_id];
    cm.status = mo.status;
    for (const OutcomeOdds& o : mo.outcomes) cm.fair[o.selection_id] = o.odds;
    cm.provider_ts_ms = m.env.ts_ms;
    if (active) apply_market(f, mo.market_id, cm, !mo.outcomes.empty());
  }
  if (active && oc.match_status) {
    const MatchStatus& ms = *oc.match_status;
    markets_.set_scoreboard(m.env.event_id, Scoreboard{true, ms.home_score, ms.away_score, ms.minute, ms.period,
                                                       m.env.ts_ms});
  }
  int64_t now = to_ns(engine_.clock().now());
  if (active) {
    const int64_t latency = std::max<int64_t>(0, now - m.env.ts_ms * 1000000);
    update_latency_->observe(latency);
    if (read_ns > 0) book_latency_->observe(monotonic_ns() - read_ns);
    for (auto& fn : update_observers_)
      for (const MarketOdds& mo : oc.markets)
        if (!mo.outcomes.empty()) fn(mo.market_id, f.cfg.name, latency);
  }
  if (active || f.cfg.role == FeedRole::kReference)
    for (const MarketOdds& mo : oc.markets) update_drift(mo.market_id, now);
}

void FeedDesk::apply_market(Feed& f, uint64_t market_id, const CachedMarket& cm, bool prices) {
  auto& book = engine_.state().book;
  const Market* mk = book.market(market_id);
  if (!mk) return;
  std::string actor = "feed:" + f.cfg.name;
  bool feed_down = mk->status == MarketStatus::kSuspended && mk->status_reason == kFeedDown &&
                   mk->status_actor == kActor;
  if (cm.status == MarketStatus::kClosed && mk->status != MarketStatus::kClosed &&
      mk->status != MarketStatus::kSettled) {
    markets_.set_market_status(market_id, MarketStatus::kClosed, "feed: closed", actor);
  } else if (cm.status == MarketStatus::kSuspended && mk->status == MarketStatus::kOpen) {
    markets_.set_market_status(market_id, MarketStatus::kSuspended, "feed: suspended", actor);
  } else if (cm.status == MarketStatus::kOpen && mk->status == MarketStatus::kSuspended &&
             feed_owned(*mk) && !feed_down) {
    markets_.set_market_status(market_id, MarketStatus::kOpen, "", actor);
  }
  if (!prices) return;
  mk = book.market(market_id);
  std::vector<double> fair;
  fair.reserve(mk->selections.size());
  for (uint64_t sid : mk->selections) {
    auto it = cm.fair.find(sid);
    if (it == cm.fair.end()) return;  // a partial market cannot be priced
    fair.push_back(static_cast<double>(kOddsScale) / it->second.scaled);
  }
  std::vector<Odds> priced;
  try {
    priced = price_market(mk->type, fair, opts_.margins);
  } catch (const std::exception& e) {
    log::warn("feed", "market not priced", {{"market_id", market_id}, {"error", e.what()}});
    return;
  }
  markets_.price_market(market_id, priced, cm.provider_ts_ms);
}

void FeedDesk::apply_bet_stop(size_t i, uint64_t event_id, const BetStop& bs) {
  Feed& f = feeds_[i];
  auto& book = engine_.state().book;
  const Event* e = book.event(event_id);
  if (!e) return;
  std::vector<uint64_t> ids = bs.market_ids.empty() ? e->markets : bs.market_ids;
  for (uint64_t mid : ids) {
    f.cache[mid].status = MarketStatus::kSuspended;
    if (!is_active(i) || f.state == FeedState::kDown) continue;
    const Market* m = book.market(mid);
    if (m && m->event_id == event_id && m->status == MarketStatus::kOpen)
      markets_.set_market_status(mid, MarketStatus::kSuspended,
                                bs.reason.empty() ? "feed: bet stop" : "feed: bet stop: " + bs.reason,
                                "feed:" + f.cfg.name);
  }
}

void FeedDesk::apply_fixture(size_t i, uint64_t event_id, const FixtureChange& fc) {
  if (!is_active(i) || !engine_.state().book.event(event_id)) return;
  const Event* e = engine_.state().book.event(event_id);
  std::string actor = "feed:" + feeds_[i].cfg.name;
  if (fc.change == FixtureChangeKind::kStarted && e->state != EventState::kInPlay)
    markets_.set_event_state(event_id, EventState::kInPlay, actor);
  if ((fc.change == FixtureChangeKind::kEnded || fc.change == FixtureChangeKind::kCancelled) &&
      e->state != EventState::kEnded) {
    markets_.set_event_state(event_id, EventState::kEnded, actor);
    for (uint64_t mid : engine_.state().book.event(event_id)->markets)
      if (engine_.state().book.market(mid)->status == MarketStatus::kOpen)
        markets_.set_market_status(mid, MarketStatus::kSuspended, "feed: event ended", actor);
  }
}

Gauge& FeedDesk::market_gauge(Family<Gauge>& fam, uint64_t market_id) {
  return fam.with({std::to_string(market_id)});
}

void FeedDesk::check(int64_t now_ns) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  for (size_t i = 0; i < feeds_.size(); ++i) {
    Feed& f = feeds_[i];
    if (f.state != FeedState::kDown && now_ns - f.last_alive_ns > f.cfg.alive_timeout.count())
      mark_down(i, "alive timeout");
    f.timeliness.update(now_ns, f.state == FeedState::kUp, opts_.fresh_within_ns);
    std::optional<int64_t> least = f.timeliness.least_delay_ns(now_ns);
    f.delay_gauge->set(least ? *least / 1'000'000 : -1);
    if (f.cfg.role == FeedRole::kReference) f.reference_gauge->set(reference_problem(i).empty() ? 0 : 1);
  }
  // Drift, gauges and the staleness histogram, once a second.
  if (now_ns - last_sample_ns_ < 1000000000) return;
  last_sample_ns_ = now_ns;
  refresh_drift(now_ns);
  auto& book = engine_.state().book;
  size_t gauges = 0;
  int64_t feed_down = 0, feed_owned_n = 0, operator_n = 0;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    bool top = opts_.top_leagues.count(e->league) > 0;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      if (m->status == MarketStatus::kSuspended) {
        if (m->status_reason == kFeedDown) ++feed_down;
        else if (feed_owned(*m)) ++feed_owned_n;
        else ++operator_n;
      }
      if (m->last_update_ns == 0 || m->status != MarketStatus::kOpen) continue;
      int64_t age = Book::price_age(*m, now_ns).count();
      staleness_hist_->observe(age);
      if (top && gauges < opts_.market_gauge_cap) {
        ++gauges;
        market_gauge(*staleness_ms_, mid).set(age / 1000000);
        // Without a live, fresh reference the drift is unknown (-1), not a number.
        auto d = drift_.find(mid);
        market_gauge(*drift_gauge_, mid).set(d == drift_.end() ? -1 : static_cast<int64_t>(std::llround(d->second * 1e6)));
        market_gauge(*drift_flagged_, mid).set(drift_band_.flagged(mid) ? 1 : 0);
      }
    }
  }
  suspended_->with({"feed_down"}).set(feed_down);
  suspended_->with({"feed"}).set(feed_owned_n);
  suspended_->with({"operator"}).set(operator_n);
  for (auto& [sport, mid] : opts_.canary_markets) {
    const Market* m = book.market(mid);
    if (!m) continue;
    std::string id = std::to_string(mid);
    canary_staleness_->with({sport, id}).set(m->last_update_ns ? Book::price_age(*m, now_ns).count() / 1000000 : -1);
    auto d = drift_.find(mid);
    canary_drift_->with({sport, id}).set(d == drift_.end() ? -1 : static_cast<int64_t>(std::llround(d->second * 1e6)));
  }
}

Result<bool> FeedDesk::switch_feed(const std::string& sport, std::optional<FeedRole> to,
                                   const std::string& actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  auto it = sports_.find(sport);
  if (it == sports_.end()) return Error{ErrorCode::kNotFound, "no feeds for that sport"};
  Sport& s = it->second;
  size_t target = SIZE_MAX;
  if (!to) target = s.active == s.primary ? s.backup : s.primary;
  else if (*to == FeedRole::kPrimary) target = s.primary;
  else if (*to == FeedRole::kBackup) target = s.backup;
  else return Error{ErrorCode::kValidationFailed, "to: must be primary or backup"};
  if (target == SIZE_MAX) return Error{ErrorCode::kValidationFailed, "the sport has no such feed"};
  if (target == s.active) return true;
  if (feeds_[target].state != FeedState::kUp)
    return Error{ErrorCode::kFeedUnavailable,
                 fmt::format("feed {} is {}", feeds_[target].cfg.name, feed_state_name(feeds_[target].state))};
  size_t from = s.active;
  s.active = target;
  switches_->with({sport, feed_role_name(feeds_[target].cfg.role)}).inc();
  for (size_t i : {s.primary, s.backup})
    if (i != SIZE_MAX) active_->with({sport, feeds_[i].cfg.name}).set(i == target ? 1 : 0);
  log::warn("feed", "feed switched",
            {{"sport", sport}, {"from", from == SIZE_MAX ? "" : feeds_[from].cfg.name},
             {"to", feeds_[target].cfg.name}, {"actor", actor}});
  engine_.commit(FeedSwitched{sport, from == SIZE_MAX ? "" : feeds_[from].cfg.name, feeds_[target].cfg.name, actor,
                              to_ns(engine_.clock().now())});
  if (s.suspended_for_feed_down) reopen_sport(sport);  // also takes over
  else take_over(target);
  return true;
}

std::vector<FeedDesk::FeedSignals> FeedDesk::signals() const {
  std::vector<FeedSignals> out;
  out.reserve(feeds_.size());
  for (size_t i = 0; i < feeds_.size(); ++i) {
    const Feed& f = feeds_[i];
    FeedSignals s;
    s.name = f.cfg.name;
    s.sport = f.cfg.sport;
    s.role = feed_role_name(f.cfg.role);
    s.active = is_active(i);
    s.state = f.state;
    s.messages_ok = f.messages_ok;
    s.parse_errors = f.parse_errors;
    for (auto& [league, ls] : f.schemas) s.schemas.push_back(ls);
    s.least_delay_ns = f.timeliness.least_delay_ns(to_ns(engine_.clock().now())).value_or(-1);
    s.fresh = f.timeliness.fresh();
    if (f.cfg.role == FeedRole::kReference) s.reference_problem = reference_problem(i);
    out.push_back(std::move(s));
  }
  return out;
}

bool FeedDesk::fresh_for(const std::string& feed, int64_t hold_ns) const {
  std::optional<size_t> i = feed_index(feed);
  if (!i) return false;
  const FeedTimeliness& t = feeds_[*i].timeliness;
  return t.fresh() && to_ns(engine_.clock().now()) - t.fresh_since_ns() >= hold_ns;
}

FeedDesk::PriceSource FeedDesk::price_source(const std::string& sport, const std::string& league) const {
  PriceSource p;
  auto it = sports_.find(sport);
  if (it == sports_.end() || it->second.active == SIZE_MAX) return p;
  const Feed& f = feeds_[it->second.active];
  p.feed = f.cfg.name;
  p.producer = f.producer.empty() ? f.cfg.name : f.producer;
  auto ls = f.schemas.find(league);
  if (ls != f.schemas.end()) p.schema = ls->second.version;
  return p;
}

std::string FeedDesk::status_json() const {
  JsonWriter w;
  w.begin_object().key("sports").begin_array();
  for (auto& [name, s] : sports_) {
    w.begin_object().field("sport", name).field("active", active_feed(name));
    w.field("suspended_for_feed_down", s.suspended_for_feed_down).end_object();
  }
  w.end_array().key("feeds").begin_array();
  for (const Feed& f : feeds_) {
    w.begin_object();
    w.field("name", f.cfg.name).field("sport", f.cfg.sport).field("role", feed_role_name(f.cfg.role));
    w.field("state", feed_state_name(f.state)).field("connected", f.connected);
    w.field("last_seq", f.seq.last()).field("gaps", f.seq.gaps());
    w.field("duplicates", f.seq.duplicates()).field("reordered", f.seq.reordered());
    w.field("fresh", f.timeliness.fresh());
    if (f.cfg.role == FeedRole::kReference) w.field("problem", reference_problem(static_cast<size_t>(&f - feeds_.data())));
    w.field("markets", static_cast<uint64_t>(f.cache.size()));
    w.field("results", f.results);
    w.key("schema_skew").begin_array();
    for (auto& [league, version] : f.skew_seen)
      w.begin_object().field("league", league).field("version", version).end_object();
    w.end_array();
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace inplay
