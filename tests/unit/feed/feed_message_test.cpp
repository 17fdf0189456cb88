#include "feed/feed_message.h"

#include <gtest/gtest.h>

#include "feed/feed_parser.h"
#include "feed/recovery_request.h"

namespace inplay {
namespace {

FeedMessage msg(FeedBody body, uint64_t seq) {
  FeedMessage m;
  m.env = Envelope{feed_body_type(body), "sim-primary", "1.0", seq, 1764270000123, 1};
  m.body = std::move(body);
  return m;
}

std::vector<FeedMessage> one_of_each() {
  return {
      msg(OddsChange{"EPL",
                     {MarketOdds{101, MarketStatus::kOpen, {{1011, Odds{21000}}, {1012, Odds{34000}}, {1013, Odds{36000}}}},
                      MarketOdds{102, MarketStatus::kSuspended, {}},
                      MarketOdds{103, MarketStatus::kClosed, {{1031, Odds{10100}}, {1032, Odds{10000000}}, {1033, Odds{33333}}}}}},
          1),
      msg(OddsChange{"League \"Two\" \\ é", {}}, 2),
      msg(OddsChange{"EPL", {}, MatchStatus{2, 1, 67, MatchPeriod::kSecondHalf}}, 2),
      msg(OddsChange{"EPL", {}, MatchStatus{0, 0, -1, MatchPeriod::kUnknown}}, 2),
      msg(BetStop{{101, 102}, "goal"}, 3),
      msg(BetStop{{}, ""}, 4),
      msg(FixtureChange{FixtureChangeKind::kKickoffMoved, 1764269100000}, 5),
      msg(FixtureChange{FixtureChangeKind::kStarted, std::nullopt}, 6),
      msg(FixtureChange{FixtureChangeKind::kEnded, std::nullopt}, 7),
      msg(FixtureChange{FixtureChangeKind::kCancelled, 0}, 8),
      msg(Alive{true}, 9),
      msg(Alive{false}, 10),
      msg(BetSettlement{Certainty::kConfirmed, Score{2, 1}, Score{1, 0},
                        {MarketResult{101, {{1011, true, 0, 10000}, {1012, false, 0, 10000}, {1013, false, 0, 10000}}},
                         MarketResult{102, {{1021, true, 1, 10000}, {1022, false, 2, 10000}}},
                         MarketResult{104, {{1041, true, 0, 5000}, {1042, false, 0, 10000}}}}},
          11),
      msg(BetSettlement{Certainty::kLive, std::nullopt, std::nullopt, {}}, 14),
      msg(BetCancel{{101}, "match abandoned", std::nullopt, std::nullopt, ""}, 12),
      msg(BetCancel{{}, "", 1764270000000, 1764270060000, "event:12"}, 15),
      msg(RollbackBetSettlement{{101, 102}}, 16),
      msg(RollbackBetCancel{{101}, 1764270000000, std::nullopt}, 17),
      msg(SnapshotComplete{7}, 13),
      msg(SnapshotComplete{UINT64_MAX}, UINT64_MAX),
  };
}

TEST(FeedMessage, EncodeParseRoundTripsEveryType) {
  FeedParser p({"1.0"});
  int types_seen = 0;
  for (const FeedMessage& m : one_of_each()) {
    std::string line = encode_feed_message(m);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    ParseResult r = p.parse(line);
    ASSERT_TRUE(r.ok()) << line << ": " << r.error().detail;
    EXPECT_EQ(r.message(), m) << line;
    types_seen |= 1 << static_cast<int>(m.env.type);
  }
  EXPECT_EQ(types_seen, (1 << kFeedMessageTypeCount) - 1);
}

TEST(FeedMessage, EncodesTheDocumentedShape) {
  FeedMessage m = msg(OddsChange{"EPL", {MarketOdds{101, MarketStatus::kOpen, {{1011, Odds{21000}}}}}}, 42);
  EXPECT_EQ(encode_feed_message(m),
            R"({"type":"odds_change","producer":"sim-primary","schema":"1.0","seq":42,"ts":1764270000123,)"
            R"("event_id":1,"league":"EPL","markets":[{"market_id":101,"status":"open","outcomes":[)"
            R"({"selection_id":1011,"odds":"2.1"}]}]})");
  EXPECT_EQ(encode_feed_message(msg(Alive{true}, 45)),
            R"({"type":"alive","producer":"sim-primary","schema":"1.0","seq":45,"ts":1764270000123,"event_id":1,"subscribed":true})");
  EXPECT_EQ(encode_recovery_request(7), R"({"type":"recovery_request","request_id":7})");
}

TEST(FeedMessage, MatchStatusIsCheckedLikeEveryField) {
  FeedParser p({"1.0"});
  const std::string head =
      R"({"type":"odds_change","producer":"p","schema":"1.0","seq":1,"ts":1,"event_id":1,"league":"EPL","markets":[],)";
  auto reason = [&](std::string status) {
    ParseResult r = p.parse(head + R"("match_status":)" + status + "}");
    return r.ok() ? std::string("ok") : std::string(feed_parse_reason_name(r.error().reason)) + " " + r.error().detail;
  };
  EXPECT_EQ(reason(R"({"home_score":1,"away_score":0,"minute":12,"period":"first_half","extra":[1]})"), "ok");
  EXPECT_EQ(reason(R"({"home_score":1})"), "missing_field match_status.away_score: is required");
  EXPECT_EQ(reason(R"({"home_score":"1","away_score":0})"), "wrong_type home_score: must be an integer");
  EXPECT_EQ(reason(R"({"home_score":1,"away_score":0,"minute":201})"), "bad_value minute: must be between 0 and 200");
  EXPECT_EQ(reason(R"({"home_score":1,"away_score":0,"period":"extra_time"})"),
            "bad_value period: must be not_started, first_half, half_time, second_half or ended");
  EXPECT_EQ(reason(R"({"home_score":1,"home_score":2,"away_score":0})"), "bad_value home_score: duplicate field");
  EXPECT_EQ(reason(R"([1])"), "wrong_type match_status: must be an object");
}

TEST(FeedMessage, TypeNamesRoundTrip) {
  for (int i = 0; i < 7; ++i) {
    auto t = static_cast<FeedMessageType>(i);
    FeedMessageType back;
    ASSERT_TRUE(parse_feed_message_type(feed_message_type_name(t), back));
    EXPECT_EQ(back, t);
  }
  FeedMessageType t;
  EXPECT_FALSE(parse_feed_message_type("recovery_request", t));
  EXPECT_STREQ(feed_message_type_name(FeedMessageType::kOddsChange), "odds_change");
  EXPECT_STREQ(feed_message_type_name(FeedMessageType::kSnapshotComplete), "snapshot_complete");
  FixtureChangeKind k;
  ASSERT_TRUE(parse_fixture_change("kickoff_moved", k));
  EXPECT_EQ(k, FixtureChangeKind::kKickoffMoved);
  EXPECT_FALSE(parse_fixture_change("paused", k));
}

}  // namespace
}  // namespace inplay
