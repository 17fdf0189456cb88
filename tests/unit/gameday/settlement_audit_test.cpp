// The game day's settlement audit (src/gameday/settlement_audit.h) on a
// BookState and the real journal of the same events: a day settled right
// passes with every count exact, and each kind of wrong it exists to catch
// is caught and named — a wrong result, a bet left open, a pay journaled
// twice, a cashed-out bet paid, a cash-out the book does not show, money the
// book never moved — while a match the world has not ended asks nothing.
#include "gameday/settlement_audit.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../book_state_util.h"
#include "../temp_dir.h"
#include "journal/events.h"
#include "journal/journal.h"

namespace inplay {
namespace {

using test_util::kT0;
using test_util::odds;
constexpr int64_t kDeposit = 10'000'000;

// A book and its journal on disk: each event applied to the one and
// appended to the other, or (to plant a fault) to only one of them.
class Day {
 public:
  Day() {
    Journal::Options o;
    o.dir = dir_.path() / "journal";
    o.fsync = FsyncPolicy::kNone;
    journal_ = Journal::open(o);
  }
  void apply(const BookEvent& e) {
    s->apply(e);
    journal_only(e);
  }
  void journal_only(const BookEvent& e) {
    std::string payload;
    encode_event(e, payload);
    journal_->append(static_cast<uint16_t>(event_type(e)), payload, nullptr);
    ASSERT_TRUE(journal_->pump());
  }
  void bet(uint64_t id, const std::string& account, uint64_t sel, int64_t stake, const char* o) {
    apply(BetAccepted{id, account, sel, stake, odds(o).scaled, odds(o).scaled, 0, kT0 + 1, kT0 + 2, {}, {}});
  }
  void cash_out(uint64_t id, int64_t stake, int64_t amount) {
    apply(BetCashedOut{id, 101, stake, amount, odds("2.00").scaled, 2, kT0, kT0, kT0 + 10, {}, {}});
  }
  // The book is sent a result: `market` won by `winner`, and pays it.
  void result(uint64_t market, uint64_t winner) {
    MarketSettled e;
    e.market_id = market;
    e.version = 1;
    e.certainty = 2;
    for (uint64_t sel : s->book.market(market)->selections)
      e.outcomes.push_back(SettledOutcome{sel, sel == winner, 0, 10000});
    e.source = "feed:test";
    e.provider_ts_ms = 1000;
    e.at_ns = kT0;
    apply(e);
    for (BetPostings& p : s->settlement.plan(market, s->bets, kT0)) {
      postings.push_back(p);
      apply(p);
    }
  }
  SettlementAudit audit(std::optional<Score> truth) {
    const SettlementFacts f = settlement_facts(*s, FinalScores{{1, truth}});
    return audit_settlement(f, dir_.path() / "journal");
  }

  std::unique_ptr<BookState> s = test_util::arsenal_chelsea_with_goals();
  std::vector<BetPostings> postings;

 private:
  test_util::TempDir dir_{"gameday"};
  std::unique_ptr<Journal> journal_;
};

// alice and bob funded; five bets: 1 alice home 1000 @2.00, 2 bob draw 500
// @3.40, 3 alice over 1000 @1.90, 4 bob away 700 @4.00 (cashed out whole),
// 5 alice home 1000 @2.00 (400 of it cashed out).
std::unique_ptr<Day> a_day() {
  auto d = std::make_unique<Day>();
  for (const char* a : {"alice", "bob"}) d->apply(MoneyMoved{a, kDeposit, TransferReason::kDeposit, kT0, {}, {}});
  d->bet(1, "alice", 1011, 1000, "2.00");
  d->bet(2, "bob", 1012, 500, "3.40");
  d->bet(3, "alice", 1021, 1000, "1.90");
  d->bet(4, "bob", 1013, 700, "4.00");
  d->bet(5, "alice", 1011, 1000, "2.00");
  d->cash_out(4, 700, 650);
  d->cash_out(5, 400, 380);
  return d;
}

const Score kHomeWinOver{2, 1};

// a_day() with both markets settled as the world's 2-1 says.
std::unique_ptr<Day> a_day_settled_right() {
  auto d = a_day();
  d->result(101, 1011);
  d->result(102, 1021);
  return d;
}

bool named(const SettlementAudit& a, const std::string& what) {
  for (auto& x : a.examples)
    if (x.find(what) != std::string::npos) return true;
  return false;
}

TEST(SettlementAudit, ADaySettledRightPassesWithEveryCountExact) {
  auto d = a_day_settled_right();
  const SettlementAudit a = d->audit(kHomeWinOver);
  EXPECT_EQ(a.matches_ended, 1u);
  EXPECT_EQ(a.bets_due, 4u);  // bet 4 was cashed out whole: nothing is due on it
  EXPECT_EQ(a.bets_exact, 4u);
  EXPECT_EQ(a.bets_cashed_out, 1u);
  EXPECT_EQ(a.bets_wrong + a.bets_unsettled + a.paid_twice + a.accounts_off, 0u);
  EXPECT_EQ(a.accounts, 2u);
  EXPECT_TRUE(a.examples.empty()) << a.examples.front();
}

TEST(SettlementAudit, AWrongResultIsCaughtOnEveryBetAndAccountItTouched) {
  auto d = a_day();
  d->result(101, 1012);  // the feed said a draw; the world's match ended 2-1
  d->result(102, 1021);
  const SettlementAudit a = d->audit(kHomeWinOver);
  EXPECT_EQ(a.bets_due, 4u);
  EXPECT_EQ(a.bets_exact, 1u);  // only the goals bet
  EXPECT_EQ(a.bets_wrong, 3u);
  EXPECT_EQ(a.accounts_off, 2u);
  EXPECT_TRUE(named(a, "bet 2 settled 1700 minor units, due 0")) << a.examples.front();
}

TEST(SettlementAudit, ABetLeftOpenOnAnEndedMatchIsUnsettled) {
  auto d = a_day();
  d->result(101, 1011);  // no result for the goals market
  const SettlementAudit a = d->audit(kHomeWinOver);
  EXPECT_EQ(a.bets_unsettled, 1u);
  EXPECT_EQ(a.bets_exact, 3u);
  EXPECT_EQ(a.accounts_off, 1u);  // alice's 1900 is still reserved
  EXPECT_TRUE(named(a, "bet 3 still open"));
}

TEST(SettlementAudit, APayJournaledTwiceIsPaidTwice) {
  auto d = a_day_settled_right();
  ASSERT_FALSE(d->postings.empty());
  d->journal_only(d->postings.front());  // the book refuses it; a journal that holds it is wrong
  const SettlementAudit a = d->audit(kHomeWinOver);
  EXPECT_GE(a.paid_twice, 1u);
  EXPECT_TRUE(named(a, "paid again without a reversal"));
}

TEST(SettlementAudit, ACashedOutBetPaidByAResultIsPaidTwice) {
  auto d = a_day_settled_right();
  d->journal_only(BetPostings{101, static_cast<uint8_t>(PostingKind::kPay), 1, 0, kT0, {{4, 2800}}});
  const SettlementAudit a = d->audit(kHomeWinOver);
  EXPECT_EQ(a.paid_twice, 1u);
  EXPECT_TRUE(named(a, "bet 4 paid by a result after it was cashed out"));
}

TEST(SettlementAudit, ACashOutTheBookDoesNotShowIsAWrongBet) {
  auto d = a_day_settled_right();
  d->journal_only(BetCashedOut{1, 101, 1000, 900, odds("2.00").scaled, 2, kT0, kT0, kT0 + 10, {}, {}});
  const SettlementAudit a = d->audit(kHomeWinOver);
  EXPECT_EQ(a.bets_wrong, 1u);
  EXPECT_TRUE(named(a, "bet 1 cashed out in the journal"));
}

TEST(SettlementAudit, MoneyTheBookNeverMovedPutsItsAccountOff) {
  auto d = a_day_settled_right();
  d->journal_only(MoneyMoved{"bob", 5000, TransferReason::kDeposit, kT0, {}, {}});
  const SettlementAudit a = d->audit(kHomeWinOver);
  EXPECT_EQ(a.accounts_off, 1u);
  EXPECT_EQ(a.bets_exact, 4u);
}

TEST(SettlementAudit, AMatchTheWorldHasNotEndedAsksNothingOfItsBets) {
  auto d = a_day();
  const SettlementAudit a = d->audit(std::nullopt);
  EXPECT_EQ(a.matches_ended, 0u);
  EXPECT_EQ(a.bets_due, 0u);
  EXPECT_EQ(a.bets_cashed_out, 1u);
  EXPECT_EQ(a.accounts, 2u);
  EXPECT_EQ(a.accounts_off, 0u);  // open stakes recomputed as reserved, cash-outs from the journal
}

}  // namespace
}  // namespace inplay
