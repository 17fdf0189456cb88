// Views: JSON renderings of book state for the read API. Engine thread only
// (they read BookState directly).
#pragma once
#include <string>

#include "engine/book_state.h"

namespace inplay {

// {"events":[{id,sport,league,home,away,kickoff,state,markets:[...]}]}
std::string events_json(const BookState& s, TimePoint now);
// One market with selections, prices, staleness and liability.
std::string market_json(const BookState& s, const Market& m, TimePoint now);
// {"account":..,"currency":..,"balance":..,"reserved":..}
std::string account_json(const BookState& s, uint32_t cash_account);
// {"state_hash":..,"ledger_sum":..,"bets":..,"events_applied":..}
std::string admin_state_json(const BookState& s);

}  // namespace inplay
