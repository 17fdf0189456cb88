// Views: JSON renderings of book state for the API, and the one place an
// Outcome (wallet/outcome.h) becomes an HTTP status and body. Engine thread
// only (they read BookState directly).
#pragma once
#include <string>

#include "engine/book_state.h"
#include "http/reply.h"
#include "wallet/outcome.h"

namespace inplay {

// BetPlaced: 201 with the bet as bet_json renders it now; MoneyReceipt: 201
// {"account","movement","amount","currency","balance","trace_id"}; Error:
// its status (error_http_status) and error_body. Deterministic: a repeat of
// an idempotency key renders the same bytes.
Reply render(const Outcome& o, const BookState& s);
// {"bet_id":"..","status":"accepted","account":..,"selection_id":..,...}
std::string bet_json(const BookState& s, const Bet& b);

// {"events":[{id,sport,league,home,away,kickoff,state,markets:[...]}]}
std::string events_json(const BookState& s, TimePoint now);
// One market with selections, prices, staleness and liability.
std::string market_json(const BookState& s, const Market& m, TimePoint now);
// {"account":..,"currency":..,"balance":..,"reserved":..}
std::string account_json(const BookState& s, uint32_t cash_account);
// {"state_hash":..,"ledger_sum":..,"bets":..,"events_applied":..}
std::string admin_state_json(const BookState& s);

}  // namespace inplay
