// HistoryStore: where the history projection (projection/history_projection.h)
// keeps its read model of the journal — bets, ledger legs, settlements,
// accounts, payments — one interface, two implementations: SQLite embedded
// (projection/sqlite_history.h, the default) and PostgreSQL 15
// (projection/postgres_history.h, when one machine is not enough).
//
// Both keep the same tables with the same meaning (columns, keys, text
// forms; docs/storage.md) so one test suite runs against both:
//   meta(key, value)          'last_seq': journal seq of the last record
//                             applied (0 = none); 'schema_version' 1;
//                             'audit_since': last_seq when the audit table
//                             was made (0 for a new store; a store from
//                             before it has audit rows only after that seq)
//   bets(bet_id PK, seq UNIQUE, account, selection_id, stake_minor, odds,
//        odds_requested, price_change, status, placed_at, accepted_at, trace_id)
//   ledger_entries(seq, leg, account, amount_minor, currency, reason, at;
//        PK(seq, leg))
//   settlements(seq, bet_id, market_id, kind, result_version, cancel_id,
//        amount_minor, at; PK(seq, bet_id))
//   accounts(account PK, seq, channel, opened_at)
//   payments(payment_id PK, seq, account, kind, amount_minor, currency, route,
//        status, reconciled, psp_ref, requested_at, answered_seq, answered_at,
//        trace_id)
//   audit(seq PK, action, at, fields)  one row per audited journal record
//        (projection/audit_entries.h: the same entries as audit.jsonl,
//        accounts masked); fields is a JSON object as text
// What a journal event writes is decided once, for both stores, by
// project_record() (projection/history_rows.h).
//
// The contract every implementation keeps:
// - A batch is one transaction: begin_batch() ... commit_batch(last_seq)
//   writes its rows and meta.last_seq together, so a crash (of the process or
//   of the database) leaves all of a batch or none of it.
// - begin_batch() returns the stored last_seq read inside the transaction,
//   with the store locked against other writers until commit or abandon: a
//   record at or below it is already projected and the caller skips it.
//   Two followers on one database therefore never double a row.
// - Every add_* is idempotent on its primary key (insert-or-ignore) as a
//   second guard; answer_payment applies only a newer answer (by seq).
// - abandon_batch() never throws and leaves the store usable; a lost
//   connection is re-opened by the next begin_batch().
// - Errors are ProjectionError naming the statement and the database's message.
// Not thread-safe: one caller at a time (the projection holds its mutex).
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace inplay {

// A store failure (the message names the statement and the database's error).
class ProjectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BetRow {
  uint64_t bet_id = 0, seq = 0, selection_id = 0;
  std::string account;
  int64_t stake_minor = 0;
  std::string odds, odds_requested, price_change, placed_at, accepted_at, trace_id;
};

struct LedgerLeg {
  uint64_t seq = 0;
  int leg = 0;
  std::string account;
  int64_t amount_minor = 0;
  std::string currency, reason, at;
};

struct SettledBetRow {
  uint64_t seq = 0, bet_id = 0, market_id = 0, result_version = 0, cancel_id = 0;
  std::string kind;
  int64_t amount_minor = 0;
  std::string at;
};

struct AccountRow {
  std::string account;
  uint64_t seq = 0;
  std::string channel, opened_at;
};

struct PaymentRow {
  uint64_t payment_id = 0, seq = 0;
  std::string account, kind;
  int64_t amount_minor = 0;
  std::string currency, route, requested_at, trace_id;
};

struct PaymentAnswer {
  uint64_t payment_id = 0, seq = 0;
  std::string status, psp_ref, answered_at;
};

struct AuditRow {
  uint64_t seq = 0;
  std::string action, at;
  std::string fields;  // a JSON object: {"bet_id":7,"account":"p-1f..",...}
};

// The cash account and riding stake of a projected bet.
struct BetStake {
  std::string account;
  int64_t stake_minor = 0;
};

class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // The stored high-water mark, outside any batch (at start).
  virtual uint64_t last_seq() = 0;
  virtual uint64_t begin_batch() = 0;
  virtual void commit_batch(uint64_t last_seq) = 0;
  virtual void abandon_batch() noexcept = 0;

  virtual void add_bet(const BetRow& b) = 0;
  virtual void add_leg(const LedgerLeg& l) = 0;
  virtual void add_settlement(const SettledBetRow& s) = 0;
  virtual void add_account(const AccountRow& a) = 0;
  virtual void add_payment(const PaymentRow& p) = 0;
  virtual void answer_payment(const PaymentAnswer& a) = 0;
  virtual void add_audit(const AuditRow& a) = 0;
  // Rows written earlier in the same batch are seen.
  virtual std::optional<BetStake> find_bet(uint64_t bet_id) = 0;
  virtual void set_bet_status(uint64_t bet_id, const std::string& status) = 0;
  // Less `stake_minor` riding; status cashed_out when nothing is left.
  virtual void cash_out_bet(uint64_t bet_id, int64_t stake_minor) = 0;
};

}  // namespace inplay
