// Audit entries (contract in projection/audit_entries.h).
#include "projection/audit_entries.h"

#include <variant>

#include "core/error.h"
#include "core/odds.h"
#include "hedge/hedge_book.h"
#include "kyc/screening_book.h"
#include "payment/payment_book.h"
#include "market/book.h"
#include "risk/risk_check.h"
#include "telemetry/trace.h"
#include "wallet/ledger.h"

namespace inplay {

std::optional<AuditEntry> audit_entry_of(const BookEvent& ev, uint64_t journal_seq, const AuditMask& mask,
                                         const std::string& currency) {
  AuditEntry e;
  e.journal_seq = journal_seq;
  if (auto* b = std::get_if<BetAccepted>(&ev)) {
    e.action = "bet_accepted";
    e.at_ns = b->accepted_ns;
    e.add("bet_id", b->bet_id)
        .add("account", mask(b->account))
        .add("selection_id", b->selection_id)
        .add("stake", b->stake)
        .add("currency", currency)
        .add("odds", Odds{b->odds}.str())
        .add("odds_requested", Odds{b->odds_requested}.str())
        .add("price_change", price_change_policy_name(static_cast<PriceChangePolicy>(b->policy)))
        .add("trace_id", to_hex(b->trace_id));
  } else if (auto* co = std::get_if<BetCashedOut>(&ev)) {
    e.action = "bet_cashed_out";
    e.at_ns = co->at_ns;
    e.add("bet_id", co->bet_id)
        .add("market_id", co->market_id)
        .add("stake", co->stake)
        .add("amount", co->amount)
        .add("currency", currency)
        .add("odds", Odds{co->odds}.str())
        .add("price_version", static_cast<int64_t>(co->price_version))
        .add("price_ts_ms", co->price_ts_ms)
        .add("trace_id", to_hex(co->trace_id));
  } else if (auto* hi = std::get_if<HedgeInstructed>(&ev)) {
    e.action = "hedge_instructed";
    e.at_ns = hi->at_ns;
    e.add("hedge_id", hi->hedge_id)
        .add("market_id", hi->market_id)
        .add("selection_id", hi->selection_id)
        .add("stake", hi->stake)
        .add("currency", currency)
        .add("odds", Odds{hi->odds}.str())
        .add("worst_case", hi->liability)
        .add("venue", hi->venue);
  } else if (auto* ha = std::get_if<HedgeAnswered>(&ev)) {
    e.action = "hedge_answered";
    e.at_ns = ha->at_ns;
    e.add("hedge_id", ha->hedge_id)
        .add("result", hedge_status_name(static_cast<HedgeStatus>(ha->result)))
        .add("matched_stake", ha->matched_stake)
        .add("detail", ha->detail);
    if (ha->matched_odds) e.add("matched_odds", Odds{ha->matched_odds}.str());
  } else if (auto* j = std::get_if<Rejected>(&ev)) {
    e.action = "bet_rejected";
    e.at_ns = j->at_ns;
    // The idempotency key is "<caller>:<client key>"; the client's part is
    // free text and is not audited.
    std::string_view caller(j->idem.key);
    caller = caller.substr(0, caller.find(':'));
    e.add("code", error_code_name(static_cast<ErrorCode>(j->code)))
        .add("status", static_cast<int64_t>(error_http_status(static_cast<ErrorCode>(j->code))))
        .add("caller", caller);
  } else if (auto* m = std::get_if<MoneyMoved>(&ev)) {
    e.action = m->reason == TransferReason::kDeposit      ? "deposit"
               : m->reason == TransferReason::kWithdrawal ? "withdrawal"
                                                          : "money_moved";
    e.at_ns = m->at_ns;
    e.add("account", mask(m->account)).add("amount", m->amount).add("currency", currency);
    if (e.action == "money_moved") e.add("reason", transfer_reason_name(m->reason));
  } else if (auto* pr = std::get_if<PaymentRequested>(&ev)) {
    e.action = "payment_requested";
    e.at_ns = pr->at_ns;
    e.add("payment_id", pr->payment_id)
        .add("account", mask(pr->account))
        .add("movement", transfer_reason_name(pr->kind))
        .add("amount", pr->amount)
        .add("currency", currency)
        .add("route", pr->route)
        .add("trace_id", to_hex(pr->trace_id));
  } else if (auto* rs = std::get_if<PaymentRouteSwitched>(&ev)) {
    e.action = "payment_route_switched";
    e.at_ns = rs->at_ns;
    e.add("from", rs->from).add("to", rs->to).add("actor", rs->actor).add("reason", rs->reason);
  } else if (auto* pa = std::get_if<PaymentAnswered>(&ev)) {
    e.action = "payment_answered";
    e.at_ns = pa->at_ns;
    e.add("payment_id", pa->payment_id)
        .add("account", mask(pa->account))
        .add("movement", transfer_reason_name(pa->kind))
        .add("amount", pa->amount)
        .add("currency", currency)
        .add("status", payment_status_name(static_cast<PaymentStatus>(pa->status)))
        .add("source", payment_source_name(static_cast<PaymentSource>(pa->source)))
        .add("psp_ref", pa->psp_ref);
  } else if (auto* sr = std::get_if<ScreeningRequested>(&ev)) {
    e.action = "kyc_screening_requested";
    e.at_ns = sr->at_ns;
    e.add("screening_id", sr->screening_id)
        .add("subject", screening_subject_name(static_cast<ScreeningSubject>(sr->subject)))
        .add("account", mask(sr->account))
        .add("amount", sr->amount)
        .add("vendor", sr->vendor);
  } else if (auto* sd = std::get_if<ScreeningDecided>(&ev)) {
    e.action = "kyc_screening_decided";
    e.at_ns = sd->at_ns;
    e.add("screening_id", sd->screening_id)
        .add("status", screening_status_name(static_cast<ScreeningStatus>(sd->status)))
        .add("source", screening_source_name(static_cast<ScreeningSource>(sd->source)))
        .add("vendor", sd->vendor)
        .add("vendor_ref", sd->vendor_ref)
        .add("actor", sd->actor);
  } else if (auto* o = std::get_if<AccountOpened>(&ev)) {
    e.action = "account_opened";
    e.at_ns = o->at_ns;
    e.add("account", mask(o->account)).add("channel", o->channel).add("actor", o->actor);
  } else if (auto* s = std::get_if<MarketStatusSet>(&ev)) {
    e.action = "market_status_set";
    e.at_ns = s->at_ns;
    e.add("market_id", s->market_id)
        .add("status", market_status_name(static_cast<MarketStatus>(s->status)))
        .add("reason", s->reason)
        .add("actor", s->actor);
  } else if (auto* c = std::get_if<StakeCapSet>(&ev)) {
    e.action = "stake_cap_set";
    e.at_ns = c->at_ns;
    e.add("market_id", c->market_id).add("cap", c->cap).add("actor", c->actor);
  } else if (auto* t = std::get_if<EventStateSet>(&ev)) {
    e.action = "event_state_set";
    e.at_ns = t->at_ns;
    e.add("event_id", t->event_id)
        .add("state", event_state_name(static_cast<EventState>(t->state)))
        .add("actor", t->actor);
  } else if (auto* c = std::get_if<MarketControlSet>(&ev)) {
    e.action = "market_control_set";
    e.at_ns = c->at_ns;
    e.add("market_id", c->market_id)
        .add("control", market_control_name(static_cast<MarketControl>(c->control)))
        .add("value", c->value)
        .add("reason", c->reason)
        .add("actor", c->actor);
  } else if (auto* a = std::get_if<ActionRecorded>(&ev)) {
    e.action = a->action;
    e.at_ns = a->at_ns;
    e.add("target", a->target).add("actor", a->actor).add("detail", a->detail);
  } else if (auto* f = std::get_if<FeedSwitched>(&ev)) {
    e.action = "feed_switched";
    e.at_ns = f->at_ns;
    e.add("target", "sport:" + f->sport).add("actor", f->actor).add("detail", f->from + " -> " + f->to);
  } else if (auto* ms = std::get_if<MarketSettled>(&ev)) {
    e.action = "market_settled";
    e.at_ns = ms->at_ns;
    e.add("market_id", ms->market_id).add("version", static_cast<int64_t>(ms->version))
        .add("certainty", ms->certainty == 1 ? "live" : "confirmed")
        .add("source", ms->source).add("reason", ms->reason);
  } else if (auto* p = std::get_if<BetPostings>(&ev)) {
    // One line per batch: how many bets and how much; each bet's own
    // return is in the journal and in GET /v1/bets/{id}.
    int64_t total = 0;
    for (auto& [bet_id, amount] : p->bets) total += amount;
    e.action = "bets_posted";
    e.at_ns = p->at_ns;
    e.add("market_id", p->market_id).add("kind", posting_kind_name(static_cast<PostingKind>(p->kind)))
        .add("version", static_cast<int64_t>(p->version)).add("cancel_id", static_cast<int64_t>(p->cancel_id))
        .add("bets", static_cast<int64_t>(p->bets.size())).add("amount", total).add("currency", currency);
  } else if (auto* rb = std::get_if<SettlementRolledBack>(&ev)) {
    e.action = "settlement_rolled_back";
    e.at_ns = rb->at_ns;
    e.add("market_id", rb->market_id).add("version", static_cast<int64_t>(rb->version))
        .add("source", rb->source).add("reason", rb->reason);
  } else if (auto* bc = std::get_if<BetsCancelled>(&ev)) {
    e.action = "bets_cancelled";
    e.at_ns = bc->at_ns;
    e.add("market_id", bc->market_id).add("cancel_id", static_cast<int64_t>(bc->cancel_id))
        .add("from_ns", bc->from_ns).add("to_ns", bc->to_ns).add("source", bc->source).add("reason", bc->reason);
  } else if (auto* cr = std::get_if<CancelRolledBack>(&ev)) {
    e.action = "cancel_rolled_back";
    e.at_ns = cr->at_ns;
    e.add("market_id", cr->market_id).add("cancel_id", static_cast<int64_t>(cr->cancel_id)).add("source", cr->source);
  } else if (auto* dl = std::get_if<SettlementDeadLettered>(&ev)) {
    e.action = "settlement_dead_lettered";
    e.at_ns = dl->at_ns;
    e.add("dlq_id", dl->dlq_id).add("market_id", dl->market_id).add("reason", dl->reason).add("source", dl->source);
  } else if (auto* dr = std::get_if<DeadLetterResolved>(&ev)) {
    e.action = "dead_letter_resolved";
    e.at_ns = dr->at_ns;
    e.add("dlq_id", dr->dlq_id)
        .add("resolution", dr->resolution == static_cast<uint8_t>(DeadLetterResolution::kReplayed) ? "replayed" : "discarded")
        .add("actor", dr->actor).add("detail", dr->detail);
  } else {
    // Prices are not audited; incident snapshots are the incident loop's
    // memory (what its actions did is audited by their own events); an
    // anchor would move the head it anchors.
    return std::nullopt;
  }
  return e;
}

}  // namespace inplay
