// Views: JSON renderings of book state for the API, and the one place an
// Outcome (wallet/outcome.h) becomes an HTTP status and body. Engine thread
// only (they read BookState directly).
#pragma once
#include <string>

#include "core/json.h"
#include "engine/book_state.h"
#include "http/reply.h"
#include "wallet/outcome.h"

namespace inplay {

// BetPlaced: 201 with the bet as it was placed (bet_json's placement
// view); MoneyReceipt: 201 {"account","movement","amount","currency",
// "balance","trace_id"}; CashedOut: 200 {"bet_id","status","cashed_out_stake",
// "amount","currency","odds","remaining_stake","cashed_out_at","trace_id"}; Error: its status (error_http_status) and
// error_body. Deterministic: a repeat of an idempotency key renders the same
// bytes, whatever settlement did to the bet since.
// PaymentRef: the payment as it stands now (payment_reply).
Reply render(const Outcome& o, const BookState& s);
// An error as the API answers it: its status (error_http_status) and
// error_body.
Reply error_reply(const Error& e);
// A payment (payment/payment_book.h): {"payment_id","account","movement",
// "amount","currency","status","reconciled","route","psp_ref","balance",
// "requested_at","answered_at","trace_id"}; "balance" is the account's now.
std::string payment_json(const BookState& s, const Payment& p);
void payment_fields(JsonWriter& w, const BookState& s, const Payment& p);
// 201 authorised, 202 pending or timed out (the PSP's word comes later), 402
// declined: {"error":{"code":"PAYMENT_DECLINED","message"},"payment":{..}}.
Reply payment_reply(const BookState& s, const Payment& p);
// A screening (kyc/screening_book.h) as JSON, and a withdrawal held for its
// screening as it stands: the payment it let go, 403 KYC_REJECTED, or 202
// {"status":"in_review","screening":{..}}.
std::string screening_json(const Screening& k);
void screening_fields(JsonWriter& w, const Screening& k);
Reply held_withdrawal_reply(const BookState& s, uint64_t screening_id);
// {"bet_id":"..","status":..,"account":..,"selection_id":..,...}. The
// current view adds what settlement did: "outcome" (win, half_win, push,
// half_lose, lose, dead_heat; void when cancelled), "return" (minor units),
// "result_version" and "settled_at" — null while the bet is open — and
// "cashout" ({"stake","amount","at"} once any of it was cashed out, else
// null); its "stake" is then the stake still riding. The
// placement view (as_placed: the answer to POST, replayed byte for byte as
// it was first sent, also by journals from before settlement) is the bet as
// accepted: status "accepted", without those four fields.
std::string bet_json(const BookState& s, const Bet& b, bool as_placed = false);

// Liability (the book's exposure, per event, market and selection) is the
// operator's: a channel's view leaves the "liability" fields out (SEC-1).
enum class Audience : uint8_t { kChannel, kOperator };

// {"events":[{id,sport,league,home,away,kickoff,state,score,minute,period,markets:[...]}]}
std::string events_json(const BookState& s, TimePoint now, Audience who);
// One market with selections, prices, staleness and (operators) liability,
// and its result when it has one ("result": {"version","certainty","source",
// "score","outcomes":[{"selection_id","outcome"}]} or null).
std::string market_json(const BookState& s, const Market& m, TimePoint now, Audience who);
// {"account":..,"currency":..,"balance":..,"reserved":..,"channel":..}
// (channel: the owner, null for an account from before owners)
std::string account_json(const BookState& s, uint32_t cash_account);
// {"state_hash":..,"ledger_sum":..,"bets":..,"events_applied":..}
std::string admin_state_json(const BookState& s);

}  // namespace inplay
