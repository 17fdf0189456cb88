// AccountOwners (src/wallet/account_owners.h): the one rule for who may
// reach an account (SEC-1) — its channel, operators for reads, the synthetic
// role only "synthetic-" accounts — and AccountOpened through BookState::
// apply (owners rebuilt by a replay, in the state hash, a repeat refused).
#include "wallet/account_owners.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "engine/book_state.h"

namespace inplay {
namespace {

class AccountOwnersTest : public ::testing::Test {
 protected:
  Ledger ledger{Currency::of("GBP")};
  AccountOwners owners;

  uint32_t open(const std::string& id, const std::string& channel) {
    const uint32_t a = ledger.open_user(id);
    owners.set(a, channel);
    return a;
  }
};

TEST_F(AccountOwnersTest, OnlyTheOwningChannelReachesAnAccount) {
  const uint32_t alice = open("alice", "web");
  EXPECT_EQ(*owners.owner(alice), "web");
  EXPECT_TRUE(owners.in_scope(AccountScope::of_channel("web"), ledger, alice));
  EXPECT_FALSE(owners.in_scope(AccountScope::of_channel("app"), ledger, alice));
  EXPECT_FALSE(owners.in_scope(AccountScope::of_channel(""), ledger, alice));
  EXPECT_EQ(owners.find(AccountScope::of_channel("web"), ledger, "alice"), alice);
}

TEST_F(AccountOwnersTest, AnotherChannelsAccountLooksExactlyLikeAnUnknownOne) {
  open("alice", "web");
  const AccountScope app = AccountScope::of_channel("app");
  EXPECT_EQ(owners.find(app, ledger, "alice"), -1);
  EXPECT_EQ(owners.find(app, ledger, "nobody"), -1);
  // Not a user's cash account: the same answer, for everyone.
  EXPECT_EQ(owners.find(app, ledger, "alice/reserved"), -1);
  EXPECT_EQ(owners.find(AccountScope::of_channel("web"), ledger, "alice/reserved"), -1);
  EXPECT_EQ(owners.find(AccountScope::operator_view(), ledger, "house/funding"), -1);
  EXPECT_FALSE(owners.in_scope(AccountScope::operator_view(), ledger, 9999));
}

TEST_F(AccountOwnersTest, OperatorsReadEveryUserAccountEvenWithoutAnOwner) {
  const uint32_t alice = open("alice", "web");
  const uint32_t old = ledger.open_user("old-deposit");  // from a journal before owners
  EXPECT_EQ(owners.owner(old), nullptr);
  const AccountScope op = AccountScope::operator_view();
  EXPECT_TRUE(owners.in_scope(op, ledger, alice));
  EXPECT_TRUE(owners.in_scope(op, ledger, old));
  // No channel reaches an account without an owner...
  EXPECT_FALSE(owners.in_scope(AccountScope::of_channel("web"), ledger, old));
  // ...but the synthetic role still reaches an old synthetic account (its
  // checks keep running on an upgraded book), and only that kind.
  const uint32_t old_probe = ledger.open_user("synthetic-checks");
  EXPECT_TRUE(owners.in_scope(AccountScope::of_channel("synthetic-checks", true), ledger, old_probe));
  EXPECT_FALSE(owners.in_scope(AccountScope::of_channel("web"), ledger, old_probe));
  EXPECT_FALSE(owners.in_scope(AccountScope::of_channel("synthetic-checks", true), ledger, old));
}

TEST_F(AccountOwnersTest, TheSyntheticRoleKeepsToSyntheticAccounts) {
  const uint32_t probe = open("synthetic-probe", "checks");
  const uint32_t real = open("alice", "checks");  // the same channel name, the wrong kind
  EXPECT_TRUE(owners.in_scope(AccountScope::of_channel("checks", true), ledger, probe));
  EXPECT_FALSE(owners.in_scope(AccountScope::of_channel("checks", true), ledger, real));
  EXPECT_FALSE(owners.in_scope(AccountScope::of_channel("checks", false), ledger, probe));
  EXPECT_TRUE(owners.in_scope(AccountScope::of_channel("checks", false), ledger, real));
}

TEST(AccountOpenedTest, ApplyRecordsTheOwnerAndAReplayRebuildsIt) {
  BookState live(Currency::of("GBP"), 0), replayed(Currency::of("GBP"), 0);
  const BookEvent events[] = {
      AccountOpened{"alice", "web", "channel:web", 1},
      AccountOpened{"bob", "app", "channel:app-ios", 2},
      MoneyMoved{"alice", 500, TransferReason::kDeposit, 3, {}, {}},
  };
  for (const BookEvent& e : events) live.apply(e);
  for (const BookEvent& e : events) replayed.apply(e);
  EXPECT_EQ(live.state_hash(), replayed.state_hash());
  const int64_t bob = replayed.ledger.find("bob");
  ASSERT_GE(bob, 0);
  EXPECT_EQ(*replayed.owners.owner(static_cast<uint32_t>(bob)), "app");
  EXPECT_EQ(replayed.owners.find(AccountScope::of_channel("web"), replayed.ledger, "bob"), -1);
}

TEST(AccountOpenedTest, TheOwnerIsPartOfTheStateHash) {
  BookState web(Currency::of("GBP"), 0), app(Currency::of("GBP"), 0);
  web.apply(AccountOpened{"alice", "web", "", 1});
  app.apply(AccountOpened{"alice", "app", "", 1});
  EXPECT_NE(web.state_hash(), app.state_hash());
}

TEST(AccountOpenedTest, ADepositFromAnOldJournalOpensAnAccountWithoutAnOwner) {
  // A deposit still opens an account on replay (journals from before
  // AccountOpened), with no owner and no owner line in the hash.
  BookState s(Currency::of("GBP"), 0);
  s.apply(MoneyMoved{"alice", 500, TransferReason::kDeposit, 1, {}, {}});
  EXPECT_EQ(s.owners.size(), 0u);
  EXPECT_EQ(s.owners.owner(static_cast<uint32_t>(s.ledger.find("alice"))), nullptr);
}

TEST(AccountOpenedTest, OpeningAnOpenAccountIsRefusedAndChangesNothing) {
  BookState s(Currency::of("GBP"), 0);
  s.apply(AccountOpened{"alice", "web", "", 1});
  const std::string before = s.state_hash();
  const size_t accounts = s.ledger.size();
  EXPECT_THROW(s.apply(AccountOpened{"alice", "app", "", 2}), std::invalid_argument);
  EXPECT_THROW(s.apply(AccountOpened{"carol", "", "", 3}), std::invalid_argument);
  EXPECT_EQ(s.state_hash(), before);
  EXPECT_EQ(s.ledger.size(), accounts);
  EXPECT_EQ(s.ledger.find("carol"), -1);
}

}  // namespace
}  // namespace inplay
