// Exposure: the house's liability per selection, market and event, and each
// account's staked total per market (RISK-1).
//
// Liability of a selection = sum over accepted bets on it of potential profit
// (payout - stake). Liability of a market = the worst case over its
// selections of (payouts if that selection wins - all stakes in the market),
// floored at 0. Liability of an event = the sum of its markets' liabilities
// (conservative: outcomes of markets of one event are treated as
// independent). Engine thread only.
#pragma once
#include <cstdint>
#include <unordered_map>

#include "market/book.h"

namespace inplay {

class Exposure {
 public:
  explicit Exposure(const Book& book) : book_(book) {}

  // Records an accepted bet: stake on a selection at odds, by an account.
  // Throws std::logic_error ("money overflow") and changes nothing when a
  // sum would leave the int64 range.
  void add(uint32_t account, uint64_t selection_id, int64_t stake_minor, Odds odds);
  // Takes a bet out again (settled or cancelled): exactly what add() put in.
  void remove(uint32_t account, uint64_t selection_id, int64_t stake_minor, Odds odds);

  int64_t selection_liability(uint64_t selection_id) const;
  int64_t market_liability(uint64_t market_id) const;
  // What the house loses if this selection wins: its bets' payouts less all
  // stakes in its market (negative: the house wins in that case).
  int64_t outcome_loss(uint64_t selection_id) const;
  int64_t event_liability(uint64_t event_id) const;
  int64_t account_market_stake(uint32_t account, uint64_t market_id) const;
  // The market's liability if one more bet were accepted.
  int64_t market_liability_with(uint64_t selection_id, int64_t stake_minor, Odds odds) const;

 private:
  struct SelectionBook {
    int64_t stakes = 0;
    int64_t payouts = 0;
  };
  struct MarketBook {
    int64_t stakes = 0;
    int64_t liability = 0;
  };
  void change(uint32_t account, uint64_t selection_id, int64_t stake, int64_t payout);
  int64_t compute_market_liability(const Market& m, uint64_t extra_sel, int64_t extra_stake,
                                   int64_t extra_payout) const;
  int64_t market_stake(uint64_t market_id) const;

  const Book& book_;
  std::unordered_map<uint64_t, SelectionBook> selections_;
  std::unordered_map<uint64_t, MarketBook> markets_;
  std::unordered_map<uint64_t, int64_t> events_;
  // market id -> account -> staked total. Keyed by both ids in full: ids go
  // up to 2^63-1, so no packing of the two into one integer is collision-free.
  std::unordered_map<uint64_t, std::unordered_map<uint32_t, int64_t>> account_market_;
};

}  // namespace inplay
