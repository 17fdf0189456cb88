// BetTable: the book's accepted bets by id (BookState::bets).
//
// Ids are handed out in order from 1 (BookState::next_bet_id), so the table
// is an array indexed by id instead of a hash map: pages of kPageBets bets,
// each allocated when the first id in it arrives. A lookup is a shift and
// two loads, with no hashing; an insert never moves a stored bet (pointers
// and references stay valid, and no rehash ever stalls the engine thread);
// iteration goes in id order. A bet costs its sizeof(Bet) in a page, where
// a hash-map node cost a malloc block one class larger plus a bucket.
//
// What a bet has cashed out lives beside the table (cashout()): few bets
// cash out, so a map by id holds it instead of 24 bytes on every bet.
//
// Ids need not arrive in order (a replay, a test), but each must lie within
// kMaxAhead ids of the highest page in use: insertable() says whether one
// does, so that a record naming a bet id far beyond the book cannot make it
// allocate a page directory for ids nobody will use. Id 0 is never a bet.
// Engine thread only, like the rest of BookState.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <unordered_map>
#include <vector>

#include "bet/bet.h"

namespace inplay {

class BetTable {
 public:
  static constexpr uint64_t kPageBets = 4096;
  static constexpr uint64_t kMaxAhead = uint64_t{1} << 20;

  BetTable() = default;
  BetTable(const BetTable&) = delete;
  BetTable& operator=(const BetTable&) = delete;

  // The bet with this id, or nullptr.
  Bet* find(uint64_t id) {
    Bet* b = slot(id);
    return b && b->id == id && id != 0 ? b : nullptr;  // slot 0 is never a bet
  }
  const Bet* find(uint64_t id) const { return const_cast<BetTable*>(this)->find(id); }
  // The bet with this id; throws std::out_of_range if there is none.
  Bet& at(uint64_t id);
  const Bet& at(uint64_t id) const { return const_cast<BetTable*>(this)->at(id); }

  // True when insert() would take a bet with this id: not 0, not present,
  // and within kMaxAhead ids of the pages in use.
  bool insertable(uint64_t id) const;
  // Stores b under b.id and returns it; throws std::invalid_argument unless
  // insertable(b.id) (nothing changes then).
  Bet& insert(const Bet& b);

  // The bet's cash-outs so far, or nullptr if it never cashed out.
  const BetCashout* cashout(uint64_t id) const {
    auto it = cashouts_.find(id);
    return it == cashouts_.end() ? nullptr : &it->second;
  }
  // Adds a cash-out of stake_minor for return_minor at at_ns to the bet's
  // record; throws std::out_of_range if there is no bet `id`.
  void add_cashout(uint64_t id, int64_t stake_minor, int64_t return_minor, int64_t at_ns);
  // The stake as placed: what still rides plus what was cashed out.
  int64_t placed_stake(const Bet& b) const {
    const BetCashout* c = cashout(b.id);
    return b.stake_minor + (c ? c->stake_minor : 0);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Sizes the page directory for ids up to n (the pages come as ids do).
  void reserve(size_t n) { pages_.reserve(n / kPageBets + 1); }

  template <typename T>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Bet;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;
    Iter() = default;
    T& operator*() const { return *bet_; }
    T* operator->() const { return bet_; }
    Iter& operator++() {
      bet_ = table_->next_after(bet_->id);
      return *this;
    }
    Iter operator++(int) {
      Iter old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iter& o) const { return bet_ == o.bet_; }
    bool operator!=(const Iter& o) const { return bet_ != o.bet_; }

   private:
    friend class BetTable;
    Iter(const BetTable* t, T* b) : table_(t), bet_(b) {}
    const BetTable* table_ = nullptr;
    T* bet_ = nullptr;  // nullptr: end
  };
  using iterator = Iter<Bet>;
  using const_iterator = Iter<const Bet>;
  iterator begin() { return iterator(this, next_after(0)); }
  iterator end() { return iterator(this, nullptr); }
  const_iterator begin() const { return const_iterator(this, next_after(0)); }
  const_iterator end() const { return const_iterator(this, nullptr); }

 private:
  struct Page {
    Bet bets[kPageBets];  // a slot whose id is 0 is empty
  };
  Bet* slot(uint64_t id) const {
    const uint64_t p = id / kPageBets;
    return p < pages_.size() && pages_[p] ? &pages_[p]->bets[id % kPageBets] : nullptr;
  }
  // The stored bet with the smallest id above `id`, or nullptr.
  Bet* next_after(uint64_t id) const;

  std::vector<std::unique_ptr<Page>> pages_;  // by id / kPageBets
  size_t size_ = 0;
  std::unordered_map<uint64_t, BetCashout> cashouts_;  // by bet id
};

}  // namespace inplay
