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
  s.on_follow({12, 0, 100, false});  // a poll that only waited: still at the end
  EXPECT_TRUE(role.status().caught_up);
  s.on_follow({13, 4, 0, false});  // read something, not to the end
  EXPECT_FALSE(role.status().caught_up);
  s.on_follow({13, 0, 100, false});
  EXPECT_FALSE(role.status().caught_up) << "not at the end until a read says so";
  s.on_follow({13, 0, 0, true});
  EXPECT_TRUE(role.status().caught_up);

  const std::string text = metrics.render_prometheus();
  EXPECT_NE(text.find("book_role{role=\"standby\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("book_role{role=\"leader\"} 0"), std::string::npos);
  EXPECT_NE(text.find("journal_standby_applied_seq 13"), std::string::npos);
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

TEST(BookRoleTest, AStandbyReportsItsSeqWithTheHashOfThatSeqOnly) {
  MetricsRegistry metrics;
  BookRole role(metrics, /*standby=*/true);
  int hashes = 0;
  KafkaStandby s = role.following([] { return false; }, [&] { return "h" + std::to_string(++hashes); });
  ASSERT_TRUE(s.report);
  s.on_follow({/*applied_seq=*/7, /*lag=*/3, /*silent_ms=*/0, /*caught_up=*/false});
  StandbyReport a = s.report();
  EXPECT_EQ(a.book, this_book_id());
  EXPECT_EQ(a.n, 1u);
  EXPECT_EQ(a.applied_seq, 7u);
  EXPECT_EQ(a.state_hash, "h1");
  EXPECT_EQ(a.lag, 3);
  EXPECT_FALSE(a.caught_up);
  s.on_follow({8, 0, 0, false});  // within 250 ms of the last hash: not hashed again
  StandbyReport b = s.report();
  EXPECT_EQ(b.n, 2u) << "every report has a new number, so an idle standby still shows it is alive";
  EXPECT_EQ(b.applied_seq, 8u);
  EXPECT_EQ(b.state_hash, "") << "the hash taken at seq 7 is not the state at seq 8";
  // What the standby commits is what the leader reads back.
  EXPECT_EQ(decode_standby_report(encode_standby_report(b)), b);
}

StandbyReport report_from(std::string book, uint64_t n, uint64_t seq, bool caught_up = true) {
  StandbyReport r;
  r.book = std::move(book);
  r.n = n;
  r.applied_seq = seq;
  r.state_hash = "abc";
  r.caught_up = caught_up;
  return r;
}

TEST(BookRoleTest, ALeaderShowsItsStandbyAsHeardAndFlagsOneThatWentSilent) {
  MetricsRegistry metrics;
  BookRole role(metrics, /*standby=*/false);
  const int64_t t = 1'000'000'000'000;
  role.heard(std::nullopt, 40, t);
  EXPECT_NE(role.status_json(40, t).find(R"("standby":null)"), std::string::npos) << "none heard yet";
  EXPECT_EQ(role.standby_lost(t + BookRole::kStandbyLostNs * 2), 0.0) << "never heard: nothing was lost";

  // Its own report (from when this book stood by) is no standby.
  role.heard(report_from(this_book_id(), 9, 30), 40, t);
  EXPECT_NE(role.status_json(40, t).find(R"("standby":null)"), std::string::npos);

  // The report Kafka holds when this book starts may be old: not yet a standby.
  role.heard(report_from("other/77", 1, 30), 40, t);
  EXPECT_NE(role.status_json(40, t).find(R"("standby":null)"), std::string::npos);
  role.heard(report_from("other/77", 1, 30), 40, t + 500'000'000);
  EXPECT_NE(role.status_json(40, t).find(R"("standby":null)"), std::string::npos) << "unchanged: still not news";
  EXPECT_EQ(role.standby_lost(t + BookRole::kStandbyLostNs * 2), 0.0) << "a standby never heard is not lost";

  role.heard(report_from("other/77", 2, 35), 40, t);
  std::string j = role.status_json(42, t + 200'000'000);
  EXPECT_NE(j.find(R"("role":"leader","journal":"kafka")"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("book":"other/77","applied_seq":35,"lag_records":7)"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("heard_ms_ago":200,"status":"following")"), std::string::npos) << j;
  EXPECT_NE(metrics.render_prometheus().find("book_standby_lag_records 5"), std::string::npos)
      << "durable seq 40 at the fetch, standby at 35";

  // The same report again is not news: the standby is silent, then lost.
  role.heard(report_from("other/77", 2, 35), 40, t + 6'000'000'000);
  j = role.status_json(40, t + 6'000'000'000);
  EXPECT_NE(j.find(R"("status":"silent")"), std::string::npos) << j;
  EXPECT_EQ(role.standby_lost(t + BookRole::kStandbyLostNs - 1), 0.0);
  EXPECT_EQ(role.standby_lost(t + BookRole::kStandbyLostNs), 1.0);
  EXPECT_NE(role.status_json(40, t + BookRole::kStandbyLostNs).find(R"("status":"lost")"), std::string::npos);

  // Kafka not answering keeps the last report and says so.
  role.heard(std::nullopt, 41, t + 7'000'000'000, "Broker: Coordinator not available");
  j = role.status_json(41, t + 7'000'000'000);
  EXPECT_NE(j.find(R"("applied_seq":35)"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("watch_error":"Broker: Coordinator not available")"), std::string::npos) << j;

  // A new report (the next number) brings it back.
  role.heard(report_from("other/77", 3, 41), 41, t + BookRole::kStandbyLostNs + 1);
  EXPECT_EQ(role.standby_lost(t + BookRole::kStandbyLostNs + 2), 0.0);
  j = role.status_json(41, t + BookRole::kStandbyLostNs + 2);
  EXPECT_NE(j.find(R"("lag_records":0)"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("status":"following")"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("watch_error":null)"), std::string::npos) << j;
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
