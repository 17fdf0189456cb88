// libFuzzer target: every JSON request body reader of the HTTP API
// (http/body.h) — bets, deposits and withdrawals, market status, stake cap,
// odds, event state, accounts, feed and route switches, cash-out, actions,
// resettlement, reasons, and a PSP's webhook callback — on any bytes. Each
// either gives its typed request or an Error with a stable code
// (MALFORMED_REQUEST or VALIDATION_FAILED): never a crash, a leak or UB,
// and what it accepts is within the bounds the engine relies on. Built and
// run by tests/fuzz/run.sh (clang, not CMake).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/body.h"

namespace {

template <typename T>
void refused_with_a_stable_code(const inplay::Result<T>& r) {
  if (r) return;
  const inplay::ErrorCode c = r.error().code;
  if (c != inplay::ErrorCode::kMalformedRequest && c != inplay::ErrorCode::kValidationFailed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto bet = inplay::parse_bet_body(body);
  refused_with_a_stable_code(bet);
  if (bet && (!inplay::valid_account_id(bet->account) || bet->stake <= 0 || bet->stake > inplay::kMaxAmountMinor))
    std::abort();
  auto money = inplay::parse_money_body(body);
  refused_with_a_stable_code(money);
  if (money && (money->amount <= 0 || money->amount > inplay::kMaxAmountMinor)) std::abort();
  refused_with_a_stable_code(inplay::parse_status_body(body));
  refused_with_a_stable_code(inplay::parse_integer_field(body, "cap"));
  refused_with_a_stable_code(inplay::parse_odds_body(body));
  refused_with_a_stable_code(inplay::parse_event_state_body(body));
  auto account = inplay::parse_open_account_body(body);
  refused_with_a_stable_code(account);
  if (account && account.value() && !inplay::valid_account_id(*account.value())) std::abort();
  refused_with_a_stable_code(inplay::parse_switch_body(body));
  refused_with_a_stable_code(inplay::parse_route_switch_body(body));
  refused_with_a_stable_code(inplay::parse_cashout_body(body));
  refused_with_a_stable_code(inplay::parse_cashout_accept_body(body));
  refused_with_a_stable_code(inplay::parse_action_body(body));
  refused_with_a_stable_code(inplay::parse_resettle_body(body));
  refused_with_a_stable_code(inplay::parse_reason_body(body));
  refused_with_a_stable_code(inplay::parse_psp_callback_body(body));
  return 0;
}
