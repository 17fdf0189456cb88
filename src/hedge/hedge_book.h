// HedgeBook: the hedges the book has asked for and what the venues said
// (CO-4), part of BookState: changed only by apply(HedgeInstructed |
// HedgeAnswered), so replay rebuilds it. It also answers the one question
// the hedge desk asks: a market's worst case counting its hedges.
//
// A hedge backs selection s at odds o for stake h: if s wins the house gets
// h·(o−1), otherwise it loses h. So the house's loss if s wins, hedged, is
//   outcome_loss(s) − Σ profit of hedges on s + Σ stakes of hedges on the
//   market's other selections,
// counting a filled hedge at its match and an open one as asked (so a
// market is not hedged twice while an order is out); a rejected hedge
// counts nothing. The worst case is the largest of these (exclusive markets:
// one selection wins). Engine thread only.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/odds.h"
#include "journal/events.h"
#include "market/book.h"
#include "risk/exposure.h"

namespace inplay {

enum class HedgeStatus : uint8_t { kOpen = 0, kFilled = 1, kRejected = 2 };
const char* hedge_status_name(HedgeStatus s);  // "open", "filled", "rejected"

struct Hedge {
  uint64_t id = 0;
  uint64_t market_id = 0;
  uint64_t selection_id = 0;
  int64_t stake_minor = 0;
  int32_t odds = 0;
  int64_t liability_minor = 0;  // the worst case that called for it
  std::string venue;
  int64_t instructed_ns = 0;
  HedgeStatus status = HedgeStatus::kOpen;
  int64_t matched_stake_minor = 0;
  int32_t matched_odds = 0;
  std::string detail;
  int64_t answered_ns = 0;
};

// The case a market would be hedged for.
struct WorstOutcome {
  uint64_t selection_id = 0;  // 0: the market has no selection that loses the house money
  int64_t loss_minor = 0;     // hedged worst case, floored at 0
};

// Stake that backs a selection at odds to win `cover_minor` (rounded up);
// 0 when the odds pay nothing (<= 1.00).
int64_t hedge_stake_for(int64_t cover_minor, Odds odds);

class HedgeBook {
 public:
  // Throw std::invalid_argument (and change nothing) for a reused id, an
  // answer to an unknown or already answered hedge, or a bad result.
  void apply(const HedgeInstructed& e);
  void apply(const HedgeAnswered& e);

  WorstOutcome worst_outcome(const Market& m, const Exposure& x) const;
  // The market's open hedge (one at a time), or nullptr.
  const Hedge* open_on(uint64_t market_id) const;
  const Hedge* find(uint64_t hedge_id) const;
  // The market's hedges, oldest first; its newest (nullptr: never hedged).
  std::vector<const Hedge*> on_market(uint64_t market_id) const;
  const Hedge* latest_on(uint64_t market_id) const;
  const std::map<uint64_t, Hedge>& all() const { return hedges_; }
  std::vector<const Hedge*> open() const;
  size_t open_count() const { return open_by_market_.size(); }
  uint64_t next_id() const { return hedges_.empty() ? 1 : hedges_.rbegin()->first + 1; }

  // Appends the canonical lines of BookState::state_hash (none when empty,
  // so a journal without hedges keeps its hash).
  void hash_into(std::string& canon) const;

 private:
  std::map<uint64_t, Hedge> hedges_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> by_market_;
  std::unordered_map<uint64_t, uint64_t> open_by_market_;
};

}  // namespace inplay
