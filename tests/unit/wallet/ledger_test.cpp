// Ledger (src/wallet/ledger.h): accounts, lookups, the no-overdraft rule for
// user accounts, and the double-entry invariant (sum of balances is 0).
#include "wallet/ledger.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace inplay {
namespace {

class LedgerTest : public ::testing::Test {
 protected:
  Ledger ledger{Currency::of("GBP")};
};

TEST_F(LedgerTest, StartsWithTheHouseAccounts) {
  EXPECT_EQ(ledger.currency(), Currency::of("GBP"));
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger.account(ledger.funding()).id, "house/funding");
  EXPECT_EQ(ledger.account(ledger.revenue()).id, "house/revenue");
  EXPECT_EQ(ledger.account(ledger.funding()).kind, AccountKind::kHouse);
  EXPECT_EQ(ledger.account(ledger.revenue()).kind, AccountKind::kHouse);
  EXPECT_EQ(ledger.find("house/funding"), 0);
  EXPECT_EQ(ledger.find("house/revenue"), 1);
  EXPECT_EQ(ledger.sum(), 0);
}

TEST_F(LedgerTest, OpenUserCreatesCashAndReserved) {
  uint32_t a = ledger.open_user("alice");
  ASSERT_EQ(ledger.size(), 4u);
  EXPECT_EQ(ledger.account(a).id, "alice");
  EXPECT_EQ(ledger.account(a).kind, AccountKind::kUserCash);
  EXPECT_EQ(ledger.account(a).balance, 0);
  uint32_t r = ledger.reserved_of(a);
  EXPECT_EQ(ledger.account(r).id, "alice/reserved");
  EXPECT_EQ(ledger.account(r).kind, AccountKind::kUserReserved);
  EXPECT_EQ(ledger.find("alice"), static_cast<int64_t>(a));
  EXPECT_EQ(ledger.find("alice/reserved"), static_cast<int64_t>(r));

  uint32_t b = ledger.open_user("bob");
  EXPECT_NE(a, b);
  EXPECT_EQ(ledger.account(ledger.reserved_of(b)).id, "bob/reserved");
  EXPECT_EQ(ledger.size(), 6u);
}

TEST_F(LedgerTest, OpenUserIsIdempotent) {
  uint32_t a = ledger.open_user("alice");
  ledger.apply(Transfer{ledger.funding(), a, 500, TransferReason::kDeposit});
  EXPECT_EQ(ledger.open_user("alice"), a);
  EXPECT_EQ(ledger.size(), 4u);
  EXPECT_EQ(ledger.account(a).balance, 500);  // nothing reset
}

TEST_F(LedgerTest, FindReturnsMinusOneForUnknown) {
  // Regression: find() once returned 4294967295 (uint32 -1) for an unknown id,
  // which callers' "< 0" checks missed.
  EXPECT_EQ(ledger.find("nobody"), -1);
  EXPECT_LT(ledger.find("nobody"), 0);
  EXPECT_EQ(ledger.find(""), -1);
  ledger.open_user("alice");
  EXPECT_EQ(ledger.find("alice/"), -1);
  EXPECT_EQ(ledger.find("Alice"), -1);
  EXPECT_EQ(ledger.find("bob/reserved"), -1);
}

TEST_F(LedgerTest, CanApplyRefusesOverdraftOnUserAccounts) {
  uint32_t a = ledger.open_user("alice");
  uint32_t r = ledger.reserved_of(a);
  ledger.apply(Transfer{ledger.funding(), a, 1000, TransferReason::kDeposit});
  EXPECT_TRUE(ledger.can_apply(Transfer{a, r, 1000, TransferReason::kStakeReserve}));
  EXPECT_FALSE(ledger.can_apply(Transfer{a, r, 1001, TransferReason::kStakeReserve}));
  EXPECT_FALSE(ledger.can_apply(Transfer{a, ledger.funding(), 1001, TransferReason::kWithdrawal}));
  // The reserved account is a user account too.
  EXPECT_FALSE(ledger.can_apply(Transfer{r, a, 1, TransferReason::kStakeReserve}));
  ledger.apply(Transfer{a, r, 400, TransferReason::kStakeReserve});
  EXPECT_TRUE(ledger.can_apply(Transfer{r, a, 400, TransferReason::kStakeReserve}));
  EXPECT_FALSE(ledger.can_apply(Transfer{r, a, 401, TransferReason::kStakeReserve}));
  EXPECT_FALSE(ledger.can_apply(Transfer{a, r, 601, TransferReason::kStakeReserve}));
}

TEST_F(LedgerTest, HouseAccountsMayGoNegative) {
  uint32_t a = ledger.open_user("alice");
  EXPECT_TRUE(ledger.can_apply(Transfer{ledger.funding(), a, 1'000'000, TransferReason::kDeposit}));
  EXPECT_TRUE(ledger.can_apply(Transfer{ledger.revenue(), a, 5, TransferReason::kDeposit}));
  ledger.apply(Transfer{ledger.funding(), a, 1'000'000, TransferReason::kDeposit});
  EXPECT_EQ(ledger.account(ledger.funding()).balance, -1'000'000);
  EXPECT_TRUE(ledger.can_apply(Transfer{ledger.funding(), a, 1, TransferReason::kDeposit}));
  EXPECT_EQ(ledger.sum(), 0);
}

TEST_F(LedgerTest, CanApplyRefusesMalformedTransfers) {
  uint32_t a = ledger.open_user("alice");
  ledger.apply(Transfer{ledger.funding(), a, 1000, TransferReason::kDeposit});
  EXPECT_FALSE(ledger.can_apply(Transfer{ledger.funding(), a, 0, TransferReason::kDeposit}));
  EXPECT_FALSE(ledger.can_apply(Transfer{ledger.funding(), a, -5, TransferReason::kDeposit}));
  EXPECT_FALSE(ledger.can_apply(Transfer{a, a, 10, TransferReason::kDeposit}));
  EXPECT_FALSE(ledger.can_apply(Transfer{ledger.funding(), 99, 10, TransferReason::kDeposit}));
  EXPECT_FALSE(ledger.can_apply(Transfer{99, a, 10, TransferReason::kDeposit}));
}

TEST_F(LedgerTest, ApplyMovesBothLegs) {
  uint32_t a = ledger.open_user("alice");
  ledger.apply(Transfer{ledger.funding(), a, 700, TransferReason::kDeposit});
  ledger.apply(Transfer{a, ledger.reserved_of(a), 200, TransferReason::kStakeReserve});
  ledger.apply(Transfer{a, ledger.funding(), 100, TransferReason::kWithdrawal});
  EXPECT_EQ(ledger.account(a).balance, 400);
  EXPECT_EQ(ledger.account(ledger.reserved_of(a)).balance, 200);
  EXPECT_EQ(ledger.account(ledger.funding()).balance, -600);
  EXPECT_EQ(ledger.sum(), 0);
}

TEST_F(LedgerTest, ApplyOverflowThrows) {
  uint32_t a = ledger.open_user("alice");
  ledger.apply(Transfer{ledger.funding(), a, INT64_MAX, TransferReason::kDeposit});
  EXPECT_THROW(ledger.apply(Transfer{ledger.funding(), a, 1, TransferReason::kDeposit}), std::logic_error);
}

TEST(TransferReason, Names) {
  EXPECT_STREQ(transfer_reason_name(TransferReason::kDeposit), "deposit");
  EXPECT_STREQ(transfer_reason_name(TransferReason::kWithdrawal), "withdrawal");
  EXPECT_STREQ(transfer_reason_name(TransferReason::kStakeReserve), "stake_reserve");
}

// Property: whatever sequence of transfers is offered, applying exactly the
// ones can_apply allows keeps the sum at 0 and every user account >= 0.
TEST_F(LedgerTest, SumStaysZeroOverRandomTransfers) {
  std::mt19937_64 rng(20261128);
  for (int i = 0; i < 25; ++i) ledger.open_user("user" + std::to_string(i));
  const uint32_t n = static_cast<uint32_t>(ledger.size());
  std::uniform_int_distribution<uint32_t> pick(0, n - 1);
  std::uniform_int_distribution<int64_t> amount(-10, 5000);
  const TransferReason reasons[] = {TransferReason::kDeposit, TransferReason::kWithdrawal,
                                    TransferReason::kStakeReserve};
  int applied = 0, refused = 0;
  for (int step = 0; step < 50000; ++step) {
    Transfer t{pick(rng), pick(rng), amount(rng), reasons[step % 3]};
    if (ledger.can_apply(t)) {
      int64_t from_before = ledger.account(t.from).balance;
      int64_t to_before = ledger.account(t.to).balance;
      ledger.apply(t);
      ++applied;
      ASSERT_EQ(ledger.account(t.from).balance, from_before - t.amount);
      ASSERT_EQ(ledger.account(t.to).balance, to_before + t.amount);
    } else {
      ++refused;
    }
    ASSERT_EQ(ledger.sum(), 0) << "after step " << step;
  }
  for (uint32_t i = 0; i < n; ++i) {
    if (ledger.account(i).kind != AccountKind::kHouse) {
      EXPECT_GE(ledger.account(i).balance, 0) << i;
    }
  }
  // The run exercised both sides of the rule.
  EXPECT_GT(applied, 1000);
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace inplay
