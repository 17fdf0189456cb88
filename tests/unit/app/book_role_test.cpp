// BookRole and StandbyHandler (app/book_role.h, app/standby_handler.h): what
// a standby shows while it follows, and what changes when it takes over.
// The Kafka side is proven against a real cluster in
// tests/integration/test_kafka_standby.py.
#include <gtest/gtest.h>

#include <string>

#include "app/book_role.h"
#include "app/standby_handler.h"
#include "core/clock.h"
#include "telemetry/metrics.h"

namespace inplay {
namespace {

HttpResponse ask(StandbyHandler& h, std::string method, std::string target) {
  HttpRequest req;
  req.method = std::move(method);
  req.target = std::move(target);
  HttpResponse got;
  int calls = 0;
  h.handle(std::move(req), [&](HttpResponse r) {
    got = std::move(r);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
  return got;
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(BookRoleTest, AStandbyShowsItsProgressAndHashesOnlyWhatIsNew) {
  MetricsRegistry metrics;
  BookRole role(metrics, /*standby=*/true);
  int hashes = 0;
  KafkaStandby s = role.following([] { return false; }, [&] { return "hash-" + std::to_string(++hashes); });
  ASSERT_TRUE(s.enabled);
  ASSERT_TRUE(s.on_follow && s.on_lease_out);

  s.on_follow({/*applied_seq=*/10, /*lag=*/5, /*silent_ms=*/0, /*caught_up=*/false});
  StandbyStatus st = role.status();
  EXPECT_EQ(st.applied_seq, 10u);
  EXPECT_EQ(st.lag, 5);
  EXPECT_EQ(st.state_hash, "hash-1") << "the first progress is hashed";
  EXPECT_FALSE(st.caught_up);

  s.on_follow({10, 0, 300, true});  // nothing new: no second hash
  EXPECT_EQ(hashes, 1);
  st = role.status();
  EXPECT_TRUE(st.caught_up) << "caught up, and the hash is of the last record applied";
  EXPECT_EQ(st.silent_ms, 300);

  s.on_follow({12, 0, 0, true});  // caught up after something new: hashed at once
  EXPECT_EQ(hashes, 2);
  EXPECT_EQ(role.status().state_hash, "hash-2");

  const std::string text = metrics.render_prometheus();
  EXPECT_NE(text.find("book_role{role=\"standby\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("book_role{role=\"leader\"} 0"), std::string::npos);
  EXPECT_NE(text.find("journal_standby_applied_seq 12"), std::string::npos);
}

TEST(BookRoleTest, TakingOverCountsTimesAndRaisesTheSignalForTenMinutes) {
  MetricsRegistry metrics;
  BookRole role(metrics, /*standby=*/true);
  KafkaStandby s = role.following([] { return false; }, [] { return std::string("h"); });
  EXPECT_EQ(role.last_takeover_ms(), -1);
  s.on_lease_out();
  const int64_t t = monotonic_ns();
  role.now_leading(t + 400'000'000);
  EXPECT_FALSE(role.standby());
  EXPECT_GE(role.last_takeover_ms(), 400);
  constexpr int64_t kTenMinutes = 600'000'000'000;
  EXPECT_EQ(role.took_over_within(t + 500'000'000, kTenMinutes), 1.0);
  EXPECT_EQ(role.took_over_within(t + 400'000'000 + kTenMinutes, kTenMinutes), 0.0);
  const std::string text = metrics.render_prometheus();
  EXPECT_NE(text.find("book_role{role=\"leader\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("book_takeovers_total 1"), std::string::npos);

  role.now_leading(t + 900'000'000);  // already leading: nothing more
  EXPECT_NE(metrics.render_prometheus().find("book_takeovers_total 1"), std::string::npos);
}

TEST(BookRoleTest, ALeaderNeverTookOverAndAFenceIsSeen) {
  MetricsRegistry metrics;
  BookRole role(metrics, /*standby=*/false);
  EXPECT_FALSE(role.following({}, {}).enabled);
  EXPECT_EQ(role.took_over_within(monotonic_ns(), 600'000'000'000), 0.0);
  std::string why;
  KafkaJournalHooks hooks = role.journal_hooks([&](const std::string& w) { why = w; });
  hooks.on_commit(80'000'000, 12);
  hooks.on_commit(70'000'000, 0);
  hooks.on_abort();
  hooks.on_fatal("commit_transaction: fenced");
  EXPECT_EQ(why, "commit_transaction: fenced");
  const std::string text = metrics.render_prometheus();
  EXPECT_NE(text.find("book_fenced 1"), std::string::npos) << text;
  EXPECT_NE(text.find("journal_kafka_aborts_total 1"), std::string::npos);
  EXPECT_NE(text.find("journal_kafka_commit_seconds_count{kind=\"records\"} 1"), std::string::npos);
  EXPECT_NE(text.find("journal_kafka_commit_seconds_count{kind=\"lease\"} 1"), std::string::npos);
}

TEST(StandbyHandlerTest, ServesProbesAndMetricsAndRefusesTheRestNotLeader) {
  MetricsRegistry metrics;
  BookRole role(metrics, /*standby=*/true);
  KafkaStandby s = role.following([] { return false; }, [] { return std::string("abc123"); });
  s.on_follow({7, 0, 100, true});
  StandbyHandler h(role, metrics);

  HttpResponse r = ask(h, "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"role\":\"standby\""), std::string::npos) << r.body;

  r = ask(h, "GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"code\":\"NOT_LEADER\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"applied_seq\":7"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"state_hash\":\"abc123\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"caught_up\":true"), std::string::npos) << r.body;

  r = ask(h, "GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("book_role{role=\"standby\"} 1"), std::string::npos);

  for (auto [method, target] : {std::pair{"POST", "/v1/bets"}, std::pair{"GET", "/v1/events"},
                                std::pair{"POST", "/readyz"}, std::pair{"GET", "/"}}) {
    r = ask(h, method, target);
    EXPECT_EQ(r.status, 503) << method << " " << target;
    EXPECT_NE(r.body.find("\"code\":\"NOT_LEADER\""), std::string::npos) << r.body;
    EXPECT_EQ(header(r, "Retry-After"), "1");
  }
}

}  // namespace
}  // namespace inplay
