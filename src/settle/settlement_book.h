// SettlementBook: what the book knows of each market's settlement — its
// current result (version), its cancels, its bets in accept order — and
// the settlement dead-letter queue; and the one place settlement events
// change BookState (apply). Like BookState::apply, replay and live
// decisions go through the same code, so a replay pays what was paid.
//
// The model: a market's result and cancels (the headers: MarketSettled,
// SettlementRolledBack, BetsCancelled, CancelRolledBack) say what each bet
// should be — its target — and BetPostings move bets to it one step at a
// time (settle/settle_desk.h plans them with next_postings()):
//   target = cancelled by the first active cancel whose [from, to) holds
//            the bet's placement time, else
//            settled under the current result version, if there is one,
//            else open.
// Money per step (house = house/revenue, or house/synthetic for a
// synthetic account; exposure follows the bet in and out):
//   pay       reserved -> house: stake; house -> cash: return (if > 0)
//   reverse   cash -> house: return; house -> reserved: stake
//   refund    reserved -> cash: stake
//   unrefund  cash -> reserved: stake
// A reversal may leave a user's cash below zero (they withdrew winnings a
// corrected result took back): the ledger shows the debt; the balance
// check refuses their next withdrawal.
//
// apply() throws std::invalid_argument on an event that does not fit the
// state (a bet paid twice, a version out of turn): a journal that would pay
// twice stops start-up instead. Engine thread only (inside BookState).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "bet/bet.h"
#include "bet/bet_table.h"
#include "journal/settlement_events.h"
#include "market/book.h"
#include "risk/exposure.h"
#include "wallet/ledger.h"

namespace inplay {

struct CancelRange {
  uint32_t id = 0;
  int64_t from_ns = 0, to_ns = INT64_MAX;
  bool active = true;
  std::string superseded_by, reason, source;
  int64_t provider_ts_ms = 0, at_ns = 0;
};

struct MarketSettlement {
  uint32_t version = 0;       // the current result's version; 0: none
  uint32_t last_version = 0;  // the highest version ever settled
  MarketSettled result;       // the current result (version > 0)
  int64_t newest_ts_ms = 0;   // provider time of the newest result or rollback taken
  std::vector<CancelRange> cancels;
  std::vector<uint64_t> bets;  // every bet of the market, in accept order
  // Changes with every header and every bet added: a plan made at one
  // generation is still the plan while it stands.
  uint64_t generation = 0;
  const SettledOutcome* outcome(uint64_t selection_id) const;
};

// The parts of BookState settlement changes.
struct SettlementRefs {
  Book& book;
  Ledger& ledger;
  Exposure& exposure;
  BetTable& bets;
  int64_t& open_bets;
};

class SettlementBook {
 public:
  void add_bet(const Bet& b) {
    MarketSettlement& ms = markets_[b.market_id];
    ms.bets.push_back(b.id);
    ++ms.generation;
  }

  // A bet of the market changed outside settlement (a cash-out): a plan
  // made before is stale.
  void touch(uint64_t market_id) { ++markets_[market_id].generation; }

  void apply(const MarketSettled& e, SettlementRefs s);
  void apply(const BetPostings& e, SettlementRefs s);
  void apply(const SettlementRolledBack& e, SettlementRefs s);
  void apply(const BetsCancelled& e, SettlementRefs s);
  void apply(const CancelRolledBack& e, SettlementRefs s);
  void apply(const SettlementDeadLettered& e);
  void apply(const DeadLetterResolved& e);

  const MarketSettlement* market(uint64_t market_id) const;
  // Markets with a result or a cancel (the ones settlement may owe work).
  std::vector<uint64_t> markets_with_headers() const;

  // The postings that move every bet of the market to its target, in the
  // order to apply them: reverses, unrefunds, refunds, then pays (a bet
  // paid under an old version is reversed before it is paid again), each
  // batch one kind, one version or cancel, at most max_bets bets. Empty:
  // every bet is where it should be. A plan made after applying part of
  // an earlier one is the rest of it.
  std::vector<BetPostings> plan(uint64_t market_id, const BetTable& bets, int64_t at_ns,
                                size_t max_bets = BetPostings::kMaxBetsPerRecord) const;

  // Open entries of the dead-letter queue, by id.
  const std::map<uint64_t, SettlementDeadLettered>& dead_letters() const { return dlq_; }
  uint64_t next_dead_letter_id() const { return next_dlq_id_; }
  uint64_t dead_letters_resolved() const { return dlq_resolved_; }

  // A canonical rendering for BookState::state_hash.
  void hash_into(std::string& canon) const;

 private:
  std::unordered_map<uint64_t, MarketSettlement> markets_;
  std::map<uint64_t, SettlementDeadLettered> dlq_;
  uint64_t next_dlq_id_ = 1;
  uint64_t dlq_resolved_ = 0;
};

}  // namespace inplay
