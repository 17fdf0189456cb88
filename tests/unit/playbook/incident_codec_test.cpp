// Incident codec (src/playbook/incident_codec.h): an incident with every
// field set survives encode/decode exactly; missing fields keep defaults;
// text that is not a snapshot is refused.
#include "playbook/incident_codec.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

Incident full_incident() {
  Incident i;
  i.id = 7;
  i.group_key = "{league=\"EPL\",service=\"odds\"}";
  i.group_labels = {{"league", "EPL"}, {"service", "odds"}};
  i.title = "prices on top markets are older than their limit (\"EPL\")";
  i.severity = "page";
  i.status = "recovering";
  i.high_exposure = true;
  i.exposure_minor = -123456789012;
  i.markets = {101, 102, UINT64_MAX};
  i.alerts = {"odds_stale", "feed_schema_skew"};
  i.slice = "league=EPL (95% of bad, 2% of good)";
  i.slice_from_traces = true;
  i.slice_checked_ns = 1'800'000'000'000'000'001;
  i.trace_ids = {"0af7651916cd43dd8448eb211c80319c"};
  i.fault_ns = 1;
  i.opened_ns = 2;
  i.contained_ns = 3;
  i.recovered_ns = 4;
  i.resolved_ns = 0;
  i.timeline = {{2, "detect", "odds_stale fired on 2 market(s)"}, {3, "contain", "done: froze\ncash-out"}};
  IncidentAction a;
  a.id = 12;
  a.playbook = "stale_prices_on_top_markets";
  a.spec = ActionSpec{ActionType::kLowerStakeCap, 500, true};
  a.target.sport = "football";
  a.target.feed = "football-primary";
  a.target.league = "EPL";
  a.target.markets = {101, 102};
  a.status = "done";
  a.actor = "playbook:stale_prices_on_top_markets";
  a.detail = "capped stakes on 2 markets";
  a.at_ns = 3;
  a.reverted_ns = 9;
  a.automatic = false;
  a.revert_on_resolve = false;
  a.outcome.detail = "capped";
  a.outcome.previous = {{101, 0}, {102, -1}};
  a.outcome.previous_feed = "football-backup";
  a.outcome.markets = {101, 102};
  a.outcome.applied_by = "playbook:x";
  a.error = ErrorCode::kFeedUnavailable;
  i.actions.push_back(a);
  IncidentAction b;
  b.id = 13;
  b.spec.type = ActionType::kSwitchFeed;
  i.actions.push_back(b);
  i.status_note.message = "Some in-play bets are \"delayed\"; we are on it.";
  i.status_note.status = PublicStatus::kMajorOutage;
  i.status_note.published_ns = 5;
  i.status_note.updated_ns = 6;
  i.status_note.actor = "operator:trader";
  return i;
}

TEST(IncidentCodec, EveryFieldRoundTrips) {
  const Incident i = full_incident();
  const std::string text = encode_incident(i);
  const Incident back = decode_incident(text);
  EXPECT_EQ(encode_incident(back), text);  // and so every field, compared as text
  EXPECT_EQ(back.id, 7u);
  EXPECT_EQ(back.group_labels, i.group_labels);
  EXPECT_EQ(back.markets, i.markets);
  EXPECT_EQ(back.exposure_minor, i.exposure_minor);
  EXPECT_EQ(back.timeline[1].what, "done: froze\ncash-out");
  ASSERT_EQ(back.actions.size(), 2u);
  EXPECT_EQ(back.actions[0].spec.type, ActionType::kLowerStakeCap);
  EXPECT_EQ(back.actions[0].spec.value, 500);
  EXPECT_TRUE(back.actions[0].spec.league_scope);
  EXPECT_EQ(back.actions[0].outcome.previous, i.actions[0].outcome.previous);
  EXPECT_EQ(back.actions[0].error, ErrorCode::kFeedUnavailable);
  EXPECT_FALSE(back.actions[0].automatic);
  EXPECT_EQ(back.actions[1].spec.type, ActionType::kSwitchFeed);
  EXPECT_EQ(back.status_note, i.status_note);
}

TEST(IncidentCodec, MissingFieldsKeepTheirDefaults) {
  Incident i = decode_incident(R"({"id":3,"title":"t","later_field":[1,2]})");
  EXPECT_EQ(i.id, 3u);
  EXPECT_EQ(i.title, "t");
  EXPECT_EQ(i.status, "open");
  EXPECT_TRUE(i.actions.empty());
  EXPECT_FALSE(i.status_note.published());  // a snapshot from before status notes
}

TEST(IncidentCodec, TextThatIsNotASnapshotIsRefused) {
  for (const char* bad : {"", "[]", "{", R"({"title":"no id"})", R"({"id":"3"})", R"({"id":3,"markets":[-1]})",
                          R"({"id":3,"actions":[{"id":1,"spec":{"type":"launch_rockets"},"target":{},"outcome":{}}]})",
                          R"({"id":3,"status_note":{"message":"m","status":"on_fire"}})", R"({"id":3,"status_note":"m"})"})
    EXPECT_THROW(decode_incident(bad), IncidentDecodeError) << bad;
}

}  // namespace
}  // namespace inplay
