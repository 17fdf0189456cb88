// BetTable: bets by id in pages; lookups, inserts out of order, holes,
// iteration in id order, stable references, the ids it refuses, and the
// cash-outs kept beside the bets.
#include "bet/bet_table.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace inplay {
namespace {

Bet bet_with(uint64_t id, int64_t stake = 100) {
  Bet b;
  b.id = id;
  b.stake_minor = stake;
  b.market_id = id % 7;
  return b;
}

std::vector<uint64_t> ids(const BetTable& t) {
  std::vector<uint64_t> out;
  for (const Bet& b : t) out.push_back(b.id);
  return out;
}

TEST(BetTable, EmptyFindsNothingAndIteratesNothing) {
  const BetTable t;
  EXPECT_EQ(t.size(), 0u);
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.find(0), nullptr);
  EXPECT_EQ(t.find(1), nullptr);
  EXPECT_EQ(t.find(UINT64_MAX), nullptr);
  EXPECT_THROW(t.at(1), std::out_of_range);
  EXPECT_TRUE(t.begin() == t.end());
}

TEST(BetTable, CashOutsAddUpBesideTheBetAndOnlyForABetItHas) {
  BetTable t;
  const Bet& b = t.insert(bet_with(5, 600));
  t.insert(bet_with(6, 300));
  EXPECT_EQ(t.cashout(5), nullptr);
  EXPECT_EQ(t.placed_stake(b), 600);
  t.add_cashout(5, 400, 506, 10);
  t.add_cashout(5, 100, 90, 20);
  ASSERT_NE(t.cashout(5), nullptr);
  EXPECT_EQ(t.cashout(5)->stake_minor, 500);
  EXPECT_EQ(t.cashout(5)->return_minor, 596);
  EXPECT_EQ(t.cashout(5)->at_ns, 20);  // the last one
  EXPECT_EQ(t.placed_stake(b), 1100);  // the bet's own stake is the caller's to lower
  EXPECT_EQ(t.cashout(6), nullptr);
  EXPECT_THROW(t.add_cashout(7, 1, 1, 1), std::out_of_range);
  EXPECT_THROW(t.add_cashout(0, 1, 1, 1), std::out_of_range);
  EXPECT_EQ(t.cashout(7), nullptr);
}

TEST(BetTable, InsertsOutOfOrderAcrossPagesAndIteratesInIdOrder) {
  BetTable t;
  const uint64_t page = BetTable::kPageBets;
  for (uint64_t id : std::vector<uint64_t>{7, 3, page * 3 + 1, page - 1, page, 1}) t.insert(bet_with(id, static_cast<int64_t>(id)));
  EXPECT_EQ(t.size(), 6u);
  EXPECT_EQ(ids(t), (std::vector<uint64_t>{1, 3, 7, page - 1, page, page * 3 + 1}));
  EXPECT_EQ(t.at(page * 3 + 1).stake_minor, static_cast<int64_t>(page * 3 + 1));
  // Holes, in an allocated page and in a page never allocated, are absent.
  EXPECT_EQ(t.find(2), nullptr);
  EXPECT_EQ(t.find(page * 2 + 5), nullptr);
  EXPECT_EQ(t.find(page * 100), nullptr);
}

TEST(BetTable, ReferencesStayValidAsTheTableGrows) {
  BetTable t;
  Bet& first = t.insert(bet_with(1));
  for (uint64_t id = 2; id < 5 * BetTable::kPageBets; ++id) t.insert(bet_with(id));
  first.stake_minor = 4242;
  EXPECT_EQ(t.at(1).stake_minor, 4242);
  EXPECT_EQ(&t.at(1), &first);
}

TEST(BetTable, RefusesIdZeroADuplicateAndAnIdFarAhead) {
  BetTable t;
  t.insert(bet_with(5, 500));
  EXPECT_FALSE(t.insertable(0));
  EXPECT_FALSE(t.insertable(5));
  EXPECT_TRUE(t.insertable(6));
  EXPECT_THROW(t.insert(bet_with(0)), std::invalid_argument);
  EXPECT_THROW(t.insert(bet_with(5, 1)), std::invalid_argument);
  EXPECT_EQ(t.at(5).stake_minor, 500);  // the first one stays
  // Within kMaxAhead of the pages in use: taken. Far beyond: refused, and
  // nothing is allocated for it.
  const uint64_t edge = BetTable::kPageBets + BetTable::kMaxAhead;
  EXPECT_TRUE(t.insertable(edge - 1));
  EXPECT_FALSE(t.insertable(edge));
  EXPECT_FALSE(t.insertable(UINT64_MAX));
  EXPECT_THROW(t.insert(bet_with(UINT64_MAX)), std::invalid_argument);
  EXPECT_EQ(t.size(), 1u);
  // The window moves with the pages in use.
  t.insert(bet_with(edge - 1));
  EXPECT_TRUE(t.insertable(edge + BetTable::kPageBets));
}

// Against a hash map as the model: random ids (with holes), random lookups.
TEST(BetTable, AgreesWithAHashMapOnRandomIds) {
  std::mt19937_64 rng(19);
  BetTable t;
  std::unordered_map<uint64_t, int64_t> model;
  std::uniform_int_distribution<uint64_t> pick(1, 40000);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t id = pick(rng);
    const bool fresh = !model.count(id);
    ASSERT_EQ(t.insertable(id), fresh);
    if (fresh) {
      t.insert(bet_with(id, i));
      model[id] = i;
    }
  }
  ASSERT_EQ(t.size(), model.size());
  for (uint64_t id = 0; id <= 41000; ++id) {
    const Bet* b = t.find(id);
    auto m = model.find(id);
    ASSERT_EQ(b != nullptr, m != model.end()) << id;
    if (b) ASSERT_EQ(b->stake_minor, m->second);
  }
  uint64_t last = 0;
  size_t n = 0;
  for (const Bet& b : t) {
    ASSERT_GT(b.id, last);
    last = b.id;
    ++n;
  }
  EXPECT_EQ(n, model.size());
}

}  // namespace
}  // namespace inplay
