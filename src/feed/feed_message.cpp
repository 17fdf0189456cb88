#include "feed/feed_message.h"

#include "core/json.h"

namespace inplay {

namespace {

constexpr FeedMessageType kAllTypes[] = {
    FeedMessageType::kOddsChange,    FeedMessageType::kBetStop,   FeedMessageType::kFixtureChange,
    FeedMessageType::kAlive,         FeedMessageType::kBetSettlement,
    FeedMessageType::kBetCancel,     FeedMessageType::kSnapshotComplete,
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

void write_body(JsonWriter& w, const BetSettlement& b) {
  w.key("markets").begin_array();
  for (const MarketResult& m : b.markets) {
    w.begin_object().field("market_id", m.market_id);
    write_ids(w, "winning_selection_ids", m.winning_selection_ids);
    write_ids(w, "void_selection_ids", m.void_selection_ids);
    w.end_object();
  }
  w.end_array();
}

void write_body(JsonWriter& w, const BetCancel& b) {
  write_ids(w, "market_ids", b.market_ids);
  if (!b.reason.empty()) w.field("reason", b.reason);
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
