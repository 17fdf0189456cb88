#include "feed/feed_message.h"

#include "core/json.h"

namespace inplay {

namespace {

constexpr FeedMessageType kAllTypes[] = {
    FeedMessageType::kOddsChange,    FeedMessageType::kBetStop,   FeedMessageType::kFixtureChange,
    FeedMessageType::kAlive,         FeedMessageType::kBetSettlement,
    FeedMessageType::kBetCancel,     FeedMessageType::kSnapshotComplete,
    FeedMessageType::kRollbackBetSettlement, FeedMessageType::kRollbackBetCancel,
};

constexpr FixtureChangeKind kAllChanges[] = {
    FixtureChangeKind::kKickoffMoved, FixtureChangeKind::kStarted, FixtureChangeKind::kEnded,
    FixtureChangeKind::kCancelled};

void write_ids(JsonWriter& w, std::string_view key, const std::vector<uint64_t>& ids) {
  w.key(key).begin_array();
  for (uint64_t id : ids) w.value(id);
  w.end_array();
}

void write_body(JsonWriter& w, const OddsChange& b) {
  w.field("league", b.league);
  w.key("markets").begin_array();
  for (const MarketOdds& m : b.markets) {
    w.begin_object().field("market_id", m.market_id).field("status", market_status_name(m.status));
    w.key("outcomes").begin_array();
    for (const OutcomeOdds& o : m.outcomes)
      w.begin_object().field("selection_id", o.selection_id).field("odds", o.odds.str()).end_object();
    w.end_array().end_object();
  }
  w.end_array();
  if (const auto& s = b.match_status) {
    w.key("match_status").begin_object().field("home_score", uint64_t{s->home_score}).field("away_score", uint64_t{s->away_score});
    if (s->minute >= 0) w.field("minute", int64_t{s->minute});
    if (s->period != MatchPeriod::kUnknown) w.field("period", match_period_name(s->period));
    w.end_object();
  }
}

void write_body(JsonWriter& w, const BetStop& b) {
  write_ids(w, "market_ids", b.market_ids);
  if (!b.reason.empty()) w.field("reason", b.reason);
}

void write_body(JsonWriter& w, const FixtureChange& b) {
  w.field("change", fixture_change_name(b.change));
  if (b.kickoff_ms) w.field("kickoff", *b.kickoff_ms);
}

void write_body(JsonWriter& w, const Alive& b) { w.field("subscribed", b.subscribed); }

void write_score(JsonWriter& w, std::string_view key, const std::optional<Score>& s) {
  if (s) w.key(key).begin_object().field("home", s->home).field("away", s->away).end_object();
}

void write_body(JsonWriter& w, const BetSettlement& b) {
  w.field("certainty", certainty_name(b.certainty));
  write_score(w, "score", b.score);
  write_score(w, "first_half_score", b.first_half_score);
  w.key("markets").begin_array();
  for (const MarketResult& m : b.markets) {
    w.begin_object().field("market_id", m.market_id).key("outcomes").begin_array();
    for (const SettledOutcome& o : m.outcomes) {
      w.begin_object().field("selection_id", o.selection_id).field("result", o.won ? "won" : "lost");
      if (o.void_halves) w.key("void_factor").raw(o.void_halves == 1 ? "0.5" : "1");
      if (o.dead_heat != kOddsScale) w.key("dead_heat_factor").value(Odds{o.dead_heat}.str());
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
}

void write_range(JsonWriter& w, const std::optional<int64_t>& start, const std::optional<int64_t>& end) {
  if (start) w.field("start_time", *start);
  if (end) w.field("end_time", *end);
}

void write_body(JsonWriter& w, const BetCancel& b) {
  write_ids(w, "market_ids", b.market_ids);
  if (!b.reason.empty()) w.field("reason", b.reason);
  write_range(w, b.start_ms, b.end_ms);
  if (!b.superseded_by.empty()) w.field("superseded_by", b.superseded_by);
}

void write_body(JsonWriter& w, const RollbackBetSettlement& b) { write_ids(w, "market_ids", b.market_ids); }

void write_body(JsonWriter& w, const RollbackBetCancel& b) {
  write_ids(w, "market_ids", b.market_ids);
  write_range(w, b.start_ms, b.end_ms);
}

void write_body(JsonWriter& w, const SnapshotComplete& b) { w.field("request_id", b.request_id); }

}  // namespace

const char* feed_message_type_name(FeedMessageType t) {
  switch (t) {
    case FeedMessageType::kOddsChange: return "odds_change";
    case FeedMessageType::kBetStop: return "bet_stop";
    case FeedMessageType::kFixtureChange: return "fixture_change";
    case FeedMessageType::kAlive: return "alive";
    case FeedMessageType::kBetSettlement: return "bet_settlement";
    case FeedMessageType::kBetCancel: return "bet_cancel";
    case FeedMessageType::kSnapshotComplete: return "snapshot_complete";
    case FeedMessageType::kRollbackBetSettlement: return "rollback_bet_settlement";
    case FeedMessageType::kRollbackBetCancel: return "rollback_bet_cancel";
  }
  return "unknown";
}

bool parse_feed_message_type(std::string_view s, FeedMessageType& out) {
  for (FeedMessageType t : kAllTypes)
    if (s == feed_message_type_name(t)) {
      out = t;
      return true;
    }
  return false;
}

const char* fixture_change_name(FixtureChangeKind k) {
  switch (k) {
    case FixtureChangeKind::kKickoffMoved: return "kickoff_moved";
    case FixtureChangeKind::kStarted: return "started";
    case FixtureChangeKind::kEnded: return "ended";
    case FixtureChangeKind::kCancelled: return "cancelled";
  }
  return "unknown";
}

bool parse_fixture_change(std::string_view s, FixtureChangeKind& out) {
  for (FixtureChangeKind k : kAllChanges)
    if (s == fixture_change_name(k)) {
      out = k;
      return true;
    }
  return false;
}

std::string encode_feed_message(const FeedMessage& m) {
  JsonWriter w;
  w.begin_object()
      .field("type", feed_message_type_name(feed_body_type(m.body)))
      .field("producer", m.env.producer)
      .field("schema", m.env.schema)
      .field("seq", m.env.seq)
      .field("ts", m.env.ts_ms)
      .field("event_id", m.env.event_id);
  std::visit([&w](const auto& b) { write_body(w, b); }, m.body);
  w.end_object();
  return w.take();
}

}  // namespace inplay
