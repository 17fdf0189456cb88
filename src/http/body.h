// Body: strict reading of JSON request bodies with simdjson (on-demand).
//
// Each parse_* returns the typed request or an Error with a stable code:
// MALFORMED_REQUEST (400) when the body is not a JSON object, and
// VALIDATION_FAILED (422) naming the field when a field is missing, of the
// wrong type or out of range. Unknown fields are ignored. Thread-safe (one
// simdjson parser per thread).
#pragma once
#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/money.h"
#include "core/odds.h"
#include "market/book.h"
#include "risk/risk_check.h"

namespace inplay {

struct BetBody {
  std::string account;
  uint64_t selection_id = 0;
  int64_t stake = 0;
  Currency currency;
  Odds odds;
  PriceChangePolicy policy = PriceChangePolicy::kNone;
};

struct MoneyBody {
  int64_t amount = 0;
  Currency currency;
};

struct StatusBody {
  MarketStatus status;
  std::string reason;
};

inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000;  // 10^10 major units

bool valid_account_id(std::string_view id);  // [A-Za-z0-9_.-]{1,64}, not "house..."
bool valid_idempotency_key(std::string_view key);  // 1..128 visible ASCII

Result<BetBody> parse_bet_body(std::string_view body);
Result<MoneyBody> parse_money_body(std::string_view body);
Result<StatusBody> parse_status_body(std::string_view body);
// {"<field>": <non-negative integer>} e.g. {"cap": 500}, {"ms": 5000}
Result<int64_t> parse_integer_field(std::string_view body, std::string_view field);
// {"odds": "2.5"} or {"odds": 2.5}
Result<Odds> parse_odds_body(std::string_view body);
// {"state": "in_play"}
Result<EventState> parse_event_state_body(std::string_view body);

// POST /v1/accounts: {"account": "alice"} (valid_account_id), or {} or an
// empty body (the book names the account).
Result<std::optional<std::string>> parse_open_account_body(std::string_view body);

// {"to": "primary"|"backup"} or {} (the other one).
Result<std::optional<std::string>> parse_switch_body(std::string_view body);

// {"to": "<payment route name>"}: [A-Za-z0-9_.-]{1,64}, required.
Result<std::string> parse_route_switch_body(std::string_view body);

// {"frozen": true, "reason": "..."} (reason optional, at most 200 chars).
struct CashoutBody {
  bool frozen = false;
  std::string reason;
};
Result<CashoutBody> parse_cashout_body(std::string_view body);

// A cash-out accept (POST /v1/bets/{id}/cashout): {"quote_id": "812...",
// "amount": 731, "price_change": "better"}. quote_id (a decimal string) and
// amount (the quoted amount, minor units) are required; price_change
// defaults to none (only the quoted amount).
struct CashoutAcceptBody {
  uint64_t quote_id = 0;
  int64_t amount = 0;
  PriceChangePolicy policy = PriceChangePolicy::kNone;
};
Result<CashoutAcceptBody> parse_cashout_accept_body(std::string_view body);

// An operator's action (POST /v1/actions): {"action": "freeze_cashout",
// "markets": [101], "sport": "football", "league": "EPL", "value": 500,
// "incident": 3}. action is required; the target needs markets, a league or
// a sport; value is required for lower_stake_cap (minor units),
// extend_delay (ms) and shed_load (bets per second).
struct ActionBody {
  std::string action;
  std::vector<uint64_t> markets;
  std::string sport, league;
  int64_t value = 0;
  uint64_t incident = 0;
};
Result<ActionBody> parse_action_body(std::string_view body);

// POST /v1/settlement/resettle: {"market_id": 101, "reason": "rule patch
// 2026-14", "score": {"home": 2, "away": 1}} — reason required (1..200
// chars), score optional (goals 0..99).
struct ResettleBody {
  uint64_t market_id = 0;
  std::string reason;
  std::optional<std::pair<int, int>> score;  // home, away
};
Result<ResettleBody> parse_resettle_body(std::string_view body);

// {"reason": "..."}: required, 1..200 characters (closing a dead letter).
Result<std::string> parse_reason_body(std::string_view body);

// A PSP's callback, POST /psp/callbacks/{route}, read after its signature
// was checked: {"payment_id": "...", "status": "...", "psp_ref": "...",
// "reason": "..."}, each a string when present, other fields ignored. The
// route checks the id and the status word (authorised, declined, pending).
struct PspCallbackBody {
  std::string payment_id, status, psp_ref, reason;
};
Result<PspCallbackBody> parse_psp_callback_body(std::string_view body);

}  // namespace inplay
