// project_record: what one journal record writes to the history store
// (projection/history_store.h), decided once for SQLite and PostgreSQL alike.
//
// Every money movement is two legs (0 and 1) summing to zero, mirroring
// BookState's transfers, so SUM(amount_minor) over ledger_entries is 0:
//   MoneyMoved deposit     0: house/funding -a   1: <acct> +a
//   MoneyMoved withdrawal  0: <acct> -a          1: house/funding +a
//   (house/synthetic instead of house/funding for a synthetic account)
//   BetAccepted            0: <acct> -stake      1: <acct>/reserved +stake
//   BetPostings, per bet (a zero amount moves nothing; house is
//   house/revenue, or house/synthetic for a synthetic account):
//     pay       <acct>/reserved -stake, house +stake; house -ret, <acct> +ret
//     reverse   <acct> -ret, house +ret; house -stake, <acct>/reserved +stake
//     refund    <acct>/reserved -stake, <acct> +stake
//     unrefund  <acct> -stake, <acct>/reserved +stake
//   BetCashedOut           reserved -> house (the cashed stake), house -> <acct>
//   PaymentRequested       a payments row; a withdrawal is held at once
//   PaymentAnswered        the answer; an authorised deposit credited, a
//                          declined withdrawal given back
// reason is transfer_reason_name(): deposit, withdrawal, stake_reserve,
// stake_settle, payout, refund, reversal, cashout, ...
// settlements: one row per bet per BetPostings record (kind pay | reverse |
// refund | unrefund) or cash-out (kind cashout); a bet's status in `bets`
// follows its last posting. accounts: one row per AccountOpened.
// audit: the record's audit entry (audit_entry_of: the same entries as the
// audit log, accounts through `mask`), when it has one and `mask` is set.
// Other record types write nothing (the store only advances last_seq).
//
// Throws std::invalid_argument / std::out_of_range for a record that does not
// decode, ProjectionError for a posting of a bet that is not projected, and
// whatever the store throws. Caller's thread, inside the store's batch.
#pragma once
#include <string>

#include "projection/audit_entries.h"
#include "projection/history_store.h"

namespace inplay {

struct JournalRecord;

void project_record(const JournalRecord& r, HistoryStore& store, const std::string& currency,
                    const AuditMask& mask);

}  // namespace inplay
