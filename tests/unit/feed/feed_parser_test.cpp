#include "feed/feed_parser.h"
#include "feed/recovery_request.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace inplay {
namespace {

// The documented examples, copied from docs/feed-protocol.md (the doc
// wraps them over lines; JSON whitespace, so they parse as they stand).
const char* kOddsChange =
    R"({"type":"odds_change","producer":"sim-primary","schema":"1.0","seq":42,"ts":1764270000123,
 "event_id":1,"league":"EPL","markets":[
   {"market_id":101,"status":"open","outcomes":[
      {"selection_id":1011,"odds":"2.10"},{"selection_id":1012,"odds":"3.40"},{"selection_id":1013,"odds":"3.60"}]}]})";
const char* kBetStop = R"({"type":"bet_stop","producer":"sim-primary","schema":"1.0","seq":43,"ts":1764270000200,
 "event_id":1,"market_ids":[101,102],"reason":"goal"})";
const char* kFixtureChange =
    R"({"type":"fixture_change","producer":"sim-primary","schema":"1.0","seq":44,"ts":1764270000300,
 "event_id":1,"change":"started","kickoff":1764269100000})";
const char* kAlive = R"({"type":"alive","producer":"sim-primary","schema":"1.0","seq":45,"ts":1764270001000,
 "event_id":0,"subscribed":true})";
const char* kBetSettlement =
    R"({"type":"bet_settlement","producer":"sim-primary","schema":"1.0","seq":46,"ts":1764275400000,
 "event_id":1,"certainty":"confirmed","score":{"home":2,"away":1},"markets":[{"market_id":101,"outcomes":[
   {"selection_id":1011,"result":"won"},{"selection_id":1012,"result":"lost"},{"selection_id":1013,"result":"lost"}]},
   {"market_id":102,"outcomes":[{"selection_id":1021,"result":"won","void_factor":0.5},
   {"selection_id":1022,"result":"lost","void_factor":"0.5","dead_heat_factor":"1"}]}]})";
const char* kBetCancel = R"({"type":"bet_cancel","producer":"sim-primary","schema":"1.0","seq":47,"ts":1764275400100,
 "event_id":1,"market_ids":[101],"reason":"match abandoned","start_time":1764270000000,"end_time":1764270060000,
 "superseded_by":"event:12"})";
const char* kSnapshotComplete =
    R"({"type":"snapshot_complete","producer":"sim-primary","schema":"1.0","seq":48,"ts":1764270002000,
 "event_id":0,"request_id":7})";

FeedMessage parse_ok(FeedParser& p, std::string_view line) {
  ParseResult r = p.parse(line);
  EXPECT_TRUE(r.ok()) << line << "\n -> "
                      << (r.ok() ? "" : feed_parse_reason_name(r.error().reason)) << ": "
                      << (r.ok() ? "" : r.error().detail);
  return r.ok() ? r.message() : FeedMessage{};
}

void expect_envelope(const FeedMessage& m, FeedMessageType t, uint64_t seq, int64_t ts,
                     uint64_t event_id) {
  EXPECT_EQ(m.env.type, t);
  EXPECT_EQ(feed_body_type(m.body), t);
  EXPECT_EQ(m.env.producer, "sim-primary");
  EXPECT_EQ(m.env.schema, "1.0");
  EXPECT_EQ(m.env.seq, seq);
  EXPECT_EQ(m.env.ts_ms, ts);
  EXPECT_EQ(m.env.event_id, event_id);
}

TEST(FeedParser, OddsChangeExample) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, kOddsChange);
  expect_envelope(m, FeedMessageType::kOddsChange, 42, 1764270000123, 1);
  const auto& b = std::get<OddsChange>(m.body);
  EXPECT_EQ(b.league, "EPL");
  ASSERT_EQ(b.markets.size(), 1u);
  EXPECT_EQ(b.markets[0].market_id, 101u);
  EXPECT_EQ(b.markets[0].status, MarketStatus::kOpen);
  ASSERT_EQ(b.markets[0].outcomes.size(), 3u);
  EXPECT_EQ(b.markets[0].outcomes[0], (OutcomeOdds{1011, Odds{21000}}));
  EXPECT_EQ(b.markets[0].outcomes[1], (OutcomeOdds{1012, Odds{34000}}));
  EXPECT_EQ(b.markets[0].outcomes[2], (OutcomeOdds{1013, Odds{36000}}));
}

TEST(FeedParser, BetStopExample) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, kBetStop);
  expect_envelope(m, FeedMessageType::kBetStop, 43, 1764270000200, 1);
  const auto& b = std::get<BetStop>(m.body);
  EXPECT_EQ(b.market_ids, (std::vector<uint64_t>{101, 102}));
  EXPECT_EQ(b.reason, "goal");
}

TEST(FeedParser, BetStopWithoutMarketsMeansAll) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, R"({"type":"bet_stop","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":9})");
  EXPECT_TRUE(std::get<BetStop>(m.body).market_ids.empty());
  EXPECT_TRUE(std::get<BetStop>(m.body).reason.empty());
}

TEST(FeedParser, FixtureChangeExample) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, kFixtureChange);
  expect_envelope(m, FeedMessageType::kFixtureChange, 44, 1764270000300, 1);
  const auto& b = std::get<FixtureChange>(m.body);
  EXPECT_EQ(b.change, FixtureChangeKind::kStarted);
  EXPECT_EQ(b.kickoff_ms, std::optional<int64_t>(1764269100000));
}

TEST(FeedParser, AliveExample) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, kAlive);
  expect_envelope(m, FeedMessageType::kAlive, 45, 1764270001000, 0);
  EXPECT_TRUE(std::get<Alive>(m.body).subscribed);
  m = parse_ok(p, R"({"type":"alive","producer":"p","schema":"1.0","seq":2,"ts":1,"event_id":0,"subscribed":false})");
  EXPECT_FALSE(std::get<Alive>(m.body).subscribed);
}

TEST(FeedParser, BetSettlementExample) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, kBetSettlement);
  expect_envelope(m, FeedMessageType::kBetSettlement, 46, 1764275400000, 1);
  const auto& b = std::get<BetSettlement>(m.body);
  EXPECT_EQ(b.certainty, Certainty::kConfirmed);
  EXPECT_EQ(b.score, (Score{2, 1}));
  EXPECT_EQ(b.first_half_score, std::nullopt);
  ASSERT_EQ(b.markets.size(), 2u);
  EXPECT_EQ(b.markets[0].market_id, 101u);
  EXPECT_EQ(b.markets[0].outcomes,
            (std::vector<SettledOutcome>{{1011, true, 0, 10000}, {1012, false, 0, 10000}, {1013, false, 0, 10000}}));
  EXPECT_EQ(b.markets[1].outcomes, (std::vector<SettledOutcome>{{1021, true, 1, 10000}, {1022, false, 1, 10000}}));
}

TEST(FeedParser, BetCancelExample) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, kBetCancel);
  expect_envelope(m, FeedMessageType::kBetCancel, 47, 1764275400100, 1);
  const auto& b = std::get<BetCancel>(m.body);
  EXPECT_EQ(b.market_ids, (std::vector<uint64_t>{101}));
  EXPECT_EQ(b.reason, "match abandoned");
  EXPECT_EQ(b.start_ms, 1764270000000);
  EXPECT_EQ(b.end_ms, 1764270060000);
  EXPECT_EQ(b.superseded_by, "event:12");
}

TEST(FeedParser, RollbacksExamples) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, R"({"type":"rollback_bet_settlement","producer":"sim-primary","schema":"1.0","seq":49,)"
                              R"("ts":1764275500000,"event_id":1,"market_ids":[101]})");
  EXPECT_EQ(std::get<RollbackBetSettlement>(m.body).market_ids, (std::vector<uint64_t>{101}));
  m = parse_ok(p, R"({"type":"rollback_bet_cancel","producer":"sim-primary","schema":"1.0","seq":50,)"
                  R"("ts":1764275500100,"event_id":1,"start_time":1764270000000})");
  const auto& rb = std::get<RollbackBetCancel>(m.body);
  EXPECT_TRUE(rb.market_ids.empty());
  EXPECT_EQ(rb.start_ms, 1764270000000);
  EXPECT_EQ(rb.end_ms, std::nullopt);
}

TEST(FeedParser, SnapshotCompleteExample) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(p, kSnapshotComplete);
  expect_envelope(m, FeedMessageType::kSnapshotComplete, 48, 1764270002000, 0);
  EXPECT_EQ(std::get<SnapshotComplete>(m.body).request_id, 7u);
}

// Every ```json block of the protocol doc that is a provider message parses
// (keeps the doc and the parser from drifting apart).
TEST(FeedParser, EveryExampleInTheDocParses) {
  std::ifstream in(std::string(INPLAY_SOURCE_DIR) + "/docs/feed-protocol.md");
  ASSERT_TRUE(in) << "docs/feed-protocol.md";
  std::string line, block;
  bool inside = false;
  int parsed = 0;
  FeedParser p({"1.0"});
  while (std::getline(in, line)) {
    if (!inside && line == "```json") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      if (block.find("recovery_request") != std::string::npos) {
        EXPECT_EQ(parse_recovery_request(block), std::optional<uint64_t>(7));
        continue;
      }
      parse_ok(p, block);
      ++parsed;
    } else if (inside) {
      block += line;
      block += '\n';
    }
  }
  EXPECT_GE(parsed, 7);
}

TEST(FeedParser, NumericOddsAndFieldOrderAndUnknownFields) {
  FeedParser p({"1.0"});
  // Body fields before "type", odds as a JSON number, unknown fields of
  // every JSON kind (validated, ignored), whitespace around and after.
  FeedMessage m = parse_ok(
      p, R"(  { "markets" : [ {"x":[1,{"y":null}],"outcomes":[{"odds":2.1,"selection_id":7,"z":-1.5e3}],"status":"suspended","market_id":3} ],
       "league":"Serie B","extra":{"a":[true,false,null,"s\u00e9"]},"event_id":5,"ts":0,"seq":1,
       "schema":"1.0","producer":"p.x_y-z","type":"odds_change" } )"
      "\r");
  EXPECT_EQ(m.env.type, FeedMessageType::kOddsChange);
  EXPECT_EQ(m.env.producer, "p.x_y-z");
  EXPECT_EQ(m.env.seq, 1u);
  EXPECT_EQ(m.env.ts_ms, 0);
  EXPECT_EQ(m.env.event_id, 5u);
  const auto& b = std::get<OddsChange>(m.body);
  EXPECT_EQ(b.league, "Serie B");
  ASSERT_EQ(b.markets.size(), 1u);
  EXPECT_EQ(b.markets[0].status, MarketStatus::kSuspended);
  EXPECT_EQ(b.markets[0].outcomes, (std::vector<OutcomeOdds>{{7, Odds{21000}}}));
}

TEST(FeedParser, EscapedKeysAreUnescaped) {
  FeedParser p({"1.0"});
  FeedMessage m = parse_ok(
      p, R"({"\u0074ype":"alive","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":0,"subscribed":true})");
  EXPECT_EQ(m.env.type, FeedMessageType::kAlive);
}

TEST(FeedParser, ReusedParserKeepsNoStateBetweenLines) {
  FeedParser p({"1.0"});
  std::string big = kOddsChange;
  for (int i = 0; i < 3; ++i) {
    parse_ok(p, kAlive);
    EXPECT_FALSE(p.parse("{").ok());
    parse_ok(p, big);
    EXPECT_EQ(p.parse(R"({"type":"alive","producer":"p","schema":"2.0","seq":1,"ts":1,"event_id":0,"subscribed":true})")
                  .error()
                  .reason,
              FeedParseReason::kSchemaUnsupported);
  }
}

TEST(FeedParser, AcceptsEveryListedSchema) {
  FeedParser p({"1.0", "1.1"});
  parse_ok(p, R"({"type":"alive","producer":"p","schema":"1.1","seq":1,"ts":1,"event_id":0,"subscribed":true})");
  parse_ok(p, R"({"type":"alive","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":0,"subscribed":true})");
}

TEST(FeedParser, RecoveryRequest) {
  EXPECT_EQ(parse_recovery_request(encode_recovery_request(42)), std::optional<uint64_t>(42));
  EXPECT_EQ(parse_recovery_request(R"({"type":"alive","request_id":1})"), std::nullopt);
  EXPECT_EQ(parse_recovery_request(R"({"type":"recovery_request"})"), std::nullopt);
  EXPECT_EQ(parse_recovery_request(R"({"type":"recovery_request","request_id":1}x)"), std::nullopt);
}

TEST(FeedParseReason, NamesAreStable) {
  const char* names[] = {"invalid_json",      "not_object",       "missing_field",
                         "wrong_type",        "unknown_type",     "schema_unsupported",
                         "odds_out_of_range", "bad_value",        "line_too_long"};
  for (int i = 0; i < kFeedParseReasonCount; ++i)
    EXPECT_STREQ(feed_parse_reason_name(static_cast<FeedParseReason>(i)), names[i]);
}

}  // namespace
}  // namespace inplay
