#include "bet/bet_table.h"

#include <fmt/format.h>

#include <stdexcept>

namespace inplay {

Bet& BetTable::at(uint64_t id) {
  if (Bet* b = find(id)) return *b;
  throw std::out_of_range(fmt::format("no bet {}", id));
}

bool BetTable::insertable(uint64_t id) const {
  if (id == 0 || find(id)) return false;
  const uint64_t limit = static_cast<uint64_t>(pages_.size()) * kPageBets + kMaxAhead;
  return id < limit;
}

Bet& BetTable::insert(const Bet& b) {
  if (!insertable(b.id)) {
    throw std::invalid_argument(b.id == 0 ? std::string("bet id 0")
                                : find(b.id) ? fmt::format("bet {} is already in the book", b.id)
                                             : fmt::format("bet id {} is too far beyond the book's bets", b.id));
  }
  const uint64_t p = b.id / kPageBets;
  if (p >= pages_.size()) pages_.resize(p + 1);
  if (!pages_[p]) pages_[p] = std::make_unique<Page>();
  Bet& slot = pages_[p]->bets[b.id % kPageBets];
  slot = b;
  ++size_;
  return slot;
}

void BetTable::add_cashout(uint64_t id, int64_t stake_minor, int64_t return_minor, int64_t at_ns) {
  (void)at(id);
  BetCashout& c = cashouts_[id];
  c.stake_minor += stake_minor;
  c.return_minor += return_minor;
  c.at_ns = at_ns;
}

Bet* BetTable::next_after(uint64_t id) const {
  for (uint64_t i = id + 1, p = i / kPageBets; p < pages_.size(); ++p, i = p * kPageBets) {
    if (!pages_[p]) continue;
    for (Bet* b = &pages_[p]->bets[i % kPageBets]; b != pages_[p]->bets + kPageBets; ++b)
      if (b->id != 0) return b;
  }
  return nullptr;
}

}  // namespace inplay
