// project_record (contract in projection/history_rows.h).
#include "projection/history_rows.h"

#include <fmt/format.h>

#include <optional>
#include <variant>

#include "core/json.h"
#include "core/odds.h"
#include "core/time_format.h"
#include "journal/events.h"
#include "journal/journal.h"
#include "payment/payment_book.h"
#include "risk/risk_check.h"
#include "telemetry/trace.h"
#include "wallet/ledger.h"

namespace inplay {

namespace {

constexpr const char* kHouseFunding = "house/funding";
constexpr const char* kHouseSynthetic = "house/synthetic";

// The rows of one record: a record's legs are numbered in the order written.
class RecordRows {
 public:
  RecordRows(uint64_t seq, HistoryStore& store, const std::string& currency)
      : seq_(seq), store_(store), currency_(currency) {}

  void money_moved(const MoneyMoved& m) {
    // Same direction rule as BookState: only a withdrawal goes to funding.
    const bool out = m.reason == TransferReason::kWithdrawal;
    const std::string funding = is_synthetic_account(m.account) ? kHouseSynthetic : kHouseFunding;
    transfer(out ? m.account : funding, out ? funding : m.account, m.amount, m.reason, rfc3339_ms(m.at_ns));
  }

  // The same money rule as BookState: a withdrawal is held at its request,
  // a deposit credited when authorised, a declined withdrawal given back.
  void payment_requested(const PaymentRequested& p) {
    store_.add_payment(PaymentRow{p.payment_id, seq_, p.account, transfer_reason_name(p.kind), p.amount,
                                  currency_, p.route, rfc3339_ms(p.at_ns), to_hex(p.trace_id)});
    if (p.kind == TransferReason::kWithdrawal)
      transfer(p.account, kHouseFunding, p.amount, p.kind, rfc3339_ms(p.at_ns));
  }

  void payment_answered(const PaymentAnswered& a) {
    const auto st = static_cast<PaymentStatus>(a.status);
    const std::string at = rfc3339_ms(a.at_ns);
    store_.answer_payment(PaymentAnswer{a.payment_id, seq_, payment_status_name(st), a.psp_ref, at});
    if (a.kind == TransferReason::kDeposit && st == PaymentStatus::kAuthorised)
      transfer(kHouseFunding, a.account, a.amount, TransferReason::kDeposit, at);
    else if (a.kind == TransferReason::kWithdrawal && st == PaymentStatus::kDeclined)
      transfer(kHouseFunding, a.account, a.amount, TransferReason::kWithdrawalReturned, at);
  }

  void account_opened(const AccountOpened& o) {
    store_.add_account(AccountRow{o.account, seq_, o.channel, rfc3339_ms(o.at_ns)});
  }

  void bet_accepted(const BetAccepted& b) {
    BetRow row;
    row.bet_id = b.bet_id;
    row.seq = seq_;
    row.account = b.account;
    row.selection_id = b.selection_id;
    row.stake_minor = b.stake;
    row.odds = Odds{b.odds}.str();
    row.odds_requested = Odds{b.odds_requested}.str();
    row.price_change = price_change_policy_name(static_cast<PriceChangePolicy>(b.policy));
    row.placed_at = rfc3339_ms(b.placed_ns);
    row.accepted_at = rfc3339_ms(b.accepted_ns);
    row.trace_id = to_hex(b.trace_id);
    store_.add_bet(row);
    transfer(b.account, b.account + "/reserved", b.stake, TransferReason::kStakeReserve, row.accepted_at);
  }

  // Settlement: per bet, the legs BookState's SettlementBook moves, its
  // status, and a settlements row.
  void postings(const BetPostings& p) {
    const auto kind = static_cast<PostingKind>(p.kind);
    const std::string at = rfc3339_ms(p.at_ns);
    for (auto [bet_id, amount] : p.bets) {
      const BetStake bet = projected_bet(bet_id, "postings");
      const std::string& cash = bet.account;
      const std::string reserved = cash + "/reserved";
      const std::string house = house_of(cash);
      const char* status = "accepted";
      switch (kind) {
        case PostingKind::kPay:
          move(reserved, house, bet.stake_minor, TransferReason::kStakeSettle, at);
          move(house, cash, amount, TransferReason::kPayout, at);
          status = "settled";
          break;
        case PostingKind::kReverse:
          move(cash, house, amount, TransferReason::kReversal, at);
          move(house, reserved, bet.stake_minor, TransferReason::kReversal, at);
          break;
        case PostingKind::kRefund:
          move(reserved, cash, amount, TransferReason::kRefund, at);
          status = "cancelled";
          break;
        case PostingKind::kUnrefund:
          move(cash, reserved, amount, TransferReason::kReversal, at);
          break;
        default: throw ProjectionError(fmt::format("postings at seq {}: unknown kind {}", seq_, p.kind));
      }
      store_.set_bet_status(bet_id, status);
      store_.add_settlement(
          SettledBetRow{seq_, bet_id, p.market_id, p.version, p.cancel_id, posting_kind_name(kind), amount, at});
    }
  }

  // A cash-out: the cashed stake reserved -> house, its price house -> cash,
  // the bet's riding stake less it, and a settlements row of kind "cashout".
  void cashed_out(const BetCashedOut& c) {
    const BetStake bet = projected_bet(c.bet_id, "cash-out");
    const std::string at = rfc3339_ms(c.at_ns);
    const std::string house = house_of(bet.account);
    move(bet.account + "/reserved", house, c.stake, TransferReason::kStakeSettle, at);
    move(house, bet.account, c.amount, TransferReason::kCashout, at);
    store_.cash_out_bet(c.bet_id, c.stake);
    store_.add_settlement(SettledBetRow{seq_, c.bet_id, c.market_id, 0, 0, "cashout", c.amount, at});
  }

 private:
  BetStake projected_bet(uint64_t bet_id, const char* what) {
    std::optional<BetStake> bet = store_.find_bet(bet_id);
    if (!bet) throw ProjectionError(fmt::format("{} at seq {}: bet {} is not projected", what, seq_, bet_id));
    return *bet;
  }

  static std::string house_of(const std::string& cash) {
    return is_synthetic_account(cash) ? kHouseSynthetic : "house/revenue";
  }

  // A zero amount moves nothing.
  void move(const std::string& from, const std::string& to, int64_t v, TransferReason r, const std::string& at) {
    if (v > 0) transfer(from, to, v, r, at);
  }

  // Two legs summing to zero: the next leg debits `from`, the one after credits `to`.
  void transfer(const std::string& from, const std::string& to, int64_t amount, TransferReason reason,
                const std::string& at) {
    const char* why = transfer_reason_name(reason);
    store_.add_leg(LedgerLeg{seq_, next_leg_++, from, -amount, currency_, why, at});
    store_.add_leg(LedgerLeg{seq_, next_leg_++, to, amount, currency_, why, at});
  }

  const uint64_t seq_;
  HistoryStore& store_;
  const std::string& currency_;
  int next_leg_ = 0;
};

// The audit entry's fields as one JSON object (values as the audit log has them).
std::string fields_json(const AuditEntry& e) {
  JsonWriter w;
  w.begin_object();
  for (const AuditField& f : e.fields) {
    w.key(f.key);
    std::visit([&](const auto& v) { w.value(v); }, f.value);
  }
  w.end_object();
  return w.take();
}

void audit(const BookEvent& ev, uint64_t seq, HistoryStore& store, const std::string& currency,
           const AuditMask& mask) {
  if (!mask) return;
  std::optional<AuditEntry> e = audit_entry_of(ev, seq, mask, currency);
  if (e) store.add_audit(AuditRow{seq, e->action, rfc3339_ms(e->at_ns), fields_json(*e)});
}

void rows_of(const BookEvent& ev, RecordRows& rows) {
  if (auto* m = std::get_if<MoneyMoved>(&ev)) return rows.money_moved(*m);
  if (auto* b = std::get_if<BetAccepted>(&ev)) return rows.bet_accepted(*b);
  if (auto* p = std::get_if<BetPostings>(&ev)) return rows.postings(*p);
  if (auto* c = std::get_if<BetCashedOut>(&ev)) return rows.cashed_out(*c);
  if (auto* o = std::get_if<AccountOpened>(&ev)) return rows.account_opened(*o);
  if (auto* p = std::get_if<PaymentRequested>(&ev)) return rows.payment_requested(*p);
  if (auto* a = std::get_if<PaymentAnswered>(&ev)) return rows.payment_answered(*a);
  // Other events only advance last_seq.
}

}  // namespace

void project_record(const JournalRecord& r, HistoryStore& store, const std::string& currency,
                    const AuditMask& mask) {
  BookEvent ev = decode_event(r.type, r.payload);
  RecordRows rows(r.seq, store, currency);
  rows_of(ev, rows);
  audit(ev, r.seq, store, currency, mask);
}

}  // namespace inplay
