// SettlementBook (src/settle/settlement_book.h) inside BookState: results,
// rollbacks, cancels and their postings move exactly the money the rules
// say, every balance comes back exactly on a rollback, an event that would
// pay twice is refused, and a crash after any journal record resumes to the
// same state (each bet paid once).
#include "settle/settlement_book.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "../book_state_util.h"
#include "engine/book_state.h"

namespace inplay {
namespace {

using test_util::kT0;
using test_util::kTtl;
using test_util::odds;
constexpr int64_t kDeposit = 10'000'000;

// Event 1: market 101 (match result: 1011 home, 1012 draw, 1013 away) and
// market 102 (total goals 2.5: 1021 over, 1022 under).
std::unique_ptr<BookState> make_state() { return test_util::arsenal_chelsea_with_goals(); }

BetAccepted bet(uint64_t id, const std::string& account, uint64_t sel, int64_t stake, const char* o, int64_t placed) {
  return BetAccepted{id, account, sel, stake, odds(o).scaled, odds(o).scaled, 0, placed, placed + 5, {}, {}};
}

std::vector<SettledOutcome> result_101(uint64_t winner) {
  std::vector<SettledOutcome> out;
  for (uint64_t sid : {1011, 1012, 1013}) out.push_back(SettledOutcome{sid, sid == winner, 0, 10000});
  return out;
}

MarketSettled settled(uint64_t market, uint32_t version, std::vector<SettledOutcome> outcomes, int64_t ts) {
  MarketSettled e;
  e.market_id = market;
  e.version = version;
  e.certainty = 2;
  e.outcomes = std::move(outcomes);
  e.source = "feed:test";
  e.provider_ts_ms = ts;
  e.at_ns = kT0;
  return e;
}

// A BookState and its journal (the events applied, as a list).
struct Journaled {
  std::unique_ptr<BookState> s = make_state();
  std::vector<BookEvent> log;
  void apply(BookEvent e) {
    s->apply(e);
    log.push_back(std::move(e));
  }
  // What the settle desk does after every header: every posting owed.
  void settle_all(size_t max_bets = BetPostings::kMaxBetsPerRecord) {
    for (uint64_t m : s->settlement.markets_with_headers())
      for (BetPostings& p : s->settlement.plan(m, s->bets, kT0, max_bets)) apply(std::move(p));
  }
  int64_t balance(const std::string& id) const { return s->ledger.account(s->ledger.find(id)).balance; }
  int64_t reserved(const std::string& id) const { return s->ledger.account(s->ledger.find(id) + 1).balance; }
};

// Three accounts, bets on every selection of 101 and 102.
Journaled with_bets() {
  Journaled b;
  for (const char* a : {"alice", "bob", "carol"})
    b.apply(MoneyMoved{a, kDeposit, TransferReason::kDeposit, kT0, {}, {}});
  b.apply(bet(1, "alice", 1011, 1001, "1.95", kT0 + 100));
  b.apply(bet(2, "bob", 1012, 500, "3.40", kT0 + 200));
  b.apply(bet(3, "carol", 1013, 777, "4.33", kT0 + 300));
  b.apply(bet(4, "alice", 1011, 2000, "2.05", kT0 + 400));
  b.apply(bet(5, "bob", 1021, 1000, "1.90", kT0 + 500));
  b.apply(bet(6, "carol", 1022, 1000, "1.90", kT0 + 600));
  return b;
}

TEST(SettlementBook, AResultPaysWinnersOnceAndTakesLosersStakes) {
  Journaled b = with_bets();
  EXPECT_EQ(b.s->open_bets, 6);
  b.apply(settled(101, 1, result_101(1011), 1000));
  EXPECT_EQ(b.s->book.market(101)->status, MarketStatus::kSettled);
  b.settle_all();
  // alice wins both of her bets: floor(1001 x 1.95) + floor(2000 x 2.05).
  EXPECT_EQ(b.balance("alice"), kDeposit - 1001 - 2000 + 1951 + 4100);
  EXPECT_EQ(b.balance("bob"), kDeposit - 500 - 1000);  // lost on 101, 102 still open
  EXPECT_EQ(b.reserved("bob"), 1000);
  EXPECT_EQ(b.balance("carol"), kDeposit - 777 - 1000);
  EXPECT_EQ(b.s->ledger.sum(), 0);
  EXPECT_EQ(b.s->open_bets, 2);
  EXPECT_EQ(b.s->exposure.market_liability(101), 0);
  EXPECT_EQ(b.s->bets.at(1).status, BetStatus::kSettled);
  EXPECT_EQ(b.s->bets.at(1).return_minor, 1951);
  EXPECT_EQ(b.s->bets.at(1).settled_version, 1u);
  // Nothing more is owed; paying a bet again is refused.
  EXPECT_TRUE(b.s->settlement.plan(101, b.s->bets, kT0).empty());
  BetPostings again{101, static_cast<uint8_t>(PostingKind::kPay), 1, 0, kT0, {{1, 1951}}};
  EXPECT_THROW(b.s->apply(again), std::invalid_argument);
  EXPECT_EQ(b.balance("alice"), kDeposit - 1001 - 2000 + 1951 + 4100);
}

TEST(SettlementBook, ARollbackReversesExactlyWhatWasPaidAndACorrectionPaysAgain) {
  Journaled b = with_bets();
  const std::string before = b.s->state_hash();
  std::map<std::string, std::pair<int64_t, int64_t>> open_balances;
  for (const char* a : {"alice", "bob", "carol"}) open_balances[a] = {b.balance(a), b.reserved(a)};
  b.apply(settled(101, 1, result_101(1011), 1000));
  b.settle_all();
  b.apply(SettlementRolledBack{101, 1, "feed:test", "rollback", 2000, kT0});
  b.settle_all();
  for (const char* a : {"alice", "bob", "carol"}) EXPECT_EQ(std::make_pair(b.balance(a), b.reserved(a)), open_balances[a]) << a;
  EXPECT_EQ(b.s->open_bets, 6);
  EXPECT_EQ(b.s->exposure.market_liability(101), with_bets().s->exposure.market_liability(101));
  EXPECT_EQ(b.s->book.market(101)->status, MarketStatus::kClosed);
  EXPECT_NE(b.s->state_hash(), before);  // the market remembers its history (versions)
  // The corrected result: the draw.
  b.apply(settled(101, 2, result_101(1012), 3000));
  b.settle_all();
  EXPECT_EQ(b.balance("bob"), kDeposit - 500 - 1000 + 1700);
  EXPECT_EQ(b.balance("alice"), kDeposit - 1001 - 2000);
  EXPECT_EQ(b.s->bets.at(2).settled_version, 2u);
  EXPECT_EQ(b.s->ledger.sum(), 0);
  // A result out of turn is refused: version 2 again, or a new one without a rollback.
  EXPECT_THROW(b.s->apply(settled(101, 2, result_101(1011), 4000)), std::invalid_argument);
  EXPECT_THROW(b.s->apply(settled(101, 3, result_101(1011), 4000)), std::invalid_argument);
}

TEST(SettlementBook, ACancelVoidsBetsPlacedInItsRangePaidOrNot) {
  Journaled b = with_bets();
  b.apply(settled(101, 1, result_101(1011), 1000));
  b.settle_all();
  // Bets placed in [kT0+150, kT0+350) are void: bob's (2) and carol's (3),
  // already settled as losers; alice's winning bets stand.
  b.apply(BetsCancelled{101, 1, kT0 + 150, kT0 + 350, "", "feed:test", "goal missed", 5000, kT0});
  b.settle_all();
  EXPECT_EQ(b.s->bets.at(2).status, BetStatus::kCancelled);
  EXPECT_EQ(b.s->bets.at(3).status, BetStatus::kCancelled);
  EXPECT_EQ(b.s->bets.at(1).status, BetStatus::kSettled);
  EXPECT_EQ(b.balance("bob"), kDeposit - 1000);  // the 500 came back; 102 still open
  EXPECT_EQ(b.balance("carol"), kDeposit - 1000);
  // Withdrawn: they are settled again under the market's result.
  b.apply(CancelRolledBack{101, 1, "feed:test", 6000, kT0});
  b.settle_all();
  EXPECT_EQ(b.s->bets.at(2).status, BetStatus::kSettled);
  EXPECT_EQ(b.balance("bob"), kDeposit - 500 - 1000);
  EXPECT_EQ(b.s->ledger.sum(), 0);
  EXPECT_THROW(b.s->apply(CancelRolledBack{101, 1, "feed:test", 7000, kT0}), std::invalid_argument);
}

TEST(SettlementBook, QuarterLinesAndDeadHeatsPayByTheOneRule) {
  Journaled b = with_bets();
  // Total 2.5 as half-won (void 0.5) for over and a dead heat: only to
  // exercise the payout formula through the book.
  b.apply(settled(102, 1, {{1021, true, 1, 10000}, {1022, true, 0, 5000}}, 1000));
  b.settle_all();
  EXPECT_EQ(b.s->bets.at(5).return_minor, 500 + 950);  // half the stake back, half at 1.90
  EXPECT_EQ(b.s->bets.at(6).return_minor, 950);        // 1000 x 1.90 x 0.5
  EXPECT_EQ(b.s->ledger.sum(), 0);
}

TEST(SettlementBook, SyntheticBetsSettleAgainstTheSyntheticHouse) {
  Journaled b = with_bets();
  b.apply(MoneyMoved{"synthetic-checks", 10000, TransferReason::kDeposit, kT0, {}, {}});
  b.apply(bet(7, "synthetic-checks", 1011, 100, "1.95", kT0 + 700));
  const int64_t revenue_before = b.s->ledger.account(b.s->ledger.revenue()).balance;
  b.apply(settled(101, 1, result_101(1013), 1000));
  b.settle_all();
  // The synthetic stake went to house/synthetic, not to revenue.
  const int64_t revenue = b.s->ledger.account(b.s->ledger.revenue()).balance - revenue_before;
  // Losing stakes in, carol's winnings (floor(777 x 4.33) = 3364, less her stake) out.
  EXPECT_EQ(revenue, 1001 + 2000 + 500 - (3364 - 777));
  EXPECT_EQ(b.s->ledger.account(b.s->ledger.find("house/synthetic")).balance, -10000 + 100);
}

TEST(SettlementBook, ARecordWithOneBadPostingChangesNothing) {
  Journaled b = with_bets();
  b.apply(settled(101, 1, result_101(1011), 1000));
  const std::string before = b.s->state_hash();
  // Bet 1's payment is right; bet 5 is not in market 101: the whole record is refused.
  BetPostings p;
  p.market_id = 101;
  p.kind = static_cast<uint8_t>(PostingKind::kPay);
  p.version = 1;
  p.at_ns = kT0;
  p.bets = {{1, 1951}, {5, 0}};
  EXPECT_THROW(b.s->apply(BookEvent{p}), std::invalid_argument);
  p.bets = {{1, 1951}, {1, 1951}};  // the same bet twice in one record
  EXPECT_THROW(b.s->apply(BookEvent{p}), std::invalid_argument);
  EXPECT_EQ(b.s->state_hash(), before);
  EXPECT_EQ(b.s->bets.at(1).status, BetStatus::kAccepted);
}

// Crash after any journal record: replay the records so far, make every
// posting owed (the desk's resume at start-up), then take the headers that
// had not arrived yet. The state is the same as without the crash, and no
// apply ever throws (nothing is paid twice).
TEST(SettlementBook, ACrashAfterAnyRecordResumesToTheSameState) {
  // The headers as they would arrive, after a book with many bets.
  Journaled setup = with_bets();
  std::mt19937_64 rng(7);
  for (uint64_t id = 10; id < 400; ++id) {
    const uint64_t sels[] = {1011, 1012, 1013, 1021, 1022};
    const char* acct[] = {"alice", "bob", "carol"};
    setup.apply(bet(id, acct[rng() % 3], sels[rng() % 5], 10 + static_cast<int64_t>(rng() % 900), "2.50",
                    kT0 + 1000 + static_cast<int64_t>(id) * 10));
  }
  const size_t n_setup = setup.log.size();
  std::vector<std::function<BookEvent()>> headers = {
      [] { return BookEvent{settled(101, 1, result_101(1011), 1000)}; },
      [] { return BookEvent{BetsCancelled{101, 1, kT0 + 2000, kT0 + 3000, "", "feed:test", "", 1500, kT0}}; },
      [] { return BookEvent{SettlementRolledBack{101, 1, "feed:test", "", 2000, kT0}}; },
      [] { return BookEvent{settled(101, 2, result_101(1013), 3000)}; },
      [] { return BookEvent{settled(102, 1, {{1021, true, 0, 10000}, {1022, false, 0, 10000}}, 3100)}; },
      [] { return BookEvent{CancelRolledBack{101, 1, "feed:test", 3500, kT0}}; },
  };
  // The run without a crash, small batches so there are many cut points.
  Journaled full = std::move(setup);
  std::vector<size_t> header_at;  // log index of each header
  for (auto& h : headers) {
    header_at.push_back(full.log.size());
    full.apply(h());
    full.settle_all(37);
  }
  const std::string want = full.s->state_hash();
  EXPECT_EQ(full.s->ledger.sum(), 0);
  size_t cuts = 0;
  for (size_t k = n_setup; k <= full.log.size(); ++k) {
    Journaled crashed;
    for (size_t i = 0; i < k; ++i) crashed.apply(full.log[i]);
    crashed.settle_all(37);  // resume
    for (size_t h = 0; h < headers.size(); ++h) {
      if (header_at[h] < k) continue;  // it was journaled before the crash
      crashed.apply(headers[h]());
      crashed.settle_all(37);
    }
    ASSERT_EQ(crashed.s->state_hash(), want) << "crash after record " << k;
    ++cuts;
  }
  // Every record was a cut point, and the batches of 37 gave many of them.
  EXPECT_EQ(cuts, full.log.size() - n_setup + 1);
  EXPECT_GT(cuts, 3 * headers.size());
}

}  // namespace
}  // namespace inplay
