// Oracle: what a restarted book must be, worked out from the run's History
// alone — never from the journal under test. The records are replayed into a
// fresh BookState on the same world (its state hash is the one the engine's
// own replay must reach), each idempotency key is mapped to the seqs of the
// decisions journaled under it (one at most: a repeat is answered, never
// decided again), and each user's deposits less withdrawals are summed for
// the money check. One thread.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/book_state.h"
#include "journal/events.h"
#include "recording_journal.h"

namespace inplay::vopr {

// The key of the command a record decides (MoneyMoved, BetAccepted,
// Rejected, BetCashedOut), or nullptr.
const std::string* decision_key(const BookEvent& e);

struct Expected {
  std::string state_hash;
  std::unordered_map<std::string, std::vector<uint64_t>> decisions;  // key -> seqs
  std::map<std::string, int64_t> moved;  // user -> deposits less withdrawals
};
// The records of h, seq 1 to h.records.size(), replayed.
Expected expect(const History& h);

// The money of a recovered book against the records it came from: the
// ledger sums to 0; each user's reserve holds exactly the stakes of their
// open bets; their cash is deposits less withdrawals less every stake plus
// the returns of their settled bets and what their cash-outs paid (a bet
// paid twice, or a stake kept twice, shows here). Returns what is wrong (empty: nothing).
std::vector<std::string> check_money(const BookState& s, const Expected& e);

}  // namespace inplay::vopr
