// Accounts belong to a channel (SEC-1), through the desks on a real engine
// and journal: the wallet desk opens accounts (a repeat by the owner changes
// nothing, anyone else gets ACCOUNT_EXISTS), a deposit never opens one
// (ACCOUNT_NOT_FOUND, nothing moved), and another channel's account and bets
// answer every desk exactly as unknown ones do — deposits, withdrawals,
// bets, cash-out quotes and accepts — with the book unchanged. A replay of
// the journal restores the owners.
#include "engine_fixture.h"

#include "cashout/cashout_desk.h"

namespace inplay {
namespace {

using namespace engine_test;

class ChannelOwnershipTest : public EngineTest {
 protected:
  Reply move(const std::string& key, const std::string& account, int64_t amount, TransferReason reason,
             const AccountScope& scope) {
    Replies box;
    MoveMoney m;
    m.idem_key = "test:" + key;
    m.fingerprint[0] = static_cast<uint8_t>(key.size());
    m.account = account;
    m.scope = scope;
    m.user_mask = "masked";
    m.amount = amount;
    m.currency = Currency::of("GBP");
    m.reason = reason;
    m.done = box.fn(*engine);
    EXPECT_TRUE(desks->wallet.submit(std::move(m)));
    if (!box.wait(1)) return Reply{0, ""};
    return box.at(0);
  }

  Reply bet_as(const std::string& key, const std::string& account, const AccountScope& scope) {
    Replies box;
    PlaceBet r;
    r.idem_key = "test:" + key;
    r.account = account;
    r.scope = scope;
    r.user_mask = "masked";
    r.selection_id = 1011;
    r.stake = 100;
    r.currency = Currency::of("GBP");
    r.odds = odds("2.5");
    r.gateway_start_ns = to_ns(clock.now());
    r.done = box.fn(*engine);
    EXPECT_TRUE(desks->bets.submit(std::move(r)));
    if (!box.wait(1)) return Reply{0, ""};
    return box.at(0);
  }

  Result<Quote> quote_as(uint64_t bet_id, const AccountScope& scope) {
    return on_engine([&] {
      QuoteCashout q;
      q.bet_id = bet_id;
      q.scope = scope;
      return desks->cashout.quote(q);
    });
  }

  Reply accept_as(const std::string& key, uint64_t bet_id, uint64_t quote_id, int64_t amount,
                  const AccountScope& scope) {
    Replies box;
    AcceptCashout a;
    a.idem_key = "test:" + key;
    a.bet_id = bet_id;
    a.quote_id = quote_id;
    a.amount = amount;
    a.policy = PriceChangePolicy::kAny;
    a.scope = scope;
    a.done = box.fn(*engine);
    EXPECT_TRUE(desks->cashout.submit_accept(std::move(a)));
    if (!box.wait(1)) return Reply{0, ""};
    return box.at(0);
  }

  std::string hash() {
    return on_engine([&] { return engine->state().state_hash(); });
  }

  const AccountScope web = AccountScope::of_channel("test");  // the fixture's channel
  const AccountScope app = AccountScope::of_channel("app");
};

TEST_F(ChannelOwnershipTest, OpeningIsTheOwnersToRepeatAndNobodyElsesToTake) {
  open();
  start();
  Result<bool> first = open_account("alice");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.value());
  const uint64_t records = journal->last_seq();
  Result<bool> again = open_account("alice");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());  // already the channel's: nothing journaled
  flush();
  EXPECT_EQ(journal->last_seq(), records);
  Result<bool> taken = open_account("alice", "app");
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kAccountExists);
  EXPECT_EQ(on_engine([&] { return *engine->state().owners.owner(engine->state().ledger.find("alice")); }), "test");
}

TEST_F(ChannelOwnershipTest, ADepositToAnUnknownAccountIsRefusedAndOpensNothing) {
  open();
  start();
  const std::string before = hash();
  const size_t accounts = on_engine([&] { return engine->state().ledger.size(); });
  Reply r = move("d1", "zoe", 5000, TransferReason::kDeposit, web);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_TRUE(has(r, "ACCOUNT_NOT_FOUND")) << r.body;
  EXPECT_EQ(hash(), before);
  EXPECT_EQ(on_engine([&] { return engine->state().ledger.size(); }), accounts);
  EXPECT_EQ(on_engine([&] { return engine->state().ledger.find("zoe"); }), -1);
}

TEST_F(ChannelOwnershipTest, AnotherChannelsAccountAnswersEveryDeskAsAnUnknownOne) {
  staleness = 60s;
  open();
  start();
  deposit("alice", 10000);  // the fixture's channel "test"
  price(1011, "2.5");
  Reply placed = bet_as("b1", "alice", web);
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string before = hash();

  // Money and bets: the body another channel gets is the one for an unknown account.
  Reply unknown = move("x0", "nobody", 100, TransferReason::kDeposit, app);
  ASSERT_EQ(unknown.status, 404);
  for (TransferReason why : {TransferReason::kDeposit, TransferReason::kWithdrawal}) {
    Reply r = move(std::string("x1-") + transfer_reason_name(why), "alice", 100, why, app);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.body, unknown.body);
  }
  Reply unknown_bet = bet_as("x2", "nobody", app);
  Reply foreign_bet = bet_as("x3", "alice", app);
  EXPECT_EQ(foreign_bet.status, 404) << foreign_bet.body;
  EXPECT_EQ(foreign_bet.body, unknown_bet.body);

  // Cash-out of the owner's bet: BET_NOT_FOUND, as for a bet that is not there.
  Result<Quote> foreign_quote = quote_as(1, app);
  ASSERT_FALSE(foreign_quote.ok());
  EXPECT_EQ(foreign_quote.error().code, ErrorCode::kBetNotFound);
  EXPECT_EQ(foreign_quote.error().message, quote_as(999, app).error().message);
  Result<Quote> own_quote = quote_as(1, web);
  ASSERT_TRUE(own_quote.ok()) << own_quote.error().message;
  Reply foreign_accept = accept_as("x4", 1, own_quote.value().id, own_quote.value().offer.amount, app);
  EXPECT_EQ(foreign_accept.status, 404) << foreign_accept.body;
  EXPECT_TRUE(has(foreign_accept, "BET_NOT_FOUND")) << foreign_accept.body;

  // The synthetic role does not reach a real account of its own channel either.
  Reply synthetic = move("x5", "alice", 100, TransferReason::kDeposit, AccountScope::of_channel("test", true));
  EXPECT_EQ(synthetic.status, 404) << synthetic.body;

  EXPECT_EQ(hash(), before);  // nothing moved
  // The owner still can.
  EXPECT_EQ(move("ok", "alice", 100, TransferReason::kDeposit, web).status, 201);
}

TEST_F(ChannelOwnershipTest, AReplayRestoresTheOwners) {
  open();
  start();
  deposit("alice", 1000);
  ASSERT_TRUE(open_account("bob", "app").ok());
  shutdown();
  const std::string before = engine->state().state_hash();
  desks.reset();
  engine.reset();
  journal.reset();

  open();
  engine->replay();
  EXPECT_EQ(engine->state().state_hash(), before);
  start();
  EXPECT_EQ(move("after", "bob", 100, TransferReason::kDeposit, web).status, 404);
  EXPECT_EQ(move("after2", "bob", 100, TransferReason::kDeposit, app).status, 201);
  Result<bool> taken = open_account("bob");
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kAccountExists);
}

}  // namespace
}  // namespace inplay
