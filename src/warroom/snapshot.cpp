#include "warroom/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/json.h"
#include "core/time_format.h"
#include "hedge/hedge_view.h"
#include "telemetry/trace_context.h"

namespace inplay {

void WarRoomSeries::add(const WarRoomPoint& p) {
  if (cap_ == 0) return;
  if (ring_.size() < cap_) {
    ring_.push_back(p);
    n_ = ring_.size();
    return;
  }
  ring_[head_] = p;
  head_ = (head_ + 1) % cap_;
}

const WarRoomPoint& WarRoomSeries::at(size_t i) const { return ring_[(head_ + i) % ring_.size()]; }

std::vector<uint64_t> top_markets_by_liability(const BookState& s, size_t top_n) {
  struct Row {
    int64_t liability;
    bool in_play, open;
    uint64_t id;
  };
  std::vector<Row> rows;
  for (uint64_t eid : s.book.event_ids()) {
    const Event* e = s.book.event(eid);
    for (uint64_t mid : e->markets) {
      const Market* m = s.book.market(mid);
      rows.push_back(Row{s.exposure.market_liability(mid), e->state == EventState::kInPlay,
                         m->status == MarketStatus::kOpen, mid});
    }
  }
  auto better = [](const Row& a, const Row& b) {
    if (a.liability != b.liability) return a.liability > b.liability;
    if (a.in_play != b.in_play) return a.in_play;
    if (a.open != b.open) return a.open;
    return a.id < b.id;
  };
  size_t n = std::min(top_n, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(), better);
  std::vector<uint64_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(rows[i].id);
  return out;
}

int64_t max_staleness_ms(const BookState& s, const std::vector<uint64_t>& markets, int64_t now_ns) {
  int64_t worst = 0;
  for (uint64_t mid : markets) {
    const Market* m = s.book.market(mid);
    if (!m || m->status != MarketStatus::kOpen || m->last_update_ns == 0) continue;
    worst = std::max(worst, Book::price_age(*m, now_ns).count() / 1'000'000);
  }
  return worst;
}

std::optional<Exemplar> slowest_exemplar(const Histogram& h, int64_t after_ns, int64_t until_ns) {
  for (size_t b = h.bounds().size() + 1; b-- > 0;) {
    Exemplar e = h.exemplar(b);
    if (e.present && e.time_ns > after_ns && e.time_ns <= until_ns && e.trace_id != std::array<uint8_t, 16>{})
      return e;
  }
  return std::nullopt;
}

namespace {

void raw_or_null(JsonWriter& w, std::string_view key, const std::string& json) {
  w.key(key);
  if (json.empty()) w.null();
  else w.raw(json);
}

void market_json(JsonWriter& w, const WarRoomInputs& in, uint64_t mid) {
  const BookState& s = *in.state;
  const Market& m = *s.book.market(mid);
  const Event* e = s.book.event(m.event_id);
  w.begin_object();
  w.field("market_id", mid).field("name", m.name()).field("event_id", m.event_id);
  w.field("event", e ? e->home + " v " + e->away : std::string());
  w.field("home", e ? e->home : std::string()).field("away", e ? e->away : std::string());
  w.field("league", e ? e->league : std::string()).field("sport", e ? e->sport : std::string());
  w.field("event_state", e ? event_state_name(e->state) : "");
  w.field("kickoff_ms", e ? e->kickoff_ms : 0);
  write_scoreboard(w, e ? e->scoreboard : Scoreboard{});
  w.field("type", market_type_name(m.type));
  w.field("status", market_status_name(m.status)).field("status_reason", m.status_reason);
  w.field("cashout_frozen", m.cashout_frozen).field("cashout_reason", m.cashout_reason);
  w.key("cashout_offers");  // live offers on it now (CO-1): 0 the moment it is frozen or suspended
  if (in.cashout_offers) w.value(static_cast<uint64_t>(in.cashout_offers(mid, in.now_ns)));
  else w.null();
  w.field("stake_cap_minor", m.stake_cap_minor);
  w.field("liability_minor", s.exposure.market_liability(mid));
  market_hedge_field(w, s, m);  // laid off on the venue (CO-4): null when never hedged
  w.field("high_exposure", in.high_exposure.count(mid) > 0);
  const int64_t limit_ms = m.staleness_limit.count() / 1'000'000;
  w.field("staleness_limit_ms", limit_ms);
  w.key("staleness_ms");
  if (m.last_update_ns == 0) {
    w.null().field("stale", false);
  } else {
    int64_t age_ms = Book::price_age(m, in.now_ns).count() / 1'000'000;
    w.value(age_ms).field("stale", age_ms > limit_ms);
  }
  const MarketActivity::Stats act = in.activity ? in.activity->stats(mid, in.now_ns) : MarketActivity::Stats{};
  w.key("accept_p99_us");
  if (act.p99_ns) w.value(*act.p99_ns / 1000);
  else w.null();
  w.key("bets_per_second").raw(fmt::format("{:.1f}", act.bets_per_second));
  const double drift = in.drift ? in.drift(mid).value_or(NAN) : NAN;
  w.key("drift");
  if (std::isfinite(drift)) w.raw(fmt::format("{:.4f}", drift));
  else w.null();
  w.key("selections").begin_array();
  for (uint64_t sid : m.selections) {
    const Selection* sel = s.book.selection(sid);
    if (!sel) continue;
    w.begin_object().field("selection_id", sid).field("name", sel->name);
    w.field("odds", sel->price.version ? sel->price.odds.str() : std::string());
    w.field("version", sel->price.version);
    w.field("liability_minor", s.exposure.selection_liability(sid)).end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

std::string warroom_snapshot_json(const WarRoomInputs& in, const std::vector<uint64_t>& top,
                                  const WarRoomSeries& series) {
  JsonWriter w;
  w.begin_object();
  w.field("seq", in.seq).field("now", rfc3339_ms(in.now_ns)).field("now_ms", in.now_ns / 1'000'000);
  w.field("clock", in.simulated_clock ? "sim" : "real");
  w.field("currency", in.state->ledger.currency().code());
  w.key("markets").begin_array();
  for (uint64_t mid : top) market_json(w, in, mid);
  w.end_array();
  w.key("accept").begin_object();
  w.field("count", in.accept_count).field("p50_us", in.accept_p50_ns / 1000).field("p99_us", in.accept_p99_ns / 1000);
  w.end_object();
  w.key("series").begin_object();
  auto column = [&](std::string_view key, auto get) {
    w.key(key).begin_array();
    for (size_t i = 0; i < series.size(); ++i) w.value(get(series.at(i)));
    w.end_array();
  };
  column("t_ms", [](const WarRoomPoint& p) { return p.t_ms; });
  column("p50_us", [](const WarRoomPoint& p) { return p.p50_us; });
  column("p99_us", [](const WarRoomPoint& p) { return p.p99_us; });
  column("stale_ms", [](const WarRoomPoint& p) { return p.stale_ms; });
  w.key("exemplar").begin_array();
  for (size_t i = 0; i < series.size(); ++i) {
    const WarRoomPoint& p = series.at(i);
    if (p.exemplar) w.value(to_hex(*p.exemplar));
    else w.null();
  }
  w.end_array();
  w.end_object();
  w.key("marks");
  if (in.marks) in.marks->write_json(w);
  else w.begin_array().end_array();
  raw_or_null(w, "slos", in.slos_json);
  raw_or_null(w, "alerts", in.alerts_json);
  raw_or_null(w, "incidents", in.incidents_json);
  raw_or_null(w, "feeds", in.feeds_json);
  raw_or_null(w, "settlement", in.settlement_json);
  raw_or_null(w, "hedging", in.hedging_json);
  raw_or_null(w, "payments", in.payments_json);
  raw_or_null(w, "journal", in.journal_json);
  w.end_object();
  return w.take();
}

}  // namespace inplay
