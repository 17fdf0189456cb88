// Each kind of malformed line gives its own stable reason (the label of
// feed_parse_errors_total) and never a message.
#include <gtest/gtest.h>

#include <string>

#include "feed/feed_parser.h"

namespace inplay {
namespace {

const std::string kBase =
    R"({"type":"odds_change","producer":"sim-primary","schema":"1.0","seq":42,"ts":1764270000123,)"
    R"("event_id":1,"league":"EPL","markets":[{"market_id":101,"status":"open","outcomes":[)"
    R"({"selection_id":1011,"odds":"2.10"},{"selection_id":1012,"odds":"3.40"}]}]})";

// kBase with the first occurrence of `from` replaced by `to`.
std::string with(std::string_view from, std::string_view to) {
  std::string s = kBase;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string alive(std::string_view tail) {
  return std::string(R"({"type":"alive","producer":"p1","schema":"1.0","seq":1,"ts":5,"event_id":0)") +
         std::string(tail) + "}";
}

struct Case {
  const char* name;
  std::string line;
  FeedParseReason reason;
};

using R = FeedParseReason;

std::vector<Case> cases() {
  return {
      // odds
      {"odds NaN string", with(R"("2.10")", R"("NaN")"), R::kOddsOutOfRange},
      {"odds nan lowercase", with(R"("2.10")", R"("nan")"), R::kOddsOutOfRange},
      {"odds Infinity string", with(R"("2.10")", R"("Infinity")"), R::kOddsOutOfRange},
      {"odds -inf string", with(R"("2.10")", R"("-inf")"), R::kOddsOutOfRange},
      {"odds NaN literal", with(R"("2.10")", "NaN"), R::kInvalidJson},
      {"odds Infinity literal", with(R"("2.10")", "Infinity"), R::kInvalidJson},
      {"odds 1e400 number", with(R"("2.10")", "1e400"), R::kOddsOutOfRange},
      {"odds 1e400 string", with(R"("2.10")", R"("1e400")"), R::kOddsOutOfRange},
      {"odds too many decimals", with(R"("2.10")", R"("2.12345")"), R::kBadValue},
      {"odds number too many decimals", with(R"("2.10")", "2.12345"), R::kBadValue},
      {"odds negative", with(R"("2.10")", R"("-2.10")"), R::kOddsOutOfRange},
      {"odds negative number", with(R"("2.10")", "-2.1"), R::kOddsOutOfRange},
      {"odds below 1.01", with(R"("2.10")", R"("1.00")"), R::kOddsOutOfRange},
      {"odds zero", with(R"("2.10")", "0"), R::kOddsOutOfRange},
      {"odds above 1000", with(R"("2.10")", R"("1000.01")"), R::kOddsOutOfRange},
      {"odds huge", with(R"("2.10")", R"("99999999999999999999")"), R::kOddsOutOfRange},
      {"odds exponent in range", with(R"("2.10")", "2e0"), R::kBadValue},
      {"odds text", with(R"("2.10")", R"("abc")"), R::kBadValue},
      {"odds empty", with(R"("2.10")", R"("")"), R::kBadValue},
      {"odds with space", with(R"("2.10")", R"(" 2.10")"), R::kBadValue},
      {"odds bool", with(R"("2.10")", "true"), R::kWrongType},
      {"odds null", with(R"("2.10")", "null"), R::kWrongType},
      {"odds missing", with(R"(,"odds":"2.10")", ""), R::kMissingField},
      {"odds bad number token", with(R"("2.10")", "2.1.0"), R::kInvalidJson},
      // seq, ts, event_id
      {"seq negative", with(R"("seq":42)", R"("seq":-1)"), R::kBadValue},
      {"seq zero", with(R"("seq":42)", R"("seq":0)"), R::kBadValue},
      {"seq string", with(R"("seq":42)", R"("seq":"5")"), R::kWrongType},
      {"seq fraction", with(R"("seq":42)", R"("seq":5.5)"), R::kWrongType},
      {"seq exponent", with(R"("seq":42)", R"("seq":1e3)"), R::kWrongType},
      {"seq over 2^64", with(R"("seq":42)", R"("seq":18446744073709551616)"), R::kBadValue},
      {"seq leading zero", with(R"("seq":42)", R"("seq":042)"), R::kInvalidJson},
      {"seq missing", with(R"("seq":42,)", ""), R::kMissingField},
      {"seq duplicate", with(R"("seq":42,)", R"("seq":42,"seq":43,)"), R::kBadValue},
      {"ts negative", with(R"("ts":1764270000123)", R"("ts":-5)"), R::kBadValue},
      {"ts over int64", with(R"("ts":1764270000123)", R"("ts":9223372036854775808)"), R::kBadValue},
      {"event_id string", with(R"("event_id":1)", R"("event_id":"1")"), R::kWrongType},
      // producer
      {"producer missing", with(R"("producer":"sim-primary",)", ""), R::kMissingField},
      {"producer bad chars", with(R"("sim-primary")", R"("sim primary!")"), R::kBadValue},
      {"producer empty", with(R"("sim-primary")", R"("")"), R::kBadValue},
      {"producer too long", with(R"("sim-primary")", "\"" + std::string(65, 'p') + "\""), R::kBadValue},
      {"producer number", with(R"("sim-primary")", "7"), R::kWrongType},
      {"producer bad escape", with(R"("sim-primary")", R"("sim\q")"), R::kInvalidJson},
      {"producer duplicate", with(R"("producer":"sim-primary",)", R"("producer":"a","producer":"b",)"), R::kBadValue},
      // type
      {"type unknown", with(R"("odds_change")", R"("odds_changed")"), R::kUnknownType},
      {"type empty", with(R"("odds_change")", R"("")"), R::kUnknownType},
      {"type number", with(R"("odds_change")", "1"), R::kWrongType},
      {"type missing", with(R"("type":"odds_change",)", ""), R::kMissingField},
      {"recovery_request is not a provider message", R"({"type":"recovery_request","request_id":7})", R::kUnknownType},
      // schema
      {"schema 2.0", with(R"("1.0")", R"("2.0")"), R::kSchemaUnsupported},
      {"schema missing", with(R"("schema":"1.0",)", ""), R::kMissingField},
      {"schema number", with(R"("1.0")", "1.0"), R::kWrongType},
      // body
      {"league missing", with(R"("league":"EPL",)", ""), R::kMissingField},
      {"league number", with(R"("EPL")", "3"), R::kWrongType},
      {"league control char", with(R"("EPL")", R"("E\nPL")"), R::kBadValue},
      {"markets missing", with(R"(,"markets":[{"market_id":101,"status":"open","outcomes":[{"selection_id":1011,"odds":"2.10"},{"selection_id":1012,"odds":"3.40"}]}])", ""), R::kMissingField},
      {"markets object", with(R"("markets":[)", R"("markets":{"a":[)"), R::kInvalidJson},
      {"markets not array", with(R"("markets":[{"market_id":101,"status":"open","outcomes":[{"selection_id":1011,"odds":"2.10"},{"selection_id":1012,"odds":"3.40"}]}])", R"("markets":5)"), R::kWrongType},
      {"market not object", with(R"("markets":[{)", R"("markets":[7,{)"), R::kWrongType},
      {"market_id zero", with(R"("market_id":101)", R"("market_id":0)"), R::kBadValue},
      {"market_id missing", with(R"("market_id":101,)", ""), R::kMissingField},
      {"status unknown", with(R"("status":"open")", R"("status":"live")"), R::kBadValue},
      {"status settled", with(R"("status":"open")", R"("status":"settled")"), R::kBadValue},
      {"status missing", with(R"("status":"open",)", ""), R::kMissingField},
      {"outcomes missing", with(R"(,"outcomes":[{"selection_id":1011,"odds":"2.10"},{"selection_id":1012,"odds":"3.40"}])", ""), R::kMissingField},
      {"selection_id missing", with(R"("selection_id":1011,)", ""), R::kMissingField},
      {"selection_id string", with(R"("selection_id":1011)", R"("selection_id":"1011")"), R::kWrongType},
      {"outcome duplicate odds", with(R"("odds":"2.10")", R"("odds":"2.10","odds":"2.20")"), R::kBadValue},
      {"subscribed string", alive(R"(,"subscribed":"yes")"), R::kWrongType},
      {"subscribed missing", alive(""), R::kMissingField},
      {"subscribed bad literal", alive(R"(,"subscribed":tru)"), R::kInvalidJson},
      {"change unknown", R"({"type":"fixture_change","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"change":"paused"})", R::kBadValue},
      {"kickoff string", R"({"type":"fixture_change","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"change":"started","kickoff":"soon"})", R::kWrongType},
      {"request_id missing", R"({"type":"snapshot_complete","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":0})", R::kMissingField},
      {"market_ids with zero", R"({"type":"bet_stop","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"market_ids":[1,0]})", R::kBadValue},
      {"market_ids string element", R"({"type":"bet_cancel","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"market_ids":["1"]})", R::kWrongType},
      {"reason too long", R"({"type":"bet_stop","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"reason":")" + std::string(300, 'r') + "\"}", R::kBadValue},
      {"settlement certainty missing", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"markets":[]})", R::kMissingField},
      {"settlement certainty unknown", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"sure","markets":[]})", R::kBadValue},
      {"settlement old shape", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"winning_selection_ids":[2]}]})", R::kMissingField},
      {"outcome result missing", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"outcomes":[{"selection_id":2}]}]})", R::kMissingField},
      {"outcome result unknown", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"outcomes":[{"selection_id":2,"result":"void"}]}]})", R::kBadValue},
      {"void factor 0.25", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"outcomes":[{"selection_id":2,"result":"won","void_factor":0.25}]}]})", R::kBadValue},
      {"void factor above 1", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"outcomes":[{"selection_id":2,"result":"won","void_factor":2}]}]})", R::kBadValue},
      {"void factor bool", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"outcomes":[{"selection_id":2,"result":"won","void_factor":true}]}]})", R::kWrongType},
      {"dead heat zero", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"outcomes":[{"selection_id":2,"result":"won","dead_heat_factor":"0"}]}]})", R::kBadValue},
      {"dead heat five decimals", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","markets":[{"market_id":1,"outcomes":[{"selection_id":2,"result":"won","dead_heat_factor":"0.33333"}]}]})", R::kBadValue},
      {"score goals negative", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","score":{"home":-1,"away":0},"markets":[]})", R::kBadValue},
      {"score away missing", R"({"type":"bet_settlement","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"certainty":"live","score":{"home":1},"markets":[]})", R::kMissingField},
      {"cancel start string", R"({"type":"bet_cancel","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"start_time":"now"})", R::kWrongType},
      {"rollback cancel end negative", R"({"type":"rollback_bet_cancel","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"end_time":-5})", R::kBadValue},
      // unknown extra fields must still be valid JSON
      {"unknown field bad literal", with(R"("league")", R"("x":tru,"league")"), R::kInvalidJson},
      {"unknown field bad number", with(R"("league")", R"("x":01,"league")"), R::kInvalidJson},
      {"unknown field unclosed", with(R"("league")", R"("x":[1,},"league")"), R::kInvalidJson},
      {"unknown field in outcome", with(R"("odds":"2.10")", R"("odds":"2.10","y":nul)"), R::kInvalidJson},
      // whole line
      {"trailing garbage", kBase + "x", R::kInvalidJson},
      {"trailing object", kBase + "{}", R::kInvalidJson},
      {"trailing brace", kBase + "}", R::kInvalidJson},
      {"trailing comma", kBase + ",", R::kInvalidJson},
      {"two messages", kBase + kBase, R::kInvalidJson},
      {"truncated half", kBase.substr(0, kBase.size() / 2), R::kInvalidJson},
      {"truncated last brace", kBase.substr(0, kBase.size() - 1), R::kInvalidJson},
      {"just an open brace", "{", R::kInvalidJson},
      {"empty line", "", R::kInvalidJson},
      {"whitespace line", "   ", R::kInvalidJson},
      {"not json", "hello", R::kInvalidJson},
      {"array", "[1,2]", R::kNotObject},
      {"string", R"("odds_change")", R::kNotObject},
      {"number", "42", R::kNotObject},
      {"null", "null", R::kNotObject},
      {"array then garbage", "[1,2]x", R::kInvalidJson},
      {"invalid utf-8", with("EPL", "EP\xff"), R::kInvalidJson},
      {"nul byte", with("EPL", std::string("E\0L", 3)), R::kInvalidJson},
      {"line over 1 MiB", with("EPL", std::string(kMaxFeedLineBytes, 'L')), R::kLineTooLong},
  };
}

TEST(FeedParseErrors, EachMalformedKindHasItsReason) {
  FeedParser p({"1.0"});
  auto all = cases();
  EXPECT_GE(all.size(), 30u);
  for (const Case& c : all) {
    ParseResult r = p.parse(c.line);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(feed_parse_reason_name(r.error().reason), std::string(feed_parse_reason_name(c.reason)))
        << c.name << ": " << r.error().detail;
    EXPECT_FALSE(r.error().detail.empty()) << c.name;
  }
  // The base line itself is fine.
  EXPECT_TRUE(p.parse(kBase).ok());
}

TEST(FeedParseErrors, NumericOddsAcceptedWhenWellFormed) {
  FeedParser p({"1.0"});
  for (const char* odds : {"2.1", "2.10", "1.01", "1000", "3.3333", "\"1000.0000\""}) {
    ParseResult r = p.parse(with(R"("2.10")", odds));
    ASSERT_TRUE(r.ok()) << odds << ": " << r.error().detail;
  }
}

// The schema canary needs producer, league and version even though the
// line is refused -- also when the new version renamed fields or when the
// fields come in another order.
TEST(FeedParseErrors, SchemaSkewStillNamesProducerLeagueAndVersion) {
  FeedParser p({"1.0"});
  for (const std::string& line : std::vector<std::string>{
        with(R"("1.0")", R"("2.0")"),
        std::string(with(R"("schema":"1.0",)", "")).insert(1, R"("schema":"2.0",)"),
        // 2.0 renamed markets -> mkts and seq -> sequence: still skew, not noise
        R"({"type":"odds_change","producer":"sim-primary","schema":"2.0","sequence":42,"ts":1,"event_id":1,"mkts":[],"league":"EPL"})",
        // league before the schema, schema last
        R"({"league":"EPL","type":"odds_change","producer":"sim-primary","seq":1,"ts":1,"event_id":1,"markets":[],"schema":"2.0"})",
        // broken after the schema: still reported as skew
        R"({"type":"odds_change","producer":"sim-primary","schema":"2.0","league":"EPL","seq":"x",)"}) {
    ParseResult r = p.parse(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.error().reason, FeedParseReason::kSchemaUnsupported) << line << " " << r.error().detail;
    EXPECT_EQ(r.error().producer, "sim-primary") << line;
    EXPECT_EQ(r.error().league, "EPL") << line;
    EXPECT_EQ(r.error().schema, "2.0") << line;
  }
}

// A refused line's seq is read when it is an integer >= 1, so the desk can
// keep the sequence (no false gap, no snapshot storm under a schema skew).
TEST(FeedParseErrors, TheSeqOfARefusedLineIsReadWhenPossible) {
  FeedParser p({"1.0"});
  ParseResult r = p.parse(with(R"("1.0")", R"("2.0")"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().seq, 42u);
  r = p.parse(R"({"seq":7,"type":"odds_change","producer":"sim-primary","schema":"2.0","league":"EPL"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().seq, 7u);
  for (const char* bad : {R"("seq":"5")", R"("seq":0)", R"("seq":-3)", R"("seq":1.5)"}) {
    r = p.parse(with(R"("seq":42)", bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().seq, 0u) << bad;
  }
  r = p.parse("not json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().seq, 0u);
}

TEST(FeedParseErrors, OtherErrorsStillNameTheProducerWhenReadable) {
  FeedParser p({"1.0"});
  ParseResult r = p.parse(with(R"("seq":42)", R"("seq":"5")"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, FeedParseReason::kWrongType);
  EXPECT_EQ(r.error().producer, "sim-primary");
  EXPECT_EQ(r.error().league, "EPL");
  EXPECT_EQ(r.error().schema, "1.0");
  EXPECT_NE(r.error().detail.find("seq"), std::string::npos) << r.error().detail;

  r = p.parse(kBase.substr(0, kBase.size() / 2));  // truncated after the producer
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, FeedParseReason::kInvalidJson);
  EXPECT_EQ(r.error().producer, "sim-primary");

  // A producer that is not a valid label value is never echoed.
  r = p.parse(with(R"("sim-primary")", R"("bad producer {x}")"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().producer, "");
}

}  // namespace
}  // namespace inplay
