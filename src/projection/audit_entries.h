// What the audit log (telemetry/audit.h, CMP-1) says about each journal
// event: one audit record per key action, or none. The audit projection
// writes these; `inplay audit verify` uses the same function to know which
// journal records the file must hold. Pure; any thread.
//
//   event                  action              fields
//   BetAccepted            bet_accepted        bet_id, account, selection_id, stake,
//                                              currency, odds, odds_requested,
//                                              price_change, trace_id
//   BetCashedOut           bet_cashed_out      bet_id, market_id, stake, amount, currency,
//                                              odds, price_version, price_ts_ms, trace_id
//   Rejected               bet_rejected        code, status, caller
//   MoneyMoved             deposit | withdrawal (others: money_moved + reason)
//                                              account, amount, currency
//   AccountOpened          account_opened      account, channel, actor
//   MarketStatusSet        market_status_set   market_id, status, reason, actor
//   StakeCapSet            stake_cap_set       market_id, cap, actor
//   EventStateSet          event_state_set     event_id, state, actor
//   MarketControlSet       market_control_set  market_id, control, value, reason, actor
//   ActionRecorded         its action          target, actor, detail
//   FeedSwitched           feed_switched       target, actor, detail ("from -> to")
//   MarketSettled          market_settled      market_id, version, certainty, source, reason
//   BetPostings            bets_posted         market_id, kind, version, cancel_id, bets,
//                                              amount (the batch's total), currency
//   SettlementRolledBack   settlement_rolled_back market_id, version, source, reason
//   BetsCancelled          bets_cancelled      market_id, cancel_id, from_ns, to_ns, source, reason
//   CancelRolledBack       cancel_rolled_back  market_id, cancel_id, source
//   SettlementDeadLettered settlement_dead_lettered dlq_id, market_id, reason, source
//   DeadLetterResolved     dead_letter_resolved dlq_id, resolution, actor, detail
// Not audited: prices (PriceApplied, MarketPriced; an operator's manual
// price is audited by its ActionRecorded "price_set"), incident snapshots,
// and the audit's own anchors (AuditAnchored). Account ids go through
// `mask` (the runtime's Pseudonymizer) and never appear raw.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "journal/events.h"
#include "telemetry/audit.h"

namespace inplay {

using AuditMask = std::function<std::string(std::string_view account_id)>;

std::optional<AuditEntry> audit_entry_of(const BookEvent& ev, uint64_t journal_seq, const AuditMask& mask,
                                         const std::string& currency);

}  // namespace inplay
