// The adapter on the single-message recordings (streaming_*.json) and on
// hand-written deltas for the semantics the recordings do not isolate.
#include "feed/betfair/market_cache.h"

#include <gtest/gtest.h>

#include "betfair_test_util.h"

namespace inplay::betfair {
namespace {

using test::read_file;
using Kind = ApplyResult::Kind;

using test::O;

ApplyResult apply_file(MarketCache& c, const std::string& name) {
  std::string text = read_file(name);
  EXPECT_FALSE(text.empty()) << name << " missing under " << test::data_dir();
  return c.apply(text);
}

TEST(BetfairStreamingFiles, SubImage) {
  MarketCache c;
  std::vector<MarketEvent> events;
  c.set_listener([&](const MarketEvent& e) { events.push_back(e); });
  auto r = apply_file(c, "streaming_mcm_SUB_IMAGE.json");
  ASSERT_EQ(r.kind, Kind::Applied) << r.error;
  EXPECT_EQ(c.stream().initial_clk, "ab34r43r");
  EXPECT_EQ(c.stream().clk, "AAAAAAAA");
  EXPECT_EQ(c.stream().last_ct, "SUB_IMAGE");
  EXPECT_EQ(c.stream().heartbeat_ms, 5000);
  EXPECT_EQ(c.stream().conflate_ms, 0);
  EXPECT_EQ(c.stream().pt, 1471370159007);
  EXPECT_EQ(c.stats().images, 1u);
  const MarketBook* m = c.market("1.126235656");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, MarketStatus::Open);
  EXPECT_FALSE(m->in_play);
  EXPECT_EQ(m->bet_delay, 0);
  EXPECT_EQ(m->version, 1400311331);
  EXPECT_EQ(m->market_type, "WIN");
  EXPECT_EQ(m->event_type_id, "7");
  EXPECT_EQ(m->number_of_active_runners, 7);
  ASSERT_EQ(m->runners.size(), 7u);
  EXPECT_EQ(m->runners[0].selection_id, 11131804);  // sortPriority 1 first
  EXPECT_EQ(m->runners[6].selection_id, 10257411);
  const RunnerBook* fav = m->runner(11064886);
  ASSERT_NE(fav, nullptr);
  EXPECT_EQ(fav->best_back(), (PriceSize{O(18000), 21.32}));
  EXPECT_EQ(fav->best_lay(), (PriceSize{O(21800), 48.28}));
  EXPECT_FALSE(fav->ltp.has_value());  // "ltp":0 = not traded
  const RunnerBook* one_sided = m->runner(11530194);
  ASSERT_NE(one_sided, nullptr);
  EXPECT_EQ(one_sided->best_back()->price, O(460000));
  EXPECT_FALSE(one_sided->best_lay().has_value());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, MarketEvent::Kind::Created);
}

TEST(BetfairStreamingFiles, SubImageManyMarkets) {
  MarketCache c;
  auto r = apply_file(c, "streaming_mcm_SUB_IMAGE_no_market_def.json");
  ASSERT_EQ(r.kind, Kind::Applied) << r.error;
  // 137 markets, 135 of them images with a definition, 2 bare runner deltas.
  EXPECT_EQ(c.stats().market_changes, 137u);
  EXPECT_EQ(c.stats().images, 135u);
  EXPECT_EQ(c.stats().definitions, 135u);
  EXPECT_EQ(c.markets().size(), 137u);
  const MarketBook* bare = c.market("1.169011225");
  ASSERT_NE(bare, nullptr);
  EXPECT_FALSE(bare->has_definition);
  EXPECT_EQ(bare->status, MarketStatus::Unknown);
  EXPECT_FALSE(bare->runners.empty());
  EXPECT_EQ(c.stats().snapped_prices, 0u);
  const MarketBook* m = c.market("1.168845955");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->in_play);
  EXPECT_EQ(m->bet_delay, 3);
  EXPECT_EQ(m->market_type, "MATCH_ODDS");
}

TEST(BetfairStreamingFiles, ResubDelta) {
  MarketCache c;
  auto r = apply_file(c, "streaming_mcm_RESUB_DELTA.json");
  ASSERT_EQ(r.kind, Kind::Applied) << r.error;
  EXPECT_EQ(c.stream().last_ct, "RESUB_DELTA");
  EXPECT_EQ(c.stream().initial_clk, "yhfXkdfHDMoXgtDFvwzKF9+D78QM");
  EXPECT_EQ(c.markets().size(), 43u);
  EXPECT_EQ(c.stats().conflated, 43u);
  const MarketBook* m = c.market("1.128076835");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->conflated);
  EXPECT_FALSE(m->has_definition);  // deltas only
  const RunnerBook* r1 = m->runner(10868956);
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(r1->batb.at(0), (PriceSize{O(27000), 179.35}));
  EXPECT_EQ(r1->batl.at(0), (PriceSize{O(27400), 151.65}));
  const RunnerBook* r2 = m->runner(10738672);  // "batl":[]
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(r2->batl.depth(), 0u);
  EXPECT_EQ(r2->best_back()->price, O(68000));
}

TEST(BetfairStreamingFiles, HeartbeatChangesNoMarket) {
  MarketCache c;
  ASSERT_TRUE(apply_file(c, "streaming_mcm_SUB_IMAGE.json"));
  const MarketBook before = *c.market("1.126235656");
  auto r = apply_file(c, "streaming_mcm_HEARTBEAT.json");
  EXPECT_EQ(r.kind, Kind::Heartbeat);
  EXPECT_EQ(c.stream().clk, "APIDAO4EAK8D");  // the clock still advances
  EXPECT_EQ(c.stream().last_ct, "HEARTBEAT");
  EXPECT_EQ(c.stats().heartbeats, 1u);
  EXPECT_EQ(c.markets().size(), 1u);
  EXPECT_EQ(c.market("1.126235656")->changes, before.changes);
  EXPECT_EQ(c.market("1.126235656")->last_pt, before.last_pt);
}

TEST(BetfairStreamingFiles, UpdatesOnTopOfTheImage) {
  MarketCache c;
  ASSERT_TRUE(apply_file(c, "streaming_mcm_SUB_IMAGE.json"));
  ASSERT_EQ(apply_file(c, "streaming_mcm_update.json").kind, Kind::Applied);
  const MarketBook* m = c.market("1.126235656");
  EXPECT_EQ(m->runner(11527192)->batb.at(0), (PriceSize{O(47000), 4.33}));
  EXPECT_EQ(m->runner(11527192)->batl.at(0)->price, O(9800000));  // untouched
  ASSERT_EQ(apply_file(c, "streaming_mcm_UPDATE_tv.json").kind, Kind::Applied);
  EXPECT_DOUBLE_EQ(m->tv, 69.69);
  EXPECT_EQ(c.stream().clk, "AHMAcArtjjje");
  EXPECT_EQ(c.stream().initial_clk, "ab34r43r");  // kept from the image
}

TEST(BetfairStreamingFiles, MarketDefinitionUpdate) {
  MarketCache c;
  std::vector<MarketEvent> events;
  c.set_listener([&](const MarketEvent& e) { events.push_back(e); });
  ASSERT_EQ(apply_file(c, "streaming_mcm_UPDATE_md.json").kind, Kind::Applied);
  const MarketBook* m = c.market("1.128149474");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, MarketStatus::Suspended);
  EXPECT_TRUE(m->in_play);
  EXPECT_EQ(m->bet_delay, 5);
  EXPECT_EQ(m->version, 1488624717);
  EXPECT_EQ(m->market_type, "GAME_BY_GAME_01_07");
  ASSERT_EQ(m->runners.size(), 2u);
  int status = 0, in_play = 0, delay = 0, runners = 0;
  for (const auto& e : events) {
    status += e.kind == MarketEvent::Kind::Status;
    in_play += e.kind == MarketEvent::Kind::InPlay;
    delay += e.kind == MarketEvent::Kind::BetDelay;
    runners += e.kind == MarketEvent::Kind::RunnerStatus;
  }
  EXPECT_EQ(status, 1);
  EXPECT_EQ(in_play, 1);
  EXPECT_EQ(delay, 1);
  EXPECT_EQ(runners, 2);
}

TEST(BetfairStreamingFiles, BareMarketDefinition) {
  // streaming_market_definition.json is a definition object on its own (with
  // a keyLineDefinition): not a message, but wrapped into one it applies.
  MarketCache c;
  std::string def = read_file("streaming_market_definition.json");
  EXPECT_EQ(c.apply(def).kind, Kind::Error);
  std::string msg = R"({"op":"mcm","clk":"c1","pt":1,"mc":[{"id":"1.5","marketDefinition":)" +
                    def + "}]}";
  ASSERT_EQ(c.apply(msg).kind, Kind::Applied) << c.apply(msg).error;
  const MarketBook* m = c.market("1.5");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, MarketStatus::Open);
  EXPECT_EQ(m->number_of_active_runners, 7);
  EXPECT_EQ(m->runners.size(), 7u);
}

TEST(BetfairStreamingFiles, OtherOpsAreIgnored) {
  MarketCache c;
  for (const char* f : {"streaming_connection.json", "streaming_status.json",
                        "streaming_ocm_EMPTY_IMAGE.json", "streaming_ocm_FULL_IMAGE.json",
                        "streaming_ocm_NEW_FULL_IMAGE.json", "streaming_ocm_SUB_IMAGE.json",
                        "streaming_ocm_UPDATE.json", "streaming_rcm.json"}) {
    EXPECT_EQ(apply_file(c, f).kind, Kind::Ignored) << f;
  }
  for (const auto& line : test::read_lines("historicaldata_ORDER-1.177596575"))
    EXPECT_EQ(c.apply(line).kind, Kind::Ignored);
  // Race-position lines (op last, with a numeric or a string clk).
  for (const auto& line : test::read_lines("historicaldata_RACE-1.140075353"))
    EXPECT_EQ(c.apply(line).kind, Kind::Ignored);
  EXPECT_TRUE(c.markets().empty());
  EXPECT_TRUE(c.stream().clk.empty());  // other streams' clocks are not ours
  EXPECT_EQ(c.stats().ignored, 16u);
  EXPECT_EQ(c.stats().errors, 0u);
}

TEST(BetfairStreamingFiles, Status503) {
  MarketCache c;
  auto r = apply_file(c, "streaming_503.json");
  EXPECT_EQ(r.kind, Kind::Applied) << r.error;
  EXPECT_EQ(c.stream().last_status, 503);
  EXPECT_EQ(c.stats().stream_status, 1u);
  EXPECT_TRUE(c.markets().empty());
}

// ------------------------------------------------------------ semantics

constexpr const char* kImage =
    R"({"op":"mcm","clk":"1","pt":100,"mc":[{"id":"1.9","marketDefinition":{"status":"OPEN",)"
    R"("inPlay":false,"betDelay":0,"version":1,"runners":[{"id":7,"status":"ACTIVE","sortPriority":1},)"
    R"({"id":8,"status":"ACTIVE","sortPriority":2}]},"rc":[{"id":7,"atb":[[2.5,10],[2.48,5],[2.4,1]],)"
    R"("atl":[[2.54,3],[2.6,4]],"ltp":2.52,"tv":100,"trd":[[2.52,60],[2.5,40]]}],"img":true}]})";

TEST(BetfairDeltas, LaddersSizeZeroDeletes) {
  MarketCache c;
  ASSERT_EQ(c.apply(kImage).kind, Kind::Applied);
  const MarketBook* m = c.market("1.9");
  const RunnerBook* r = m->runner(7);
  ASSERT_EQ(r->atb.size(), 3u);
  EXPECT_EQ(r->best_back(), (PriceSize{O(25000), 10}));
  EXPECT_EQ(r->best_lay(), (PriceSize{O(25400), 3}));
  EXPECT_EQ(r->ltp, O(25200));
  // Delete the best back, change a size, add a lay level in front.
  ASSERT_EQ(c.apply(R"({"op":"mcm","clk":"2","pt":101,"mc":[{"id":"1.9","rc":[{"id":7,)"
                    R"("atb":[[2.5,0],[2.4,7.5]],"atl":[[2.52,2]],"ltp":2.5,"tv":110,)"
                    R"("trd":[[2.5,50]]}]}]})")
                .kind,
            Kind::Applied);
  EXPECT_EQ(r->atb.size(), 2u);
  EXPECT_EQ(r->best_back(), (PriceSize{O(24800), 5}));
  EXPECT_EQ(r->atb.at(O(24000)), 7.5);
  EXPECT_EQ(r->best_lay(), (PriceSize{O(25200), 2}));
  EXPECT_EQ(r->ltp, O(25000));
  EXPECT_EQ(r->tv, 110);
  EXPECT_EQ(r->trd.at(O(25000)), 50);
  EXPECT_EQ(r->trd.at(O(25200)), 60);
  EXPECT_EQ(m->runner(8)->atb.size(), 0u);  // untouched runner
}

TEST(BetfairDeltas, DepthLaddersSizeZeroDeletesTheLevel) {
  MarketCache c;
  ASSERT_TRUE(c.apply(R"({"op":"mcm","clk":"1","mc":[{"id":"1.1","rc":[{"id":1,)"
                      R"("bdatb":[[0,3,10],[1,2.98,5],[2,2.96,1]]}]}]})"));
  const RunnerBook* r = c.market("1.1")->runner(1);
  EXPECT_EQ(r->bdatb.depth(), 3u);
  // Level 0 goes (price 0 with size 0 is allowed), level 2 is deleted.
  ASSERT_TRUE(c.apply(R"({"op":"mcm","clk":"2","mc":[{"id":"1.1","rc":[{"id":1,)"
                      R"("bdatb":[[0,0,0],[2,2.96,0]]}]}]})"));
  EXPECT_EQ(r->bdatb.depth(), 1u);
  EXPECT_FALSE(r->bdatb.at(0).has_value());
  EXPECT_EQ(r->bdatb.at(1), (PriceSize{O(29800), 5}));
  EXPECT_FALSE(r->best_back().has_value());  // level 0 is the best: empty
}

TEST(BetfairDeltas, ImageReplacesTheMarket) {
  MarketCache c;
  ASSERT_TRUE(c.apply(kImage));
  std::vector<MarketEvent> events;
  c.set_listener([&](const MarketEvent& e) { events.push_back(e); });
  ASSERT_TRUE(c.apply(R"({"op":"mcm","clk":"3","pt":200,"mc":[{"id":"1.9","img":true,)"
                      R"("marketDefinition":{"status":"SUSPENDED","runners":[{"id":7,"status":"ACTIVE"}]},)"
                      R"("rc":[{"id":7,"atl":[[3,1]]}]}]})"));
  const MarketBook* m = c.market("1.9");
  ASSERT_EQ(m->runners.size(), 1u);  // runner 8 went with the old image
  const RunnerBook* r = m->runner(7);
  EXPECT_TRUE(r->atb.empty());
  EXPECT_FALSE(r->ltp.has_value());
  EXPECT_EQ(r->best_lay()->price, O(30000));
  EXPECT_EQ(m->changes, 1u);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0].kind, MarketEvent::Kind::Image);
  bool suspended = false;
  for (const auto& e : events)
    if (e.kind == MarketEvent::Kind::Status && e.from == MarketStatus::Open &&
        e.to == MarketStatus::Suspended)
      suspended = true;
  EXPECT_TRUE(suspended);
}

TEST(BetfairDeltas, HandicapRunnersAreDistinct) {
  MarketCache c;
  ASSERT_TRUE(c.apply(R"({"op":"mcm","clk":"1","mc":[{"id":"1.2","rc":[)"
                      R"({"id":5,"hc":-1.5,"ltp":1.9},{"id":5,"hc":1.5,"ltp":2.1},{"id":5,"ltp":3}]}]})"));
  const MarketBook* m = c.market("1.2");
  ASSERT_EQ(m->runners.size(), 3u);
  EXPECT_EQ(m->runner(5, -1.5)->ltp, O(19000));
  EXPECT_EQ(m->runner(5, 1.5)->ltp, O(21000));
  EXPECT_EQ(m->runner(5)->ltp, O(30000));
}

TEST(BetfairDeltas, UnknownFieldsAreSkipped) {
  MarketCache c;
  auto r = c.apply(
      R"({"op":"mcm","clk":"1","newTop":{"a":[1,{"b":null}]},"_stream_id":7,"mc":[{"id":"1.3",)"
      R"("future":[1,2],"rc":[{"id":1,"spn":"NaN","spb":[[1000,2]],"x":{"y":1},"ltp":1.5}],)"
      R"("marketDefinition":{"keyLineDefinition":{"kl":[{"id":1,"hc":0}]},"status":"OPEN",)"
      R"("runners":[{"id":1,"status":"ACTIVE","bsp":"NaN","removalDate":"x"}]}}]})");
  ASSERT_EQ(r.kind, Kind::Applied) << r.error;
  EXPECT_EQ(c.market("1.3")->runner(1)->ltp, O(15000));
  EXPECT_EQ(c.market("1.3")->status, MarketStatus::Open);
}

TEST(BetfairDeltas, MalformedMessagesChangeNothing) {
  MarketCache c;
  ASSERT_TRUE(c.apply(kImage));
  const std::string clk = c.stream().clk;
  for (const char* bad : {
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","rc":[{"id":7,"atb":[[2.5,0]],"ltp":1001}]}]})",
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","rc":[{"id":7,"atb":[[2.5,0]]},{"ltp":2}]}]})",
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","rc":[{"id":7,"atb":[["2.5",1]]}]}]})",
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","rc":[{"id":7,"atb":[[2.5]]}]}]})",
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","rc":[{"id":7,"atb":[[2.5,-1]]}]}]})",
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","rc":[{"id":7,"bdatb":[[99,2.5,1]]}]}]})",
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","marketDefinition":{"inPlay":"yes"}}]})",
           R"({"op":"mcm","clk":"9","mc":[{"rc":[]}]})",
           R"({"op":"mcm","mc":[{"id":"1.9","img":true}]})",
           R"({"op":"mcm","clk":"9","mc":[{"id":"1.9","img":true}])",
           R"(not json)",
           R"([1,2])",
       }) {
    auto r = c.apply(bad);
    EXPECT_EQ(r.kind, Kind::Error) << bad;
    EXPECT_FALSE(r.error.empty());
  }
  EXPECT_EQ(c.stream().clk, clk);
  const RunnerBook* r = c.market("1.9")->runner(7);
  EXPECT_EQ(r->atb.size(), 3u);
  EXPECT_EQ(r->ltp, O(25200));
  EXPECT_EQ(c.stats().errors, 12u);
}

TEST(BetfairDeltas, NullLtpAndZeroLtp) {
  MarketCache c;
  ASSERT_TRUE(c.apply(kImage));
  ASSERT_TRUE(c.apply(R"({"op":"mcm","clk":"2","mc":[{"id":"1.9","rc":[{"id":7,"ltp":null}]}]})"));
  EXPECT_EQ(c.market("1.9")->runner(7)->ltp, O(25200));  // null: no change
  ASSERT_TRUE(c.apply(R"({"op":"mcm","clk":"3","mc":[{"id":"1.9","rc":[{"id":7,"ltp":0}]}]})"));
  EXPECT_FALSE(c.market("1.9")->runner(7)->ltp.has_value());
}

}  // namespace
}  // namespace inplay::betfair
