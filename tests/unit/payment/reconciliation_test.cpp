#include "payment/reconciliation.h"

#include <gtest/gtest.h>

#include "payment/psp_failure_baseline.h"
#include "payment/reconciliation_board.h"

namespace inplay {
namespace {

constexpr const char* kHeader = "psp_ref,payment_id,kind,amount_minor,currency,status,created_ms\n";

Payment pay(uint64_t id, PaymentStatus st, int64_t amount = 1000, TransferReason kind = TransferReason::kDeposit,
            std::string route = "psp-a") {
  Payment p;
  p.id = id;
  p.account = "erin";
  p.kind = kind;
  p.amount = amount;
  p.route = std::move(route);
  p.status = st;
  return p;
}

SettlementRow row(std::string ref, std::string id, std::string status = "authorised", int64_t amount = 1000,
                  std::string kind = "deposit", std::string currency = "GBP") {
  return SettlementRow{std::move(ref), std::move(id), std::move(kind), amount, std::move(currency), std::move(status), 1};
}

TEST(SettlementReport, ReadsRowsAndTheFinalNewline) {
  auto r = parse_settlement_report(std::string(kHeader) + "psp-a-1,1,deposit,2500,GBP,authorised,17\r\n" +
                                   "psp-a-2,2,payout,700,GBP,declined,18\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().size(), 2u);
  EXPECT_EQ(r.value()[0].psp_ref, "psp-a-1");
  EXPECT_EQ(r.value()[0].amount_minor, 2500);
  EXPECT_EQ(r.value()[1].kind, "payout");
  EXPECT_EQ(r.value()[1].status, "declined");
  EXPECT_EQ(r.value()[1].created_ms, 18);
  auto empty = parse_settlement_report(kHeader);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());
}

TEST(SettlementReport, RefusesJunkNamingTheLine) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "no header"},
      {"ref,id\n", "the header must be"},
      {std::string(kHeader) + "psp-a-1,1,deposit,25x0,GBP,authorised,17\n", "line 2: amount_minor"},
      {std::string(kHeader) + "psp-a-1,1,deposit,-5,GBP,authorised,17\n", "line 2: amount_minor"},
      {std::string(kHeader) + "psp-a-1,1,deposit,5,GBP,authorised\n", "line 2: 6 fields"},
      {std::string(kHeader) + "psp-a-1,1,refund,5,GBP,authorised,1\n", "line 2: kind"},
      {std::string(kHeader) + "psp-a-1,1,deposit,5,gbp,authorised,1\n", "line 2: currency"},
      {std::string(kHeader) + "psp-a-1,1,deposit,5,GBP,pending,1\n", "line 2: status"},
      {std::string(kHeader) + "psp-a-1,1,deposit,5,GBP,authorised,soon\n", "line 2: created_ms"},
      {std::string(kHeader) + ",1,deposit,5,GBP,authorised,1\n", "line 2: psp_ref"},
      {std::string(kHeader) + "psp-a-1,\"1\",deposit,5,GBP,authorised,1\n", "line 2: payment_id"},
      {std::string(kHeader) + "psp-a-1,1,deposit,5,GBP,authorised,1\n\npsp-a-2,2,deposit,5,GBP,authorised,1\n",
       "line 3: an empty line"},
      {std::string(kHeader) + "psp-a-1,1,deposit,5,GBP,authorised,1\n<html>oops</html>\n", "line 3:"},
  };
  for (const auto& [csv, want] : cases) {
    auto r = parse_settlement_report(csv);
    ASSERT_FALSE(r.ok()) << csv;
    EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed);
    EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message << " / want " << want;
  }
}

TEST(Reconcile, ACleanDayHasNoMismatch) {
  std::vector<Payment> book{pay(1, PaymentStatus::kAuthorised), pay(2, PaymentStatus::kDeclined),
                            pay(3, PaymentStatus::kAuthorised, 500, TransferReason::kWithdrawal),
                            pay(4, PaymentStatus::kDeclined), pay(5, PaymentStatus::kAuthorised, 9, TransferReason::kDeposit, "psp-b")};
  // 4 was declined by the book (it never left): the PSP has no row for it.
  std::vector<SettlementRow> rows{row("psp-a-1", "1"), row("psp-a-2", "2", "declined"),
                                  row("psp-a-3", "3", "authorised", 500, "payout")};
  Reconciliation r = reconcile("psp-a", book, rows, "GBP");
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches.front().detail;
  EXPECT_EQ(r.book_payments, 4u);
  EXPECT_EQ(r.matched, 3u);
  EXPECT_EQ(r.held, 3u);
  EXPECT_EQ(r.held_once, 3u);
  EXPECT_EQ(r.duplicates, 0u);
}

TEST(Reconcile, FindsEveryKindOfMismatch) {
  std::vector<Payment> book{
      pay(1, PaymentStatus::kAuthorised),                                   // charged twice
      pay(2, PaymentStatus::kAuthorised),                                   // missing at the PSP
      pay(3, PaymentStatus::kAuthorised),                                   // declined at the PSP
      pay(4, PaymentStatus::kDeclined),                                     // authorised at the PSP
      pay(5, PaymentStatus::kAuthorised, 1000),                             // another amount
      pay(6, PaymentStatus::kAuthorised, 1000, TransferReason::kWithdrawal),  // another kind
      pay(7, PaymentStatus::kAuthorised, 1000, TransferReason::kDeposit, "psp-b"),
  };
  std::vector<SettlementRow> rows{
      row("psp-a-1", "1"), row("psp-a-9", "1"),
      row("psp-a-3", "3", "declined"),
      row("psp-a-4", "4", "authorised"),
      row("psp-a-5", "5", "authorised", 1001),
      row("psp-a-6", "6", "authorised", 1000, "deposit"),
      row("psp-a-7", "7"),          // psp-b's payment, on psp-a
      row("psp-a-8", "card-test"),  // never the book's
      row("psp-a-10", "0042"),      // not the book's spelling of an id
  };
  Reconciliation r = reconcile("psp-a", book, rows, "GBP");
  EXPECT_EQ(r.count(MismatchKind::kDuplicate), 1u);
  EXPECT_EQ(r.count(MismatchKind::kMissingAtPsp), 1u);
  EXPECT_EQ(r.count(MismatchKind::kStatus), 2u);
  EXPECT_EQ(r.count(MismatchKind::kAmount), 1u);
  EXPECT_EQ(r.count(MismatchKind::kKind), 1u);
  EXPECT_EQ(r.count(MismatchKind::kUnknownAtBook), 3u);
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_EQ(r.held, 5u);       // 1, 3, 4, 5, 6
  EXPECT_EQ(r.held_once, 4u);  // all but 1
  ASSERT_FALSE(r.mismatches.empty());
  EXPECT_EQ(r.mismatches[0].kind, MismatchKind::kDuplicate);
  EXPECT_EQ(r.mismatches[0].payment_id, "1");
  EXPECT_EQ(r.mismatches[0].psp_refs, (std::vector<std::string>{"psp-a-1", "psp-a-9"}));
  for (const Mismatch& m : r.mismatches)
    if (m.payment_id == "7") EXPECT_NE(m.detail.find("another route"), std::string::npos);
}

TEST(Reconcile, ACurrencyOtherThanTheBooksIsAnAmountMismatch) {
  Reconciliation r = reconcile("psp-a", {pay(1, PaymentStatus::kAuthorised)},
                               {row("psp-a-1", "1", "authorised", 1000, "deposit", "EUR")}, "GBP");
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_EQ(r.mismatches[0].kind, MismatchKind::kAmount);
}

TEST(Reconcile, ATimedOutPaymentThePspSettledIsUnsettledNotAMismatch) {
  std::vector<Payment> book{pay(1, PaymentStatus::kTimedOut), pay(2, PaymentStatus::kPending),
                            pay(3, PaymentStatus::kTimedOut)};
  Reconciliation r = reconcile("psp-a", book, {row("psp-a-1", "1"), row("psp-a-2", "2", "declined")}, "GBP");
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.unsettled, 2u);
  EXPECT_EQ(r.matched, 0u);
  // Once reconciled (the PSP's word reached the book), it matches.
  book[0].status = PaymentStatus::kAuthorised;
  book[0].reconciled = true;
  r = reconcile("psp-a", book, {row("psp-a-1", "1")}, "GBP");
  EXPECT_TRUE(r.mismatches.empty());
  EXPECT_EQ(r.matched, 1u);
}

TEST(Reconcile, OnlyAPaymentAuthorisedBeforeTheReportCanBeMissingFromIt) {
  std::vector<Payment> book{pay(1, PaymentStatus::kAuthorised), pay(2, PaymentStatus::kAuthorised)};
  std::set<uint64_t> before{1};  // 2 was authorised while the report was fetched
  Reconciliation r = reconcile("psp-a", book, {}, "GBP", &before);
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_EQ(r.mismatches[0].payment_id, "1");
  EXPECT_EQ(r.mismatches[0].kind, MismatchKind::kMissingAtPsp);
  // A row for a payment far above the book's ids is the PSP's own.
  r = reconcile("psp-a", book, {row("psp-a-1", "1"), row("psp-a-2", "2"), row("psp-a-3", "999999")}, "GBP");
  EXPECT_EQ(r.count(MismatchKind::kUnknownAtBook), 1u);
}

TEST(ReconciliationBoard, KeepsTheLastGoodResultBesideAFailure) {
  ReconciliationBoard board({"psp-a", "psp-b"});
  EXPECT_FALSE(board.run_now([] {}));
  Reconciliation r;
  r.duplicates = 2;
  board.record_ok("psp-a", 10, 1, r);
  board.record_failed("psp-a", 20, 1, "no settlement report: the PSP answered 503");
  board.record_ok("psp-x", 10, 1, r);  // not a route: ignored
  auto routes = board.routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].runs_ok, 1u);
  EXPECT_EQ(routes[0].runs_failed, 1u);
  EXPECT_EQ(routes[0].ran_at_ms, 20);
  EXPECT_TRUE(routes[0].has_result);
  EXPECT_FALSE(routes[0].error.empty());
  EXPECT_EQ(board.duplicates(), 2u);
  EXPECT_FALSE(routes[1].has_result);
  int asked = 0;
  board.set_runner([&](std::function<void()> done) {
    ++asked;
    done();
  });
  int answered = 0;
  EXPECT_TRUE(board.run_now([&] { ++answered; }));
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(answered, 1);
}

constexpr int64_t kMin = 60'000'000'000;

TEST(PspFailureBaseline, AQuietRouteIsFlooredAndASurgeStandsOut) {
  PspFailureBaseline b;  // floor 1 a minute
  uint64_t total = 0;
  int64_t t = 0;
  for (int s = 0; s < 30 * 60; ++s, t += 1'000'000'000) {
    if (s % 60 == 0) ++total;  // one failure a minute: the baseline
    b.observe(t, total);
  }
  EXPECT_GE(b.baseline_minutes(), 25);
  EXPECT_NEAR(b.baseline_mean(), 1.0, 0.1);
  EXPECT_LT(b.sigma(), 1.0);
  for (int s = 0; s < 60; ++s, t += 1'000'000'000) {
    total += 1;  // a failure a second
    b.observe(t, total);
  }
  EXPECT_NEAR(b.per_min_now(), 60.0, 1.0);
  EXPECT_GT(b.sigma(), 3.0);
}

TEST(PspFailureBaseline, NoHistoryMeansAMeanOfZeroAndTheFloor) {
  PspFailureBaseline b(2.0);
  b.observe(0, 0);
  b.observe(10'000'000'000, 8);
  EXPECT_EQ(b.baseline_minutes(), 0);
  EXPECT_DOUBLE_EQ(b.per_min_now(), 8.0);
  EXPECT_DOUBLE_EQ(b.sigma(), 4.0);
  b.observe(20'000'000'000, 3);  // the counter went back: a new client
  EXPECT_DOUBLE_EQ(b.per_min_now(), 0.0);
  (void)kMin;
}

TEST(PspFailureBaseline, ANoisyBaselineNeedsMoreToStandOut) {
  PspFailureBaseline b;
  uint64_t total = 0;
  int64_t t = 0;
  for (int m = 0; m < 61; ++m) {
    total += (m % 2) ? 20 : 0;  // 0, 20, 0, 20: mean 10, sd 10
    b.observe(t, total);
    t += kMin;
  }
  b.observe(t, total + 25);  // 25 in the last minute: 1.5 sd over the mean
  EXPECT_NEAR(b.baseline_mean(), 10.0, 0.5);
  EXPECT_NEAR(b.baseline_sd(), 10.0, 0.5);
  EXPECT_LT(b.sigma(), 3.0);
}

}  // namespace
}  // namespace inplay
