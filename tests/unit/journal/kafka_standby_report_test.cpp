// StandbyReport's wire form (journal/kafka_standby_report.h): what a standby
// commits as Kafka offset metadata and its leader reads back. The commit and
// the fetch themselves run against a real cluster in
// tests/integration/test_kafka_standby.py.
#include <gtest/gtest.h>

#include "journal/kafka_standby_report.h"

namespace inplay {
namespace {

StandbyReport sample() {
  StandbyReport r;
  r.book = "book-host/4242";
  r.n = 17;
  r.applied_seq = 123456;
  r.state_hash = "9f2c";
  r.caught_up = true;
  r.lag = 3;
  return r;
}

TEST(StandbyReportTest, RoundTripsThroughTheCommitMetadata) {
  const StandbyReport r = sample();
  const std::string m = encode_standby_report(r);
  EXPECT_EQ(m, "inplay-standby/1 book=book-host/4242 n=17 seq=123456 hash=9f2c caught_up=1 lag=3");
  EXPECT_LT(m.size(), 4096u) << "Kafka's default offset.metadata.max.bytes";
  EXPECT_EQ(decode_standby_report(m), r);

  StandbyReport empty_hash = r;
  empty_hash.state_hash.clear();
  empty_hash.caught_up = false;
  EXPECT_EQ(decode_standby_report(encode_standby_report(empty_hash)), empty_hash);
}

TEST(StandbyReportTest, KeepsEachFieldOneToken) {
  StandbyReport r = sample();
  r.book = "odd host=x\n";
  const auto back = decode_standby_report(encode_standby_report(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->book, "odd_host_x_");
  EXPECT_EQ(back->applied_seq, r.applied_seq);
}

TEST(StandbyReportTest, AnythingElseIsNoReport) {
  for (const char* m : {"", "inplay-standby/1", "inplay-standby/2 book=a n=1 seq=1 hash= caught_up=1 lag=0",
                        "some other tool's commit", "inplay-standby/1 book=a n=1 seq=1 hash= caught_up=1",
                        "inplay-standby/1 book=a n=1 seq=1 hash= caught_up=2 lag=0",
                        "inplay-standby/1 book=a n=x seq=1 hash= caught_up=1 lag=0",
                        "inplay-standby/1 book=a n=1 seq=-1 hash= caught_up=1 lag=0",
                        "inplay-standby/1 book= n=1 seq=1 hash= caught_up=1 lag=0",
                        "inplay-standby/1 book=a n=1 n=2 seq=1 hash= caught_up=1 lag=0",
                        "inplay-standby/1 book=a n=1 seq=1 hash= caught_up=1 lag=0 extra=1",
                        "inplay-standby/1 book=a=b n=1 seq=1 hash= caught_up=1 lag=0",
                        "inplay-standby/1 book=a\xc3\xa9 n=1 seq=1 hash= caught_up=1 lag=0",
                        "inplay-standby/1  book=a n=1 seq=1 hash= caught_up=1 lag=0"})
    EXPECT_FALSE(decode_standby_report(m)) << m;
}

TEST(StandbyReportTest, NamesThisProcessAndTheGroup) {
  const std::string id = this_book_id();
  EXPECT_NE(id.find('/'), std::string::npos);
  EXPECT_EQ(id.find(' '), std::string::npos);
  KafkaJournalOptions k;
  k.transactional_id = "book-1";
  EXPECT_EQ(standby_group(k), "book-1.standby");
}

}  // namespace
}  // namespace inplay
