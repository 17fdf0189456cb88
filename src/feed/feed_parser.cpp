#include "feed/feed_parser.h"

#include "feed/feed_field_reader.h"
#include "feed/wire_text.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace inplay {

namespace sj = simdjson::ondemand;

const char* feed_parse_reason_name(FeedParseReason r) {
  switch (r) {
    case FeedParseReason::kInvalidJson: return "invalid_json";
    case FeedParseReason::kNotObject: return "not_object";
    case FeedParseReason::kMissingField: return "missing_field";
    case FeedParseReason::kWrongType: return "wrong_type";
    case FeedParseReason::kUnknownType: return "unknown_type";
    case FeedParseReason::kSchemaUnsupported: return "schema_unsupported";
    case FeedParseReason::kOddsOutOfRange: return "odds_out_of_range";
    case FeedParseReason::kBadValue: return "bad_value";
    case FeedParseReason::kLineTooLong: return "line_too_long";
  }
  return "unknown";
}

namespace {

// Every field name the protocol knows, envelope first. kOther is an unknown
// extra field: validated, then ignored.
enum class Key : uint8_t {
  kType, kProducer, kSchema, kSeq, kTs, kEventId,  // envelope
  kLeague, kMarkets, kMarketIds, kReason, kChange, kKickoff, kSubscribed, kRequestId, kMatchStatus,  // bodies
  kCertainty, kScore, kFirstHalfScore, kStartTime, kEndTime, kSupersededBy,                           // results
  kOther,
};
constexpr uint32_t bit(Key k) { return uint32_t{1} << static_cast<int>(k); }
constexpr bool is_envelope(Key k) { return k <= Key::kEventId; }
constexpr uint32_t kEnvelopeBits = bit(Key::kType) | bit(Key::kProducer) | bit(Key::kSchema) |
                                   bit(Key::kSeq) | bit(Key::kTs) | bit(Key::kEventId);

const char* key_name(Key k) {
  static constexpr const char* names[] = {"type",    "producer", "schema",     "seq",    "ts",
                                          "event_id", "league",  "markets",    "market_ids",
                                          "reason",  "change",   "kickoff",    "subscribed",
                                          "request_id", "match_status", "certainty", "score", "first_half_score",
                                          "start_time", "end_time", "superseded_by", "?"};
  return names[static_cast<int>(k)];
}

Key key_of(std::string_view k) {
  switch (k.size()) {
    case 2: return k == "ts" ? Key::kTs : Key::kOther;
    case 3: return k == "seq" ? Key::kSeq : Key::kOther;
    case 4: return k == "type" ? Key::kType : Key::kOther;
    case 5: return k == "score" ? Key::kScore : Key::kOther;
    case 9: return k == "certainty" ? Key::kCertainty : Key::kOther;
    case 13: return k == "superseded_by" ? Key::kSupersededBy : Key::kOther;
    case 16: return k == "first_half_score" ? Key::kFirstHalfScore : Key::kOther;
    case 6:
      if (k == "schema") return Key::kSchema;
      if (k == "league") return Key::kLeague;
      if (k == "reason") return Key::kReason;
      if (k == "change") return Key::kChange;
      return Key::kOther;
    case 7:
      if (k == "markets") return Key::kMarkets;
      if (k == "kickoff") return Key::kKickoff;
      return Key::kOther;
    case 8:
      if (k == "producer") return Key::kProducer;
      if (k == "event_id") return Key::kEventId;
      if (k == "end_time") return Key::kEndTime;
      return Key::kOther;
    case 10:
      if (k == "market_ids") return Key::kMarketIds;
      if (k == "subscribed") return Key::kSubscribed;
      if (k == "request_id") return Key::kRequestId;
      if (k == "start_time") return Key::kStartTime;
      return Key::kOther;
    case 12: return k == "match_status" ? Key::kMatchStatus : Key::kOther;
    default: return Key::kOther;
  }
}

constexpr size_t kMaxReasonBytes = 256;

enum class Field : uint8_t { kOk, kNotMine, kFailed };

}  // namespace

struct FeedParser::Impl : FeedFieldReader {
  explicit Impl(const std::vector<std::string>& accepted) : accepted(accepted) {}

  const std::vector<std::string>& accepted;
  sj::parser parser;
  simdjson::dom::parser dom;  // validates non-object lines only
  std::unique_ptr<char[]> buf;
  size_t cap = 0;
  size_t len = 0;

  bool accepts(std::string_view schema) const {
    for (const std::string& s : accepted)
      if (s == schema) return true;
    return false;
  }

  void load(std::string_view line) {
    const size_t need = line.size() + 2 + simdjson::SIMDJSON_PADDING;  // +2: salvage's tail
    if (need > cap) {
      cap = std::max(need, size_t{4096});
      buf = std::make_unique<char[]>(cap);
    }
    std::memcpy(buf.get(), line.data(), line.size());
    std::memset(buf.get() + line.size(), 0, 2 + simdjson::SIMDJSON_PADDING);
    len = line.size();
  }

  // ---- bodies ----

  bool read_outcome(sj::value& v, OutcomeOdds& out) {
    sj::object o;
    if (!read_object(v, "outcomes[]", o)) return false;
    bool has_sel = false, has_odds = false;
    bool ok = each_member(o, "outcomes[]", [&](std::string_view k, sj::value val) {
      if (k == "selection_id") {
        if (has_sel) return bad(k, "duplicate field");
        has_sel = true;
        return read_uint(val, k, out.selection_id, 1);
      }
      if (k == "odds") {
        if (has_odds) return bad(k, "duplicate field");
        has_odds = true;
        return read_odds(val, out.odds);
      }
      return validate(val, 1);
    });
    if (!ok) return false;
    if (!has_sel) return missing("outcomes[].selection_id");
    if (!has_odds) return missing("outcomes[].odds");
    return true;
  }

  bool read_market_odds(sj::value& v, MarketOdds& out) {
    sj::object o;
    if (!read_object(v, "markets[]", o)) return false;
    bool has_id = false, has_status = false, has_outcomes = false;
    bool ok = each_member(o, "markets[]", [&](std::string_view k, sj::value val) {
      if (k == "market_id") {
        if (has_id) return bad(k, "duplicate field");
        has_id = true;
        return read_uint(val, k, out.market_id, 1);
      }
      if (k == "status") {
        if (has_status) return bad(k, "duplicate field");
        has_status = true;
        std::string_view s;
        if (!read_string(val, k, s)) return false;
        if (!parse_market_status(s, out.status) || out.status == MarketStatus::kSettled)
          return bad(k, "must be open, suspended or closed");
        return true;
      }
      if (k == "outcomes") {
        if (has_outcomes) return bad(k, "duplicate field");
        has_outcomes = true;
        sj::array a;
        if (!read_array(val, k, a)) return false;
        out.outcomes.reserve(8);  // one allocation for any real market
        for (auto er : a) {
          sj::value e;
          if (er.get(e)) return invalid("outcomes: bad element");
          if (!read_outcome(e, out.outcomes.emplace_back())) return false;
        }
        return true;
      }
      return validate(val, 1);
    });
    if (!ok) return false;
    if (!has_id) return missing("markets[].market_id");
    if (!has_status) return missing("markets[].status");
    if (!has_outcomes) return missing("markets[].outcomes");
    return true;
  }

  // A factor in [0, 1] with at most 4 decimals, as a JSON number or a
  // string ("0.5"), scaled by 10000.
  bool read_factor(sj::value& v, std::string_view field, int32_t& out) {
    std::string_view text;
    if (v.get_string().get(text)) {
      sj::json_type t;
      if (!json_type(v, t)) return false;
      if (t == sj::json_type::string) return invalid(fmt::format("{}: bad string", field));
      if (t != sj::json_type::number) return wrong_type(field, "a number like 0.5");
      text = trim_ws(v.raw_json_token());
      if (!is_json_number(text)) return invalid(fmt::format("{}: bad number", field));
    }
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot), frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if ((whole != "0" && whole != "1") || (dot != std::string_view::npos && (frac.empty() || frac.size() > 4)) ||
        frac.find_first_not_of("0123456789") != std::string_view::npos)
      return bad(field, "must be a number from 0 to 1 with at most 4 decimals");
    int32_t f = 0;
    for (size_t i = 0; i < 4; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
    out = (whole == "1" ? 10000 : 0) + f;
    if (out > 10000) return bad(field, "must be a number from 0 to 1 with at most 4 decimals");
    return true;
  }

  bool read_settled_outcome(sj::value& v, SettledOutcome& out) {
    sj::object o;
    if (!read_object(v, "outcomes[]", o)) return false;
    bool has_sel = false, has_result = false, has_void = false, has_dh = false;
    bool ok = each_member(o, "outcomes[]", [&](std::string_view k, sj::value val) {
      if (k == "selection_id") {
        if (has_sel) return bad(k, "duplicate field");
        has_sel = true;
        return read_uint(val, k, out.selection_id, 1);
      }
      if (k == "result") {
        if (has_result) return bad(k, "duplicate field");
        has_result = true;
        std::string_view r;
        if (!read_string(val, k, r)) return false;
        if (r != "won" && r != "lost") return bad(k, "must be won or lost");
        out.won = r == "won";
        return true;
      }
      if (k == "void_factor") {
        if (has_void) return bad(k, "duplicate field");
        has_void = true;
        int32_t f = 0;
        if (!read_factor(val, k, f)) return false;
        if (f != 0 && f != 5000 && f != 10000) return bad(k, "must be 0, 0.5 or 1");
        out.void_halves = static_cast<uint8_t>(f / 5000);
        return true;
      }
      if (k == "dead_heat_factor") {
        if (has_dh) return bad(k, "duplicate field");
        has_dh = true;
        if (!read_factor(val, k, out.dead_heat)) return false;
        if (out.dead_heat == 0) return bad(k, "must be above 0");
        return true;
      }
      return validate(val, 1);
    });
    if (!ok) return false;
    if (!has_sel) return missing("outcomes[].selection_id");
    if (!has_result) return missing("outcomes[].result");
    return true;
  }

  bool read_match_status(sj::value& v, MatchStatus& out) {
    sj::object o;
    if (!read_object(v, "match_status", o)) return false;
    bool has_home = false, has_away = false, has_minute = false, has_period = false;
    auto score = [&](std::string_view k, sj::value& val, bool& has, uint32_t& into) {
      if (has) return bad(k, "duplicate field");
      has = true;
      uint64_t n;
      if (!read_uint(val, k, n, 0, 999)) return false;
      into = static_cast<uint32_t>(n);
      return true;
    };
    bool ok = each_member(o, "match_status", [&](std::string_view k, sj::value val) {
      if (k == "home_score") return score(k, val, has_home, out.home_score);
      if (k == "away_score") return score(k, val, has_away, out.away_score);
      if (k == "minute") {
        if (has_minute) return bad(k, "duplicate field");
        has_minute = true;
        uint64_t n;
        if (!read_uint(val, k, n, 0, 200)) return false;
        out.minute = static_cast<int32_t>(n);
        return true;
      }
      if (k == "period") {
        if (has_period) return bad(k, "duplicate field");
        has_period = true;
        std::string_view s;
        if (!read_string(val, k, s)) return false;
        if (!parse_match_period(s, out.period))
          return bad(k, "must be not_started, first_half, half_time, second_half or ended");
        return true;
      }
      return validate(val, 1);
    });
    if (!ok) return false;
    if (!has_home) return missing("match_status.home_score");
    if (!has_away) return missing("match_status.away_score");
    return true;
  }

  bool read_market_result(sj::value& v, MarketResult& out) {
    sj::object o;
    if (!read_object(v, "markets[]", o)) return false;
    bool has_id = false, has_outcomes = false;
    bool ok = each_member(o, "markets[]", [&](std::string_view k, sj::value val) {
      if (k == "market_id") {
        if (has_id) return bad(k, "duplicate field");
        has_id = true;
        return read_uint(val, k, out.market_id, 1);
      }
      if (k == "outcomes") {
        if (has_outcomes) return bad(k, "duplicate field");
        has_outcomes = true;
        return read_list(val, "outcomes", out.outcomes, &Impl::read_settled_outcome);
      }
      return validate(val, 1);
    });
    if (!ok) return false;
    if (!has_id) return missing("markets[].market_id");
    if (!has_outcomes) return missing("markets[].outcomes");
    return true;
  }

  bool read_score(sj::value& v, std::string_view field, std::optional<Score>& out) {
    sj::object o;
    if (!read_object(v, field, o)) return false;
    bool has_home = false, has_away = false;
    Score sc;
    bool ok = each_member(o, field, [&](std::string_view k, sj::value val) {
      if (k == "home" || k == "away") {
        bool& has = k == "home" ? has_home : has_away;
        if (has) return bad(k, "duplicate field");
        has = true;
        uint64_t g;
        if (!read_uint(val, k, g, 0, 99)) return false;
        (k == "home" ? sc.home : sc.away) = static_cast<int>(g);
        return true;
      }
      return validate(val, 1);
    });
    if (!ok) return false;
    if (!has_home) return missing(fmt::format("{}.home", field));
    if (!has_away) return missing(fmt::format("{}.away", field));
    out = sc;
    return true;
  }

  bool read_time(sj::value& v, std::string_view field, std::optional<int64_t>& out) {
    uint64_t ms;
    if (!read_uint(v, field, ms, 0, INT64_MAX)) return false;
    out = static_cast<int64_t>(ms);
    return true;
  }

  template <class Elem, class ReadFn>
  bool read_list(sj::value& v, std::string_view field, std::vector<Elem>& out, ReadFn read) {
    sj::array a;
    if (!read_array(v, field, a)) return false;
    for (auto er : a) {
      sj::value e;
      if (er.get(e)) return invalid(fmt::format("{}: bad element", field));
      if (!(this->*read)(e, out.emplace_back())) return false;
    }
    return true;
  }

  bool read_reason(sj::value& v, std::string& out) {
    std::string_view s;
    if (!read_string(v, "reason", s)) return false;
    if (s.size() > kMaxReasonBytes) return bad("reason", "longer than 256 bytes");
    out.assign(s);
    return true;
  }

  Field body_field(OddsChange& b, Key k, sj::value& v) {
    if (k == Key::kLeague) {
      std::string_view s;
      if (!read_string(v, "league", s)) return Field::kFailed;
      if (!valid_league(s)) return bad("league", "must be 1..64 printable bytes"), Field::kFailed;
      b.league.assign(s);
      return Field::kOk;
    }
    if (k == Key::kMarkets) {
      b.markets.reserve(4);
      return read_list(v, "markets", b.markets, &Impl::read_market_odds) ? Field::kOk
                                                                         : Field::kFailed;
    }
    if (k == Key::kMatchStatus)
      return read_match_status(v, b.match_status.emplace()) ? Field::kOk : Field::kFailed;
    return Field::kNotMine;
  }
  Field body_field(BetStop& b, Key k, sj::value& v) {
    if (k == Key::kMarketIds)
      return read_ids(v, "market_ids", b.market_ids) ? Field::kOk : Field::kFailed;
    if (k == Key::kReason) return read_reason(v, b.reason) ? Field::kOk : Field::kFailed;
    return Field::kNotMine;
  }
  Field body_field(FixtureChange& b, Key k, sj::value& v) {
    if (k == Key::kChange) {
      std::string_view s;
      if (!read_string(v, "change", s)) return Field::kFailed;
      if (!parse_fixture_change(s, b.change))
        return bad("change", "must be kickoff_moved, started, ended or cancelled"), Field::kFailed;
      return Field::kOk;
    }
    if (k == Key::kKickoff) {
      uint64_t ms;
      if (!read_uint(v, "kickoff", ms, 0, INT64_MAX)) return Field::kFailed;
      b.kickoff_ms = static_cast<int64_t>(ms);
      return Field::kOk;
    }
    return Field::kNotMine;
  }
  Field body_field(Alive& b, Key k, sj::value& v) {
    if (k == Key::kSubscribed) return read_bool(v, "subscribed", b.subscribed) ? Field::kOk : Field::kFailed;
    return Field::kNotMine;
  }
  static Field done(bool ok) { return ok ? Field::kOk : Field::kFailed; }
  Field body_field(BetSettlement& b, Key k, sj::value& v) {
    if (k == Key::kMarkets) return done(read_list(v, "markets", b.markets, &Impl::read_market_result));
    if (k == Key::kCertainty) {
      std::string_view s;
      if (!read_string(v, "certainty", s)) return Field::kFailed;
      if (!parse_certainty(s, b.certainty)) return bad("certainty", "must be live or confirmed"), Field::kFailed;
      return Field::kOk;
    }
    if (k == Key::kScore) return done(read_score(v, "score", b.score));
    if (k == Key::kFirstHalfScore) return done(read_score(v, "first_half_score", b.first_half_score));
    return Field::kNotMine;
  }
  Field body_field(BetCancel& b, Key k, sj::value& v) {
    if (k == Key::kMarketIds) return done(read_ids(v, "market_ids", b.market_ids));
    if (k == Key::kReason) return done(read_reason(v, b.reason));
    if (k == Key::kStartTime) return done(read_time(v, "start_time", b.start_ms));
    if (k == Key::kEndTime) return done(read_time(v, "end_time", b.end_ms));
    if (k == Key::kSupersededBy) {
      std::string_view s;
      if (!read_string(v, "superseded_by", s)) return Field::kFailed;
      if (s.size() > kMaxReasonBytes) return bad("superseded_by", "longer than 256 bytes"), Field::kFailed;
      b.superseded_by.assign(s);
      return Field::kOk;
    }
    return Field::kNotMine;
  }
  Field body_field(RollbackBetSettlement& b, Key k, sj::value& v) {
    if (k == Key::kMarketIds) return done(read_ids(v, "market_ids", b.market_ids));
    return Field::kNotMine;
  }
  Field body_field(RollbackBetCancel& b, Key k, sj::value& v) {
    if (k == Key::kMarketIds) return done(read_ids(v, "market_ids", b.market_ids));
    if (k == Key::kStartTime) return done(read_time(v, "start_time", b.start_ms));
    if (k == Key::kEndTime) return done(read_time(v, "end_time", b.end_ms));
    return Field::kNotMine;
  }
  Field body_field(SnapshotComplete& b, Key k, sj::value& v) {
    if (k == Key::kRequestId)
      return read_uint(v, "request_id", b.request_id) ? Field::kOk : Field::kFailed;
    return Field::kNotMine;
  }

  // A body key of the message's type is read; a body key of another type is
  // an unknown extra field for this one.
  bool body_key(FeedMessage& m, Key k, sj::value& v) {
    Field f = std::visit([&](auto& b) { return body_field(b, k, v); }, m.body);
    if (f == Field::kNotMine) return validate(v, 0);
    return f == Field::kOk;
  }

  bool required_body(const FeedMessage& m, uint32_t seen) {
    auto need = [&](Key k) { return (seen & bit(k)) ? true : missing(key_name(k)); };
    switch (m.env.type) {
      case FeedMessageType::kOddsChange: return need(Key::kLeague) && need(Key::kMarkets);
      case FeedMessageType::kFixtureChange: return need(Key::kChange);
      case FeedMessageType::kAlive: return need(Key::kSubscribed);
      case FeedMessageType::kBetSettlement: return need(Key::kCertainty) && need(Key::kMarkets);
      case FeedMessageType::kSnapshotComplete: return need(Key::kRequestId);
      case FeedMessageType::kBetStop:
      case FeedMessageType::kBetCancel:
      case FeedMessageType::kRollbackBetSettlement:
      case FeedMessageType::kRollbackBetCancel: return true;
    }
    return true;
  }

  bool envelope_field(FeedMessage& m, Key k, sj::value& v) {
    Envelope& e = m.env;
    std::string_view s;
    switch (k) {
      case Key::kType:
        if (!read_string(v, "type", s)) return false;
        if (!parse_feed_message_type(s, e.type))
          return fail(FeedParseReason::kUnknownType,
                      fmt::format("type: unknown message type \"{}\"", s.substr(0, 32)));
        emplace_body(m);
        return true;
      case Key::kProducer:
        if (!read_string(v, "producer", s)) return false;
        if (!valid_producer(s)) return bad("producer", "must match [A-Za-z0-9_.-]{1,64}");
        e.producer.assign(s);
        return true;
      case Key::kSchema:
        if (!read_string(v, "schema", s)) return false;
        if (!accepts(s))
          return fail(FeedParseReason::kSchemaUnsupported,
                      fmt::format("schema: version \"{}\" is not accepted", s.substr(0, 32)));
        e.schema.assign(s);
        return true;
      case Key::kSeq: return read_uint(v, "seq", e.seq, 1);
      case Key::kTs: {
        uint64_t ts;
        if (!read_uint(v, "ts", ts, 0, INT64_MAX)) return false;
        e.ts_ms = static_cast<int64_t>(ts);
        return true;
      }
      case Key::kEventId: return read_uint(v, "event_id", e.event_id);
      default: return invalid("not an envelope field");
    }
  }

  static void emplace_body(FeedMessage& m) {
    switch (m.env.type) {
      case FeedMessageType::kOddsChange: m.body.emplace<OddsChange>(); break;
      case FeedMessageType::kBetStop: m.body.emplace<BetStop>(); break;
      case FeedMessageType::kFixtureChange: m.body.emplace<FixtureChange>(); break;
      case FeedMessageType::kAlive: m.body.emplace<Alive>(); break;
      case FeedMessageType::kBetSettlement: m.body.emplace<BetSettlement>(); break;
      case FeedMessageType::kBetCancel: m.body.emplace<BetCancel>(); break;
      case FeedMessageType::kSnapshotComplete: m.body.emplace<SnapshotComplete>(); break;
      case FeedMessageType::kRollbackBetSettlement: m.body.emplace<RollbackBetSettlement>(); break;
      case FeedMessageType::kRollbackBetCancel: m.body.emplace<RollbackBetCancel>(); break;
    }
  }

  bool top_object(sj::document& doc, sj::object& obj) {
    if (parser.iterate(buf.get(), len, cap).get(doc)) return invalid("cannot tokenize");
    sj::json_type t;
    if (doc.type().get(t)) return invalid("no value");
    if (t != sj::json_type::object) {
      if (!valid_json()) return invalid("not JSON");
      return fail(FeedParseReason::kNotObject, "not a JSON object");
    }
    if (doc.get_object().get(obj)) return invalid("bad object");
    return true;
  }

  // One pass over the top-level object. Body fields that come before
  // "type" are skipped and read by a second pass (the encoder writes type
  // first, so that pass is for foreign producers only).
  bool parse_message(FeedMessage& m) {
    sj::document doc;
    sj::object obj;
    if (!top_object(doc, obj)) return false;
    uint32_t seen = 0, deferred = 0;
    bool ok = each_member(obj, "message", [&](std::string_view key, sj::value v) {
      const Key k = key_of(key);
      if (k == Key::kOther) return validate(v, 0);
      if (seen & bit(k)) return bad(key, "duplicate field");
      seen |= bit(k);
      if (is_envelope(k)) return envelope_field(m, k, v);
      if (!(seen & bit(Key::kType))) {
        deferred |= bit(k);
        return true;
      }
      return body_key(m, k, v);
    });
    if (!ok) return false;
    // Only whitespace may follow the object ({..}{..}, {..}], {..} x ...).
    const char* rest = nullptr;
    if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS)
      return invalid("content after the object");
    for (Key k : {Key::kType, Key::kProducer, Key::kSchema, Key::kSeq, Key::kTs, Key::kEventId})
      if (!(seen & bit(k))) return missing(key_name(k));
    if (deferred && !second_pass(doc, m, deferred)) return false;
    return required_body(m, seen);
  }

  bool second_pass(sj::document& doc, FeedMessage& m, uint32_t deferred) {
    doc.rewind();
    sj::object obj;
    if (doc.get_object().get(obj)) return invalid("bad object");
    return each_member(obj, "message", [&](std::string_view key, sj::value v) {
      const Key k = key_of(key);
      if (!(deferred & bit(k))) return true;  // read in pass one
      return body_key(m, k, v);
    });
  }

  // Error path only: is the whole line valid JSON? The DOM parser checks
  // everything, but reports numbers it cannot hold (1e400, 2^64) and
  // malformed ones alike as number errors: both count as valid here (the
  // line is refused either way; only the reason is at stake).
  bool valid_json() {
    auto err = dom.parse(buf.get(), len, false).error();
    return !err || err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE;
  }

  // After a failure: read producer, schema and league once more, tolerantly,
  // for the error's labels. A readable, unaccepted schema wins over the
  // original reason (skew must reach the canary, whatever else is broken).
  // A '}' is appended first: on-demand refuses a root object whose last
  // token is not '}', and a truncated line still names its producer. The
  // members are read only up to the first broken one. A line cut inside a
  // string gets '"}' instead.
  bool salvage_doc(sj::document& doc, sj::object& obj) {
    for (std::string_view tail : {"}", "\"}"}) {
      if (len + tail.size() + simdjson::SIMDJSON_PADDING > cap) return false;
      std::memcpy(buf.get() + len, tail.data(), tail.size());
      if (!parser.iterate(buf.get(), len + tail.size(), cap).get(doc) && !doc.get_object().get(obj))
        return true;
    }
    return false;
  }

  void salvage(ParseError& e) {
    sj::document doc;
    sj::object obj;
    if (!salvage_doc(doc, obj)) return;
    bool have_schema = false, have_producer = false, have_league = false, have_seq = false;
    std::string_view unaccepted;
    bool schema_unaccepted = false;
    for (auto fr : obj) {
      sj::field f;
      std::string_view key;
      if (std::move(fr).get(f) || f.unescaped_key().get(key)) break;
      const Key k = key_of(key);
      if (k == Key::kSeq && !have_seq) {
        have_seq = true;
        uint64_t v = 0;
        if (!f.value().get_uint64().get(v) && v >= 1) e.seq = v;
        continue;
      }
      if (k != Key::kProducer && k != Key::kSchema && k != Key::kLeague) continue;
      std::string_view s;
      auto err = f.value().get_string().get(s);
      if (err == simdjson::INCORRECT_TYPE) continue;
      if (err) break;
      if (k == Key::kProducer && !have_producer) {
        have_producer = true;
        if (valid_producer(s)) e.producer.assign(s);
      } else if (k == Key::kSchema && !have_schema) {
        have_schema = true;
        if (valid_schema_label(s)) e.schema.assign(s);
        if (!accepts(s)) schema_unaccepted = true, unaccepted = s;
      } else if (k == Key::kLeague && !have_league) {
        have_league = true;
        if (valid_league(s)) e.league.assign(s);
      }
      if (have_producer && have_schema && have_league && have_seq) break;
    }
    if (schema_unaccepted && e.reason != FeedParseReason::kSchemaUnsupported) {
      e.detail = fmt::format("schema: version \"{}\" is not accepted (also: {}: {})",
                             unaccepted.substr(0, 32), feed_parse_reason_name(e.reason), e.detail);
      e.reason = FeedParseReason::kSchemaUnsupported;
    }
  }
};

FeedParser::FeedParser(std::vector<std::string> accepted_schemas)
    : accepted_(std::move(accepted_schemas)), impl_(std::make_unique<Impl>(accepted_)) {}

FeedParser::~FeedParser() = default;

ParseResult FeedParser::parse(std::string_view line) {
  if (line.size() > kMaxFeedLineBytes)
    return ParseError{FeedParseReason::kLineTooLong,
                      fmt::format("line of {} bytes exceeds {}", line.size(), kMaxFeedLineBytes),
                      {}, {}, {}};
  Impl& im = *impl_;
  im.load(line);
  FeedMessage m;
  if (im.parse_message(m)) return m;
  ParseError e{im.reason, std::move(im.detail), {}, {}, {}};
  // A broken line is invalid_json whatever field the reader stopped at
  // (on-demand reads lazily: {"markets":{"a":[...] fails as a wrong type
  // before the broken structure is reached).
  if (e.reason != FeedParseReason::kInvalidJson && e.reason != FeedParseReason::kNotObject &&
      e.reason != FeedParseReason::kSchemaUnsupported && !im.valid_json()) {
    e.detail = fmt::format("invalid JSON (first seen: {}: {})", feed_parse_reason_name(e.reason), e.detail);
    e.reason = FeedParseReason::kInvalidJson;
  }
  im.salvage(e);
  return e;
}

}  // namespace inplay
