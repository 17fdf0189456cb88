// Reconciliation: the book's payments on one PSP route against that PSP's
// T+0 settlement report (WAL-2, WAL-4) — the PSP's own record, so a double
// charge shows even when the book's ledger looks right. Pure functions, no
// I/O, no clock: any thread.
//
// The report is CSV with the header
//   psp_ref,payment_id,kind,amount_minor,currency,status,created_ms
// and a row per transaction the PSP holds as final (authorised, declined).
// parse_settlement_report refuses the whole report (VALIDATION_FAILED
// naming the line and field) if one line is junk: a reconciliation on half
// a report would call payments missing that are not.
//
// reconcile() lists, per book payment or report row:
//   duplicate        the same payment_id in two or more rows: one book payment
//                    charged more than once at the PSP
//   unknown_at_book  a row whose payment the book never asked of this route
//                    (no such id, or the id is another route's)
//   missing_at_psp   the book holds an authorised payment the report lacks
//   status           authorised at one side, declined at the other
//   amount           amount_minor or currency differ
//   kind             deposit at one side, payout at the other
// A book payment still pending or timed_out whose PSP row is final is
// `unsettled` (counted, not a mismatch) until the PSP's word reaches the
// book. The reconciler reads the book twice, before and after fetching
// the report: `book` is the read after (every payment the report can hold
// was journaled before it was sent, so it is there), `authorised_before`
// the payments authorised at the read before — only those can be
// missing_at_psp (one authorised in between may be in no report yet).
// nullptr: every authorised payment in `book` was so before the report.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "payment/payment_book.h"

namespace inplay {

struct SettlementRow {
  std::string psp_ref;
  std::string payment_id;
  std::string kind;      // "deposit" | "payout"
  int64_t amount_minor = 0;
  std::string currency;
  std::string status;    // "authorised" | "declined"
  int64_t created_ms = 0;
};

Result<std::vector<SettlementRow>> parse_settlement_report(std::string_view csv);

enum class MismatchKind : uint8_t { kDuplicate, kUnknownAtBook, kMissingAtPsp, kStatus, kAmount, kKind };
inline constexpr MismatchKind kMismatchKinds[] = {MismatchKind::kDuplicate, MismatchKind::kUnknownAtBook,
                                                  MismatchKind::kMissingAtPsp, MismatchKind::kStatus,
                                                  MismatchKind::kAmount, MismatchKind::kKind};
// "duplicate", "unknown_at_book", "missing_at_psp", "status", "amount", "kind"
const char* mismatch_kind_name(MismatchKind k);

struct Mismatch {
  MismatchKind kind;
  std::string payment_id;
  std::vector<std::string> psp_refs;  // the rows involved (none for missing_at_psp)
  std::string detail;                 // what differs, in words
};

struct Reconciliation {
  size_t book_payments = 0;  // the book's payments on the route, as read
  size_t rows = 0;           // report rows read
  size_t matched = 0;        // book payments whose one row agrees with the book
  size_t held = 0;           // book payments the PSP holds (one row or more)
  size_t held_once = 0;      // ... exactly once (SLI wallet_tx_unique: good / valid)
  size_t unsettled = 0;      // book pending / timed_out, PSP final
  size_t duplicates = 0;     // book payments held more than once
  std::vector<Mismatch> mismatches;  // payment_id order, then kind
  size_t count(MismatchKind k) const;
};

// book: the book's payments on this route (others are ignored);
// currency: the book's currency code.
Reconciliation reconcile(const std::string& route, const std::vector<Payment>& book,
                         const std::vector<SettlementRow>& rows, std::string_view currency,
                         const std::set<uint64_t>* authorised_before = nullptr);

}  // namespace inplay
