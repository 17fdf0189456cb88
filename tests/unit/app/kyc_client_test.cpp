// The KYC client (app/kyc_client.h) against the simulated vendor over real
// sockets, through the partner-call layer it shares with the PSP client
// (app/partner_call.h): the vendor's word mapped to the port's; a vendor
// that is down failing every attempt under the same key until the breaker
// opens, then screenings failing at once as never sent. Waits are bounded;
// nothing asserts speed.
#include "app/kyc_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "sim/kyc_vendor.h"

namespace inplay {
namespace {

using namespace std::chrono_literals;

class KycClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vendor.start();
    terms.name = "kyc-a";
    terms.timeout = 300ms;
    terms.attempts = 2;
    terms.retry = 10ms;
    terms.breaker_failures = 3;
    terms.breaker_open = 60s;
    terms.threads = 1;
    KycVendorFaultPatch quick;
    quick.latency_ms = 0;
    quick.jitter_ms = 0;
    vendor.apply(quick);
  }
  void TearDown() override { vendor.stop(); }

  VendorAnswer screen(KycClient& c, uint64_t id) {
    auto p = std::make_shared<std::promise<VendorAnswer>>();
    auto f = p->get_future();
    ScreeningCall call;
    call.screening_id = id;
    call.subject = "account";
    call.subject_ref = "mask-1";
    call.currency = "GBP";
    c.screen(call, [p](VendorAnswer a) { p->set_value(a); });
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }

  KycVendor vendor{"kyc-a", 7};
  MetricsRegistry metrics;
  KycVendorTerms terms;
};

TEST_F(KycClientTest, AnswersAreTheVendorsWord) {
  KycClient c(terms, vendor.url(), metrics);
  c.start();
  VendorAnswer a = screen(c, 1);
  EXPECT_EQ(a.kind, VendorAnswer::Kind::kClear) << a.detail;
  EXPECT_EQ(a.vendor, "kyc-a");
  EXPECT_EQ(a.vendor_ref, "kyc-a-1");
  EXPECT_EQ(a.attempts, 1);
  KycVendorFaultPatch rejecting;
  rejecting.reject_rate = 1.0;
  vendor.apply(rejecting);
  a = screen(c, 2);
  EXPECT_EQ(a.kind, VendorAnswer::Kind::kReject);
  EXPECT_EQ(a.detail, "sanctions_match");
  c.stop();
}

TEST_F(KycClientTest, AVendorDownFailsEveryAttemptThenTheBreakerSendsNothing) {
  KycClient c(terms, vendor.url(), metrics);
  c.start();
  KycVendorFaultPatch down;
  down.down = true;
  vendor.apply(down);
  VendorAnswer a = screen(c, 1);
  EXPECT_EQ(a.kind, VendorAnswer::Kind::kFailed);
  EXPECT_EQ(a.attempts, 2);
  EXPECT_EQ(a.detail, "vendor answered 503");
  EXPECT_TRUE(c.available());
  a = screen(c, 2);  // the third failed call opens the breaker
  EXPECT_EQ(a.attempts, 1);
  EXPECT_EQ(a.detail, "vendor answered 503; then the circuit breaker opened");
  EXPECT_FALSE(c.available());
  a = screen(c, 3);
  EXPECT_EQ(a.kind, VendorAnswer::Kind::kFailed);
  EXPECT_EQ(a.attempts, 0);  // never sent
  EXPECT_EQ(a.detail, "circuit breaker open");
  EXPECT_TRUE(vendor.screenings().empty());
  c.stop();
}

TEST_F(KycClientTest, StoppedItAnswersNeverSent) {
  KycClient c(terms, vendor.url(), metrics);
  c.start();
  c.stop();
  VendorAnswer a = screen(c, 1);
  EXPECT_EQ(a.kind, VendorAnswer::Kind::kFailed);
  EXPECT_EQ(a.attempts, 0);
  EXPECT_EQ(a.detail, "stopping");
}

}  // namespace
}  // namespace inplay
