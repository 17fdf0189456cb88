// FeedDesk on the engine's thread of control, driven by direct calls (no
// sockets): the test thread acts as the engine thread (the engine is not
// started), the journal is a temp dir with fsync off.
#include "feed/feed_desk.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app/config.h"
#include "app/runtime.h"
#include "telemetry/log.h"

namespace inplay {
namespace {

class FeedDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_sink([](std::string_view) {});
    dir_ = std::filesystem::temp_directory_path() /
           ("feed-desk-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    Journal::Options jo;
    jo.dir = dir_;
    jo.fsync = FsyncPolicy::kNone;
    journal_ = Journal::open(jo);
    EngineConfig ec;
    engine_ = std::make_unique<Engine>(ec, clock_, *journal_, metrics_);
    markets_ = std::make_unique<MarketDesk>(*engine_);
    Config cfg;
    EventConfig e;
    e.id = 1;
    e.sport = "football";
    e.league = "EPL";
    e.home = "A";
    e.away = "B";
    e.markets.push_back(MarketConfig{101, MarketType::kMatchResult, 0,
                                     {{1011, "home", Odds{20000}}, {1012, "draw", Odds{35000}}, {1013, "away", Odds{40000}}}});
    cfg.events.push_back(e);
    build_book(cfg, engine_->state().book);
    std::vector<FeedConfig> feeds(3);
    feeds[0].name = "p";
    feeds[0].role = FeedRole::kPrimary;
    feeds[1].name = "b";
    feeds[1].role = FeedRole::kBackup;
    feeds[2].name = "r";
    feeds[2].role = FeedRole::kReference;
    for (auto& f : feeds) f.alive_timeout = std::chrono::milliseconds(1000);
    desk_ = std::make_unique<FeedDesk>(*markets_, metrics_, feeds, FeedDeskOptions{});
    for (size_t i = 0; i < 3; ++i) desk_->set_sender(i, [this, i](std::string line) { sent_[i].push_back(line); });
  }
  void TearDown() override {
    desk_.reset();
    markets_.reset();
    // The runtime's order (app/runtime.cpp): stop the engine, then the
    // journal, then free them. The journal's last flush calls the engine's
    // durable listener, so freeing the engine first is a use after free
    // (found by ASan, scripts/sanitize.sh).
    engine_->stop();
    journal_->stop();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  FeedMessage odds(uint64_t seq, std::vector<std::pair<uint64_t, int32_t>> prices,
                   MarketStatus st = MarketStatus::kOpen) {
    FeedMessage m;
    m.env = Envelope{FeedMessageType::kOddsChange, "prod", "1.0", seq, to_ms(clock_.now()), 1};
    OddsChange oc;
    oc.league = "EPL";
    MarketOdds mo{101, st, {}};
    for (auto [sid, o] : prices) mo.outcomes.push_back(OutcomeOdds{sid, Odds{o}});
    oc.markets.push_back(mo);
    m.body = oc;
    return m;
  }
  FeedMessage simple(uint64_t seq, FeedBody body) {
    FeedMessage m;
    m.env = Envelope{feed_body_type(body), "prod", "1.0", seq, to_ms(clock_.now()), 0};
    m.body = std::move(body);
    return m;
  }
  // connect + snapshot: the feed is up.
  void bring_up(size_t feed, uint64_t& seq) {
    desk_->on_connected(feed);
    desk_->on_message(feed, odds(seq++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}));
    uint64_t req = std::stoull(sent_[feed].back().substr(sent_[feed].back().find("request_id\":") + 12));
    desk_->on_message(feed, simple(seq++, SnapshotComplete{req}));
  }
  const Market& market() { return *engine_->state().book.market(101); }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  SimClock clock_{from_ns(1'800'000'000'000'000'000)};
  MetricsRegistry metrics_;
  Tracer tracer_{1000};
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<MarketDesk> markets_;
  std::unique_ptr<FeedDesk> desk_;
  std::map<size_t, std::vector<std::string>> sent_;
};

TEST_F(FeedDeskTest, ConnectAsksForRecoveryAndSnapshotBringsTheFeedUp) {
  desk_->on_connected(0);
  ASSERT_EQ(sent_[0].size(), 1u);
  EXPECT_NE(sent_[0][0].find("recovery_request"), std::string::npos);
  uint64_t seq = 1;
  bring_up(0, seq);
  EXPECT_NE(desk_->status_json().find(R"("name":"p","sport":"football","role":"primary","state":"up")"),
            std::string::npos);
}

TEST_F(FeedDeskTest, ActiveFeedPricesWithTheMarginAndStandbyDoesNot) {
  uint64_t s0 = 1, s1 = 1;
  bring_up(0, s0);
  bring_up(1, s1);
  const Selection* home = engine_->state().book.selection(1011);
  uint64_t v = home->price.version;
  EXPECT_GT(v, 0u);
  // The feed's fair prices are normalised, then the 5% match-result margin is
  // applied and prices floored to the ladder: the book's overround is >= 5%.
  std::vector<Odds> book;
  for (uint64_t sid : {1011, 1012, 1013}) book.push_back(engine_->state().book.selection(sid)->price.odds);
  EXPECT_GE(overround(book), 0.05);
  EXPECT_LT(overround(book), 0.10);
  desk_->on_message(1, odds(s1++, {{1011, 25000}, {1012, 30000}, {1013, 30000}}));
  EXPECT_EQ(engine_->state().book.selection(1011)->price.version, v);  // standby: cached only
  desk_->on_message(0, odds(s0++, {{1011, 21000}, {1012, 35000}, {1013, 38000}}));
  EXPECT_GT(engine_->state().book.selection(1011)->price.version, v);
}

TEST_F(FeedDeskTest, TheActiveFeedsMatchStatusIsTheScoreboard) {
  uint64_t s0 = 1, s1 = 1;
  bring_up(0, s0);
  bring_up(1, s1);
  EXPECT_FALSE(engine_->state().book.event(1)->scoreboard.known);  // not said yet
  FeedMessage m = odds(s1++, {{1011, 21000}, {1012, 35000}, {1013, 38000}});
  std::get<OddsChange>(m.body).match_status = MatchStatus{3, 3, 80, MatchPeriod::kSecondHalf};
  desk_->on_message(1, std::move(m));  // the standby's word is not the book's
  EXPECT_FALSE(engine_->state().book.event(1)->scoreboard.known);
  m = odds(s0++, {{1011, 21000}, {1012, 35000}, {1013, 38000}});
  std::get<OddsChange>(m.body).match_status = MatchStatus{2, 1, 67, MatchPeriod::kSecondHalf};
  const int64_t ts = m.env.ts_ms;
  desk_->on_message(0, std::move(m));
  const Scoreboard& b = engine_->state().book.event(1)->scoreboard;
  EXPECT_TRUE(b.known);
  EXPECT_EQ(b.home, 2u);
  EXPECT_EQ(b.away, 1u);
  EXPECT_EQ(b.minute, 67);
  EXPECT_EQ(b.period, MatchPeriod::kSecondHalf);
  EXPECT_EQ(b.at_ms, ts);
  // Display only: not part of the journaled state a replay must rebuild.
  const std::string with = engine_->state().state_hash();
  engine_->state().book.event(1)->scoreboard = Scoreboard{};
  EXPECT_EQ(engine_->state().state_hash(), with);
}

TEST_F(FeedDeskTest, DuplicatesAndReorderedAreDroppedGapsAskForRecovery) {
  uint64_t seq = 1;
  bring_up(0, seq);
  size_t requests = sent_[0].size();
  uint64_t v = engine_->state().book.selection(1011)->price.version;
  desk_->on_message(0, odds(seq - 1, {{1011, 21000}, {1012, 35000}, {1013, 38000}}));  // duplicate
  EXPECT_EQ(engine_->state().book.selection(1011)->price.version, v);
  desk_->on_message(0, odds(seq + 2, {{1011, 21000}, {1012, 35000}, {1013, 38000}}));  // gap
  EXPECT_EQ(sent_[0].size(), requests + 1);
  EXPECT_GT(engine_->state().book.selection(1011)->price.version, v);  // a gap's message is used
  desk_->on_message(0, odds(seq, {{1011, 22000}, {1012, 35000}, {1013, 38000}}));  // late
  std::string json = desk_->status_json();
  EXPECT_NE(json.find(R"("gaps":1,"duplicates":1,"reordered":1)"), std::string::npos) << json;
}

TEST_F(FeedDeskTest, AliveTimeoutSuspendsFailClosedAndRecoveryReopens) {
  uint64_t seq = 1;
  bring_up(0, seq);
  ASSERT_EQ(market().status, MarketStatus::kOpen);
  clock_.advance(std::chrono::milliseconds(1500));
  desk_->check(to_ns(clock_.now()));
  EXPECT_EQ(market().status, MarketStatus::kSuspended);
  EXPECT_EQ(market().status_reason, "FEED_DOWN");
  // Alive again: not trusted until a snapshot completes.
  desk_->on_message(0, simple(seq++, Alive{true}));
  EXPECT_EQ(market().status, MarketStatus::kSuspended);
  uint64_t req = std::stoull(sent_[0].back().substr(sent_[0].back().find("request_id\":") + 12));
  desk_->on_message(0, odds(seq++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}));
  EXPECT_EQ(market().status, MarketStatus::kSuspended);
  desk_->on_message(0, simple(seq++, SnapshotComplete{req}));
  EXPECT_EQ(market().status, MarketStatus::kOpen);
}

TEST_F(FeedDeskTest, SwitchTakesOverWithoutAGapAndRefusesAFeedThatIsDown) {
  uint64_t s0 = 1, s1 = 1;
  bring_up(0, s0);
  auto refused = desk_->switch_feed("football", FeedRole::kBackup, "test");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kFeedUnavailable);
  bring_up(1, s1);
  desk_->on_message(1, odds(s1++, {{1011, 30000}, {1012, 30000}, {1013, 30000}}));
  ASSERT_TRUE(desk_->switch_feed("football", std::nullopt, "test").ok());
  EXPECT_EQ(desk_->active_feed("football"), "b");
  EXPECT_EQ(market().status, MarketStatus::kOpen);
  // The backup's cached prices were applied at once (equal fair prices: 2.85-ish).
  EXPECT_GT(engine_->state().book.selection(1011)->price.odds.scaled, 25000);
}

TEST_F(FeedDeskTest, FeedNeverReopensAnOperatorSuspension) {
  uint64_t seq = 1;
  bring_up(0, seq);
  markets_->set_market_status(101, MarketStatus::kSuspended, "trader: VAR", "operator:t");
  desk_->on_message(0, odds(seq++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}, MarketStatus::kOpen));
  EXPECT_EQ(market().status, MarketStatus::kSuspended);
  EXPECT_EQ(market().status_reason, "trader: VAR");
  // Even a reason that looks like a feed's: ownership is by actor, not by text.
  markets_->set_market_status(101, MarketStatus::kSuspended, "feed lag", "operator:t");
  desk_->on_message(0, odds(seq++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}, MarketStatus::kOpen));
  EXPECT_EQ(market().status, MarketStatus::kSuspended);
  // But its own suspension it lifts.
  markets_->set_market_status(101, MarketStatus::kOpen, "", "operator:t");
  desk_->on_message(0, odds(seq++, {}, MarketStatus::kSuspended));
  EXPECT_EQ(market().status_reason, "feed: suspended");
  desk_->on_message(0, odds(seq++, {}, MarketStatus::kOpen));
  EXPECT_EQ(market().status, MarketStatus::kOpen);
}

TEST_F(FeedDeskTest, DriftAgainstTheReference) {
  uint64_t s0 = 1, s2 = 1;
  bring_up(0, s0);
  bring_up(2, s2);
  desk_->on_message(0, odds(s0++, {{1011, 21000}, {1012, 35000}, {1013, 40000}}));
  desk_->on_message(2, odds(s2++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}));
  auto d = desk_->drift(101);
  ASSERT_TRUE(d.has_value());
  EXPECT_NEAR(*d, 0.05, 1e-9);  // |2.10 - 2.00| / 2.00
}

// Issue 17, item 2: drift needs a live, fresh reference. A reference that
// stops leaves the drift unknown, never a score against its last prices.
TEST_F(FeedDeskTest, DriftIsUnknownOnceTheReferenceStops) {
  uint64_t s0 = 1, s2 = 1;
  bring_up(0, s0);
  bring_up(2, s2);
  desk_->on_message(2, odds(s2++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}));
  desk_->on_message(0, odds(s0++, {{1011, 21000}, {1012, 35000}, {1013, 40000}}));
  ASSERT_TRUE(desk_->drift(101).has_value());
  EXPECT_EQ(desk_->reference_problem(2), "");
  // The primary keeps pricing (prices far from the reference's last ones);
  // the reference says nothing past its alive timeout.
  for (int k = 0; k < 4; ++k) {
    clock_.advance(std::chrono::milliseconds(500));
    desk_->on_message(0, odds(s0++, {{1011, 40000}, {1012, 35000}, {1013, 20000}}));
    desk_->on_message(0, simple(s0++, Alive{true}));
    desk_->check(to_ns(clock_.now()));
  }
  EXPECT_EQ(desk_->reference_problem(2), "down");
  EXPECT_FALSE(desk_->drift(101).has_value()) << *desk_->drift(101);
  EXPECT_FALSE(desk_->drift_flagged(101));
  EXPECT_EQ(market().status, MarketStatus::kOpen);  // the reference suspends nothing
  EXPECT_EQ(desk_->active_feed("football"), "p");
}

// Up (its alives come) but every price line refused: its last prices age
// past the market's limit and the drift goes unknown with them.
TEST_F(FeedDeskTest, DriftIsUnknownWhileTheReferenceRefusesItsLines) {
  uint64_t s0 = 1, s2 = 1;
  bring_up(0, s0);
  bring_up(2, s2);
  desk_->on_message(2, odds(s2++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}));
  desk_->on_message(0, odds(s0++, {{1011, 21000}, {1012, 35000}, {1013, 40000}}));
  ASSERT_TRUE(desk_->drift(101).has_value());
  ParseError e;
  e.reason = FeedParseReason::kInvalidJson;
  for (int k = 0; k < 8; ++k) {
    clock_.advance(std::chrono::milliseconds(500));
    e.seq = s2++;
    desk_->on_parse_error(2, e);
    desk_->on_message(2, simple(s2++, Alive{true}));
    desk_->on_message(0, odds(s0++, {{1011, 21000}, {1012, 35000}, {1013, 40000}}));
    desk_->on_message(0, simple(s0++, Alive{true}));
    desk_->check(to_ns(clock_.now()));
  }
  EXPECT_EQ(desk_->reference_problem(2), "refusing lines");
  EXPECT_FALSE(desk_->drift(101).has_value());
  // Lines parse again: a fresh reference price brings the score back.
  desk_->on_message(2, odds(s2++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}));
  desk_->on_message(0, odds(s0++, {{1011, 21000}, {1012, 35000}, {1013, 40000}}));
  ASSERT_TRUE(desk_->drift(101).has_value());
  EXPECT_NEAR(*desk_->drift(101), 0.05, 1e-9);
  for (int k = 0; k < 24; ++k) {
    clock_.advance(std::chrono::milliseconds(500));
    desk_->on_message(2, odds(s2++, {{1011, 20000}, {1012, 35000}, {1013, 40000}}));
    desk_->on_message(2, simple(s2++, Alive{true}));
    desk_->on_message(0, simple(s0++, Alive{true}));
    desk_->check(to_ns(clock_.now()));
  }
  EXPECT_EQ(desk_->reference_problem(2), "");
}

TEST_F(FeedDeskTest, SchemaSkewIsFlaggedOnce) {
  ParseError e;
  e.reason = FeedParseReason::kSchemaUnsupported;
  e.producer = "prod";
  e.league = "EPL";
  e.schema = "2.0";
  desk_->on_parse_error(0, e);
  desk_->on_parse_error(0, e);
  std::string text = metrics_.render_prometheus();
  EXPECT_NE(text.find(R"(feed_schema_skew{producer="prod",league="EPL",version="2.0"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(feed_parse_errors_total{producer="prod",reason="schema_unsupported"} 2)"),
            std::string::npos);
}

// A schema skew refuses every EPL line; each still takes its place in the
// sequence, so the next good line is no gap and no snapshot is asked for (a
// snapshot would carry the same refused lines: a recovery storm). Lines lost
// before a refused one are still a gap.
TEST_F(FeedDeskTest, ARefusedLineKeepsItsPlaceInTheSequence) {
  uint64_t seq = 1;
  bring_up(0, seq);
  const size_t requests = sent_[0].size();
  ParseError e;
  e.reason = FeedParseReason::kSchemaUnsupported;
  e.league = "EPL";
  e.schema = "2.0";
  for (int k = 0; k < 5; ++k) {
    e.seq = seq++;
    desk_->on_parse_error(0, e);
    desk_->on_message(0, odds(seq++, {{1011, 21000}, {1012, 35000}, {1013, 38000}}));
  }
  EXPECT_EQ(sent_[0].size(), requests) << "asked for a snapshot after a refused line";
  e.seq = seq + 3;  // three lines lost, then a refused one
  desk_->on_parse_error(0, e);
  EXPECT_EQ(sent_[0].size(), requests + 1);
  e.seq = 0;  // no readable seq: nothing to place
  desk_->on_parse_error(0, e);
  EXPECT_EQ(sent_[0].size(), requests + 1);
  EXPECT_NE(desk_->status_json().find(R"("gaps":1)"), std::string::npos) << desk_->status_json();
}

}  // namespace
}  // namespace inplay

#include <cmath>
#include <fstream>

#include "feed/exchange_reference.h"

namespace inplay {
namespace {

// The real in-play cricket stream (Betfair Exchange Stream API recording)
// as the reference for a two-way book market: drift is computed against the
// exchange's reference prices (ODDS-6).
TEST_F(FeedDeskTest, ExchangeStreamServesAsReferencePrice) {
  // A two-selection market for the exchange's two runners (reuse 101's first two).
  uint64_t seq = 1;
  bring_up(0, seq);
  ExchangeReference xref(*desk_);
  xref.map_market("1.200806927", ExchangeMarketMap{101, {{228749, 1011}, {2857977, 1012}}});
  std::ifstream in(std::string(INPLAY_SOURCE_DIR) + "/../shared/data/betfair-stream/flumine/1.200806927");
  ASSERT_TRUE(in) << "../shared/data/betfair-stream missing";
  std::string line;
  size_t n = 0, errors = 0;
  std::optional<double> last_drift;
  size_t drift_seen = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!xref.apply(line)) ++errors;
    // Every 500 messages the active feed re-prices the market at 1.80 / 2.20.
    if (n % 500 == 0) {
      desk_->on_message(0, odds(seq++, {{1011, 18000}, {1012, 22000}, {1013, 400000}}));
      if (auto d = desk_->drift(101)) {
        ++drift_seen;
        last_drift = d;
        // Check the score against the adapter's own reference prices.
        const betfair::MarketBook* m = xref.cache().market("1.200806927");
        double want = 0;
        for (const auto& rp : betfair::ref_prices(*m)) {
          double fair = rp.selection_id == 228749 ? 1.8 : 2.2;
          double ref = rp.price.scaled / 10000.0;
          want = std::max(want, std::fabs(fair - ref) / ref);
        }
        EXPECT_NEAR(*d, want, 1e-9) << "message " << n;
      }
    }
  }
  EXPECT_EQ(n, 18529u);
  EXPECT_EQ(errors, 0u);
  EXPECT_GT(xref.updates_sent(), 1000u);
  EXPECT_GT(drift_seen, 10u);
}

}  // namespace
}  // namespace inplay

namespace inplay {
namespace {

// A restart: a new desk over the state the journal rebuilt. The sport comes
// back on the feed it was switched to, and the markets the old desk
// suspended when that feed went down (FEED_DOWN, kept by the journal)
// reopen when it is up again; an operator's suspension stays.
TEST_F(FeedDeskTest, ARestartResumesOnTheSwitchedFeedAndLiftsItsFeedDownSuspensions) {
  uint64_t s0 = 1, s1 = 1;
  bring_up(0, s0);
  bring_up(1, s1);
  ASSERT_TRUE(desk_->switch_feed("football", FeedRole::kBackup, "operator:trader").ok());
  EXPECT_EQ(engine_->state().active_feeds.at("football"), "b");
  desk_->on_disconnected(1);  // the process stops: the active feed's connection drops
  ASSERT_EQ(market().status, MarketStatus::kSuspended);
  ASSERT_EQ(market().status_reason, "FEED_DOWN");

  desk_ = std::make_unique<FeedDesk>(*markets_, metrics_, std::vector<FeedConfig>{desk_->feed(0), desk_->feed(1), desk_->feed(2)},
                                     FeedDeskOptions{});
  for (size_t i = 0; i < 3; ++i) desk_->set_sender(i, [this, i](std::string line) { sent_[i].push_back(line); });
  EXPECT_EQ(desk_->active_feed("football"), "b");
  EXPECT_NE(desk_->status_json().find(R"("suspended_for_feed_down":true)"), std::string::npos);
  uint64_t r0 = 100, r1 = 100;
  bring_up(0, r0);
  EXPECT_EQ(market().status, MarketStatus::kSuspended) << "the primary is up, but the book was left on the backup";
  bring_up(1, r1);
  EXPECT_EQ(market().status, MarketStatus::kOpen);
}

TEST_F(FeedDeskTest, ARestartKeepsAnOperatorsSuspension) {
  uint64_t s0 = 1;
  bring_up(0, s0);
  ASSERT_TRUE(markets_->set_market_status(101, MarketStatus::kSuspended, "VAR check", "operator:trader").ok());
  desk_->on_disconnected(0);
  desk_ = std::make_unique<FeedDesk>(*markets_, metrics_, std::vector<FeedConfig>{desk_->feed(0), desk_->feed(1), desk_->feed(2)},
                                     FeedDeskOptions{});
  for (size_t i = 0; i < 3; ++i) desk_->set_sender(i, [this, i](std::string line) { sent_[i].push_back(line); });
  uint64_t r0 = 100;
  bring_up(0, r0);
  EXPECT_EQ(market().status, MarketStatus::kSuspended);
  EXPECT_EQ(market().status_reason, "VAR check");
}

}  // namespace
}  // namespace inplay
