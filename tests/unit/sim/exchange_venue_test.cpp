// The simulated exchange (sim/exchange_venue.h) and the book's client of it
// (app/hedge_venue_client.h), over a real socket on loopback: a fill, the
// same order again answered the same without a second match, a rejection,
// 503s and an outage as `failed` (sent again), a slow venue that answers
// after the client gave up still holding the order (so the resend gets the
// first fill), and answers we cannot read.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "app/hedge_venue_client.h"
#include "core/odds.h"
#include "sim/exchange_venue.h"

namespace inplay {
namespace {

HedgeOrder order(uint64_t id, int64_t stake = 10'000) {
  return HedgeOrder{id, "exchange", 101, 1011, stake, 25000};
}

HedgeAnswer call(HedgeVenueClient& c, const HedgeOrder& o) {
  std::promise<HedgeAnswer> p;
  auto f = p.get_future();
  c.send(o, [&p](HedgeAnswer a) { p.set_value(std::move(a)); });
  return f.get();
}

class VenueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    venue_.start();
    venue_.apply(VenueFaultPatch{.latency_ms = 0});
    client_ = std::make_unique<HedgeVenueClient>(venue_.url(), std::chrono::milliseconds(300));
    client_->start();
  }
  void TearDown() override {
    client_->stop();
    venue_.stop();
  }
  ExchangeVenue venue_{7};
  std::unique_ptr<HedgeVenueClient> client_;
};

TEST_F(VenueTest, FillsOnceAndAnswersARepeatTheSame) {
  HedgeAnswer a = call(*client_, order(1));
  EXPECT_EQ(a.kind, HedgeAnswer::Kind::kFilled) << a.detail;
  EXPECT_EQ(a.matched_stake_minor, 10'000);
  EXPECT_EQ(a.matched_odds, 25000);
  EXPECT_GT(a.took_ns, 0);
  HedgeAnswer again = call(*client_, order(1));
  EXPECT_EQ(again.kind, HedgeAnswer::Kind::kFilled);
  EXPECT_EQ(again.matched_stake_minor, 10'000);
  auto book = venue_.orders();
  ASSERT_EQ(book.size(), 1u);
  EXPECT_EQ(book.begin()->second.requests, 2);
  EXPECT_EQ(book.begin()->second.matched_minor, 10'000);
}

TEST_F(VenueTest, PartialFillsAndRejections) {
  venue_.apply(VenueFaultPatch{.fill_ratio = 0.5});
  HedgeAnswer a = call(*client_, order(2));
  EXPECT_EQ(a.kind, HedgeAnswer::Kind::kFilled);
  EXPECT_EQ(a.matched_stake_minor, 5'000);
  venue_.apply(VenueFaultPatch{.fill_ratio = 0.0});
  a = call(*client_, order(3));
  EXPECT_EQ(a.kind, HedgeAnswer::Kind::kRejected);
  EXPECT_EQ(a.detail, "no liquidity at the price");
  venue_.apply(VenueFaultPatch{.reject_rate = 1.0, .fill_ratio = 1.0});
  EXPECT_EQ(call(*client_, order(4)).kind, HedgeAnswer::Kind::kRejected);
  // A rejected order stays rejected when sent again, whatever the venue does now.
  venue_.apply(VenueFaultPatch{.reject_rate = 0.0});
  EXPECT_EQ(call(*client_, order(4)).kind, HedgeAnswer::Kind::kRejected);
}

TEST_F(VenueTest, ErrorsAndOutagesAreFailedAndRecordNothing) {
  venue_.apply(VenueFaultPatch{.error_rate = 1.0});
  HedgeAnswer a = call(*client_, order(5));
  EXPECT_EQ(a.kind, HedgeAnswer::Kind::kFailed);
  EXPECT_EQ(a.detail, "venue answered 503");
  venue_.apply(VenueFaultPatch{.error_rate = 0.0, .down = true});
  EXPECT_EQ(call(*client_, order(5)).kind, HedgeAnswer::Kind::kFailed);
  EXPECT_TRUE(venue_.orders().empty());
  venue_.apply(VenueFaultPatch{.down = false});
  EXPECT_EQ(call(*client_, order(5)).kind, HedgeAnswer::Kind::kFilled);
}

TEST_F(VenueTest, ASlowAnswerIsFailedButTheOrderStandsSoTheResendGetsTheFirstFill) {
  venue_.apply(VenueFaultPatch{.latency_ms = 800});
  HedgeAnswer a = call(*client_, order(6));
  EXPECT_EQ(a.kind, HedgeAnswer::Kind::kFailed);  // the client gave up after 300 ms
  ASSERT_EQ(venue_.orders().size(), 1u);          // but the venue matched it
  venue_.apply(VenueFaultPatch{.latency_ms = 0, .fill_ratio = 0.1});
  a = call(*client_, order(6));
  EXPECT_EQ(a.kind, HedgeAnswer::Kind::kFilled);
  EXPECT_EQ(a.matched_stake_minor, 10'000);  // the first match, not a second one at today's ratio
  EXPECT_EQ(venue_.orders().begin()->second.requests, 2);
}

TEST(VenueClient, NobodyListeningIsFailedAndAFullQueueAnswersAtOnce) {
  ExchangeVenue gone(1);
  const uint16_t port = gone.start();
  gone.stop();
  HedgeVenueClient c("http://127.0.0.1:" + std::to_string(port), std::chrono::milliseconds(200), 1, 0);
  c.start();
  HedgeAnswer a = call(c, order(1));  // max_queue 0: refused before any call
  EXPECT_EQ(a.kind, HedgeAnswer::Kind::kFailed);
  EXPECT_EQ(a.detail, "hedging port queue full");
  c.stop();
  EXPECT_THROW(HedgeVenueClient("ftp://x", std::chrono::milliseconds(1)), std::invalid_argument);
}

TEST(VenueAnswer, OnlyAReadableMatchOrRejectionIsFinal) {
  EXPECT_EQ(parse_venue_answer(1, 200, R"({"status":"matched","matched_stake_minor":5,"price":"2.5"})", "").kind,
            HedgeAnswer::Kind::kFilled);
  EXPECT_EQ(parse_venue_answer(1, 409, R"({"status":"rejected","reason":"closed"})", "").detail, "closed");
  EXPECT_EQ(parse_venue_answer(1, 200, R"({"status":"matched","matched_stake_minor":0,"price":"2.5"})", "").kind,
            HedgeAnswer::Kind::kFailed);
  EXPECT_EQ(parse_venue_answer(1, 200, R"({"status":"matched","matched_stake_minor":5,"price":"two"})", "").kind,
            HedgeAnswer::Kind::kFailed);
  EXPECT_EQ(parse_venue_answer(1, 200, "not json", "").kind, HedgeAnswer::Kind::kFailed);
  EXPECT_EQ(parse_venue_answer(1, 409, R"({"status":"matched"})", "").kind, HedgeAnswer::Kind::kFailed);
  EXPECT_EQ(parse_venue_answer(1, 500, "", "").kind, HedgeAnswer::Kind::kFailed);
  EXPECT_EQ(parse_venue_answer(1, 0, "", "connect: refused").detail, "connect: refused");
}

}  // namespace
}  // namespace inplay
