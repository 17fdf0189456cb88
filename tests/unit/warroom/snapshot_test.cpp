// War-room snapshot (src/warroom/snapshot.h, war_room.h): the top five by
// liability and its tie-breaks, the per-market fields (prices, price age
// against the limit, status, cash-out freeze, High Exposure), the 15-minute
// ring, and WarRoom's publishing (latest snapshot, subscribers, bound). The
// test thread acts as the engine thread (the engine is not started).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/book_desks.h"
#include "app/runtime.h"
#include "core/clock.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "telemetry/log.h"
#include "warroom/snapshot.h"
#include "warroom/war_room.h"
#include "telemetry/metrics.h"

namespace inplay {
namespace {

constexpr int64_t kT0 = 1'800'000'000'000'000'000;

class WarRoomTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_sink([](std::string_view) {});
    dir_ = std::filesystem::temp_directory_path() / ("warroom-" + std::to_string(::getpid()) + "-" + std::to_string(n_++));
    std::filesystem::remove_all(dir_);
    Journal::Options jo;
    jo.dir = dir_;
    jo.fsync = FsyncPolicy::kNone;
    journal_ = Journal::open(jo);
    engine_ = std::make_unique<Engine>(EngineConfig{}, clock_, *journal_, metrics_);
    desks_ = std::make_unique<BookDesks>(*engine_, tracer_);
    // Events 1..4, each with one 1X2 market (id*100+1) of three selections.
    Config cfg;
    for (uint64_t e = 1; e <= 4; ++e) {
      EventConfig ev;
      ev.id = e;
      ev.sport = "football";
      ev.league = e <= 2 ? "EPL" : "Championship";
      ev.home = "Home" + std::to_string(e);
      ev.away = "Away" + std::to_string(e);
      ev.state = e == 3 ? EventState::kPreMatch : EventState::kInPlay;
      uint64_t m = e * 100 + 1;
      ev.markets.push_back(MarketConfig{m, MarketType::kMatchResult, 0,
                                        {{m * 10 + 1, "home", Odds{20000}}, {m * 10 + 2, "draw", Odds{35000}},
                                         {m * 10 + 3, "away", Odds{40000}}}});
      // A second market on event 1 (total goals).
      if (e == 1)
        ev.markets.push_back(MarketConfig{102, MarketType::kTotalGoals, 25, {{1021, "over", Odds{19000}}, {1022, "under", Odds{19000}}}});
      cfg.events.push_back(ev);
    }
    build_book(cfg, engine_->state().book);
  }
  void TearDown() override {
    desks_.reset();  // the war rooms with them (their observers hold them)
    // Engine, then journal stopped before the engine is freed: the journal's
    // last flush calls the engine (see feed_desk_test.cpp's TearDown).
    engine_->stop();
    journal_->stop();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  BookState& state() { return engine_->state(); }
  int64_t now() const { return to_ns(clock_.now()); }

  static inline int n_ = 0;
  std::filesystem::path dir_;
  SimClock clock_{from_ns(kT0)};
  MetricsRegistry metrics_;
  Tracer tracer_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<BookDesks> desks_;
};

simdjson::dom::element by_id(simdjson::dom::array markets, uint64_t id) {
  for (simdjson::dom::element m : markets)
    if (uint64_t(m["market_id"]) == id) return m;
  ADD_FAILURE() << "market " << id << " not in the snapshot";
  return {};
}

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << json;
  return doc;
}

TEST_F(WarRoomTest, TopMarketsByLiabilityThenInPlayThenOpenThenId) {
  // No bets: in-play markets first (101, 102, 201, 401), then the pre-match 301.
  EXPECT_EQ(top_markets_by_liability(state(), 5), (std::vector<uint64_t>{101, 102, 201, 401, 301}));
  // Liability puts the pre-match market and event 4 on top.
  state().exposure.add(0, 3011, 10'000, Odds{30000});  // liability 20,000
  state().exposure.add(0, 4012, 10'000, Odds{20000});  // liability 10,000
  EXPECT_EQ(top_markets_by_liability(state(), 3), (std::vector<uint64_t>{301, 401, 101}));
  // A suspended in-play market falls behind the open ones of equal liability.
  state().book.set_status(101, MarketStatus::kSuspended, "VAR", "operator:t");
  EXPECT_EQ(top_markets_by_liability(state(), 5), (std::vector<uint64_t>{301, 401, 102, 201, 101}));
  EXPECT_EQ(top_markets_by_liability(state(), 50).size(), 5u);  // all there are
}

TEST_F(WarRoomTest, SnapshotCarriesPricesAgeStatusAndHighExposure) {
  Book& b = state().book;
  // Stamped by the provider 400 ms and 2 s ago (price age is on its clock).
  b.apply_price(1011, Odds{21000}, (now() - 400 * kNsPerMs) / kNsPerMs, now() - 100 * kNsPerMs);
  b.apply_price(2011, Odds{25000}, (now() - 2000 * kNsPerMs) / kNsPerMs, now() - 100 * kNsPerMs);  // older than the 1.5 s limit
  b.market(201)->cashout_frozen = true;
  b.market(201)->cashout_reason = "playbook";
  b.set_status(201, MarketStatus::kSuspended, "FEED_DOWN", "system:feed-desk");
  WarRoomInputs in;
  in.state = &state();
  in.now_ns = now();
  in.seq = 7;
  in.simulated_clock = true;
  in.drift = [](uint64_t m) -> std::optional<double> { return m == 101 ? std::optional<double>(0.0125) : std::nullopt; };
  in.high_exposure = {201};
  in.accept_p50_ns = 3 * kNsPerMs;
  in.accept_p99_ns = 40 * kNsPerMs;
  in.accept_count = 12;
  in.cashout_offers = [](uint64_t m, int64_t) -> size_t { return m == 101 ? 3 : 0; };
  in.slos_json = R"({"slos":[]})";
  in.feeds_json = R"({"sports":[],"feeds":[]})";
  in.journal_json = R"({"role":"leader","journal":"kafka","standby":{"applied_seq":7}})";
  MarketActivity activity;
  // Market 101: 20 bets over the last 10 s, 1..20 ms; p99 is the 20th.
  for (int64_t i = 1; i <= 20; ++i) activity.on_decision(101, now() - 9'000 * kNsPerMs + i * 400 * kNsPerMs, i * kNsPerMs);
  in.activity = &activity;
  WarRoomSeries series(3);
  series.add(WarRoomPoint{1, 2, 3, 4, std::nullopt});
  auto top = top_markets_by_liability(state(), in.top_n);
  std::string json = warroom_snapshot_json(in, top, series);

  simdjson::dom::parser p;
  auto doc = parse(p, json);
  EXPECT_EQ(uint64_t(doc["seq"]), 7u);
  EXPECT_EQ(std::string_view(doc["clock"]), "sim");
  EXPECT_EQ(int64_t(doc["now_ms"]), kT0 / kNsPerMs);
  simdjson::dom::array markets = doc["markets"];
  ASSERT_EQ(markets.size(), 5u);
  // Suspended 201 sorts after the open in-play markets.
  EXPECT_EQ(uint64_t(markets.at(2)["market_id"]), 401u);
  EXPECT_EQ(uint64_t(markets.at(3)["market_id"]), 201u);
  auto m101 = by_id(markets, 101), m201 = by_id(markets, 201);
  EXPECT_EQ(uint64_t(m101["market_id"]), 101u);
  EXPECT_EQ(std::string_view(m101["event"]), "Home1 v Away1");
  EXPECT_EQ(std::string_view(m101["league"]), "EPL");
  EXPECT_EQ(std::string_view(m101["status"]), "open");
  EXPECT_EQ(int64_t(m101["staleness_ms"]), 400);
  EXPECT_EQ(int64_t(m101["staleness_limit_ms"]), 1500);
  EXPECT_FALSE(bool(m101["stale"]));
  EXPECT_DOUBLE_EQ(double(m101["drift"]), 0.0125);
  EXPECT_FALSE(bool(m101["high_exposure"]));
  EXPECT_EQ(int64_t(m101["accept_p99_us"]), 20000);
  EXPECT_DOUBLE_EQ(double(m101["bets_per_second"]), 2.0);
  simdjson::dom::array sels = m101["selections"];
  ASSERT_EQ(sels.size(), 3u);
  EXPECT_EQ(std::string_view(sels.at(0)["odds"]), "2.1");
  EXPECT_EQ(std::string_view(sels.at(1)["odds"]), "");  // never priced
  EXPECT_EQ(uint64_t(m201["market_id"]), 201u);
  EXPECT_EQ(std::string_view(m201["status"]), "suspended");
  EXPECT_EQ(std::string_view(m201["status_reason"]), "FEED_DOWN");
  EXPECT_TRUE(bool(m201["cashout_frozen"]));
  EXPECT_EQ(uint64_t(m101["cashout_offers"]), 3u);
  EXPECT_EQ(uint64_t(m201["cashout_offers"]), 0u);
  EXPECT_TRUE(bool(m201["high_exposure"]));
  EXPECT_TRUE(bool(m201["stale"]));
  EXPECT_TRUE(m201["drift"].is_null());
  EXPECT_TRUE(m201["accept_p99_us"].is_null());  // no bets: no p99
  EXPECT_DOUBLE_EQ(double(m201["bets_per_second"]), 0.0);
  EXPECT_TRUE(by_id(markets, 102)["staleness_ms"].is_null());  // never priced
  EXPECT_EQ(int64_t(doc["accept"]["p99_us"]), 40000);
  EXPECT_EQ(int64_t(doc["accept"]["count"]), 12);
  EXPECT_EQ(simdjson::dom::array(doc["series"]["t_ms"]).size(), 1u);
  EXPECT_EQ(simdjson::dom::array(doc["slos"]["slos"]).size(), 0u);
  EXPECT_TRUE(doc["incidents"].is_null());  // no incident loop: null, not absent
  EXPECT_EQ(simdjson::dom::array(doc["feeds"]["feeds"]).size(), 0u);
  EXPECT_EQ(uint64_t(doc["journal"]["standby"]["applied_seq"]), 7u);  // the journal panel, verbatim
  EXPECT_TRUE(doc["hedging"].is_null());
  // Worst age among the open, priced top markets (201 is suspended).
  EXPECT_EQ(max_staleness_ms(state(), top, now()), 400);
}

TEST(WarRoomSeries, KeepsTheLastCapacityPointsOldestFirst) {
  WarRoomSeries s(900);
  for (int64_t i = 0; i < 1000; ++i) s.add(WarRoomPoint{i, i, i, i, std::nullopt});
  ASSERT_EQ(s.size(), 900u);
  EXPECT_EQ(s.at(0).t_ms, 100);
  EXPECT_EQ(s.at(899).t_ms, 999);
}

TEST_F(WarRoomTest, PublishesEachTickToSubscribersAndDropsClosedOnes) {
  auto room = std::make_shared<WarRoom>(desks_->bets, nullptr, nullptr, 2);
  EXPECT_EQ(room->fresh(), nullptr);
  room->tick();
  auto first = room->fresh();
  ASSERT_NE(first, nullptr);
  std::vector<std::string> a, b;
  bool b_open = true;
  EXPECT_TRUE(room->subscribe([&](const WarRoom::Snapshot& s) { a.push_back(*s); return true; }));
  EXPECT_TRUE(room->subscribe([&](const WarRoom::Snapshot& s) { b.push_back(*s); return b_open; }));
  EXPECT_FALSE(room->subscribe([](const WarRoom::Snapshot&) { return true; }));  // bound: 2 streams
  ASSERT_EQ(a.size(), 1u);  // the latest at once
  EXPECT_EQ(a[0], *first);
  clock_.advance(std::chrono::seconds(1));
  state().book.apply_price(1011, Odds{22000}, now() / kNsPerMs, now());
  room->tick();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NE(a[1].find("\"odds\":\"2.2\""), std::string::npos);
  EXPECT_NE(a[1].find("\"seq\":2"), std::string::npos);
  b_open = false;
  room->tick();  // b says it is gone: dropped
  EXPECT_EQ(room->streams(), 1u);
  EXPECT_EQ(b.size(), 3u);
  simdjson::dom::parser p;
  auto doc = parse(p, *room->fresh());
  EXPECT_EQ(simdjson::dom::array(doc["series"]["t_ms"]).size(), 3u);
  EXPECT_TRUE(doc["feeds"].is_object());  // without a desk: the empty feeds view
}

// Nobody watching: ticks add chart points but render nothing (the build
// histogram counts no build); a read starts the rendering, and a build on
// demand carries every point the unwatched ticks added.
TEST_F(WarRoomTest, UnwatchedTicksKeepTheChartsAndRenderNothing) {
  auto room = std::make_shared<WarRoom>(desks_->bets, nullptr, nullptr, 2, &metrics_);
  auto builds = [&] {  // warroom_snapshot_build_seconds_count, as scraped
    const std::string text = metrics_.render_prometheus();
    const std::string name = "warroom_snapshot_build_seconds_count ";
    const size_t at = text.find(name);
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + name.size()));
  };
  for (int i = 0; i < 3; ++i) {
    room->tick();
    clock_.advance(std::chrono::seconds(1));
  }
  EXPECT_EQ(builds(), 0);
  auto built = room->build_now();
  EXPECT_EQ(builds(), 1);
  simdjson::dom::parser p;
  EXPECT_EQ(simdjson::dom::array(parse(p, *built)["series"]["t_ms"]).size(), 3u);
  // fresh(): built after the last tick, so it is served as it is.
  EXPECT_EQ(room->fresh(), built);
  // That read watches: the next tick renders, and the one before is stale.
  room->tick();
  EXPECT_EQ(builds(), 2);
  auto next = room->fresh();
  ASSERT_NE(next, nullptr);
  EXPECT_NE(next, built);
  EXPECT_EQ(simdjson::dom::array(parse(p, *next)["series"]["t_ms"]).size(), 4u);
}

// A stream opened on an unwatched room gets a snapshot built for it by the
// engine (here: one step of its loop), without waiting for a tick, and then
// one per tick.
TEST_F(WarRoomTest, AStreamOnAnUnwatchedRoomGetsOneBuiltAtOnce) {
  auto room = std::make_shared<WarRoom>(desks_->bets, nullptr, nullptr, 2);
  room->tick();  // unwatched: nothing built
  std::vector<std::string> got;
  EXPECT_TRUE(room->subscribe([&](const WarRoom::Snapshot& s) { got.push_back(*s); return true; }));
  EXPECT_TRUE(got.empty());  // nothing fresh to send at once
  engine_->step();           // the engine runs the build it was asked for
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find("\"seq\":1"), std::string::npos);
  clock_.advance(std::chrono::seconds(1));
  room->tick();  // a stream is open: watched
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[1].find("\"seq\":2"), std::string::npos);
}

TEST(WarRoomExemplar, SlowestBucketRecordedInTheSpan) {
  std::vector<int64_t> bounds{1 * kNsPerMs, 10 * kNsPerMs, 100 * kNsPerMs};
  Histogram h(&bounds);
  std::array<uint8_t, 16> a{}, b{}, c{};
  a[0] = 0xa;
  b[0] = 0xb;
  c[0] = 0xc;
  EXPECT_FALSE(slowest_exemplar(h, kT0, kT0 + 1000 * kNsPerMs));
  h.observe(5 * kNsPerMs, a, kT0 + 100 * kNsPerMs);    // bucket le=10ms, in the span
  h.observe(50 * kNsPerMs, b, kT0 + 900 * kNsPerMs);   // bucket le=100ms, in the span: the slowest
  h.observe(500 * kNsPerMs, c, kT0 - 10 * kNsPerMs);   // +Inf bucket, before the span
  auto e = slowest_exemplar(h, kT0, kT0 + 1000 * kNsPerMs);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->trace_id, b);
  EXPECT_EQ(e->value, 50 * kNsPerMs);
  // The next second has none; the one before has only c.
  EXPECT_FALSE(slowest_exemplar(h, kT0 + 1000 * kNsPerMs, kT0 + 2000 * kNsPerMs));
  EXPECT_EQ(slowest_exemplar(h, kT0 - 1000 * kNsPerMs, kT0)->trace_id, c);
  // An all-zero trace id is no trace.
  h.observe(700 * kNsPerMs, std::array<uint8_t, 16>{}, kT0 + 3000 * kNsPerMs);
  EXPECT_FALSE(slowest_exemplar(h, kT0 + 2000 * kNsPerMs, kT0 + 4000 * kNsPerMs));
}

TEST_F(WarRoomTest, EachChartPointCarriesTheExemplarOfItsSecond) {
  auto room = std::make_shared<WarRoom>(desks_->bets, nullptr, nullptr);
  Histogram& accept = *engine_->metrics().accept_latency;
  std::array<uint8_t, 16> slow{}, fast{};
  slow.fill(0x5a);
  fast.fill(0x11);
  room->tick();  // second 0: no exemplar
  clock_.advance(std::chrono::seconds(1));
  accept.observe(2 * kNsPerMs, fast, now() - 600 * kNsPerMs);
  accept.observe(900 * kNsPerMs, slow, now() - 300 * kNsPerMs);
  room->tick();  // second 1: the slow one
  clock_.advance(std::chrono::seconds(1));
  room->tick();  // second 2: nothing new recorded
  simdjson::dom::parser p;
  auto doc = parse(p, *room->build_now());  // nobody watched: built on demand
  simdjson::dom::array ex = doc["series"]["exemplar"];
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_TRUE(ex.at(0).is_null());
  EXPECT_EQ(std::string_view(ex.at(1)), "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
  EXPECT_TRUE(ex.at(2).is_null());
  EXPECT_EQ(simdjson::dom::array(doc["series"]["t_ms"]).size(), 3u);
}

TEST_F(WarRoomTest, OperatorActionsAreMarkedOnTheCharts) {
  auto room = std::make_shared<WarRoom>(desks_->bets, nullptr, nullptr);
  room->mark_action(now() - 200 * kNsPerMs, "market 101 suspended (operator:trader)");
  room->mark_action(now() - 100 * kNsPerMs, "market 101 suspended (operator:trader)");  // a second press: its own mark
  room->tick();
  simdjson::dom::parser p;
  auto doc = parse(p, *room->build_now());
  simdjson::dom::array marks = doc["marks"];
  ASSERT_EQ(marks.size(), 2u);
  EXPECT_EQ(std::string_view(marks.at(0)["kind"]), "action");
  EXPECT_EQ(int64_t(marks.at(0)["t_ms"]), (now() - 200 * kNsPerMs) / kNsPerMs);
  EXPECT_EQ(std::string_view(marks.at(1)["what"]), "market 101 suspended (operator:trader)");
}

TEST(WarRoomSse, OneFramePerSnapshot) {
  EXPECT_EQ(sse_frame(R"({"a":1})"), "event: snapshot\ndata: {\"a\":1}\n\n");
}

}  // namespace
}  // namespace inplay
