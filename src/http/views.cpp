#include "http/views.h"

#include <type_traits>

#include "core/json.h"
#include "core/time_format.h"
#include "settle/market_result.h"
#include "telemetry/trace.h"

namespace inplay {

static void write_market(JsonWriter& w, const BookState& s, const Market& m, TimePoint now, Audience who) {
  const bool liability = who == Audience::kOperator;
  w.begin_object();
  w.field("market_id", m.id).field("event_id", m.event_id);
  w.field("type", market_type_name(m.type)).field("name", m.name());
  // `line` (tenths) is the older field, kept for totals on half and whole
  // lines; `line_quarters` is exact for every lined market.
  if (m.type == MarketType::kTotalGoals && m.line_quarters % 2 == 0)
    w.field("line", static_cast<int64_t>(m.line_quarters) * 10 / 4);
  if (market_type_has_line(m.type)) w.field("line_quarters", static_cast<int64_t>(m.line_quarters));
  w.field("period", market_period_name(m.period));
  w.field("status", market_status_name(m.status));
  w.field("status_reason", m.status_reason);
  int64_t stale_ms = m.last_update_ns ? Book::price_age(m, to_ns(now)).count() / 1000000 : -1;
  w.field("staleness_ms", stale_ms);
  w.field("staleness_limit_ms", static_cast<int64_t>(m.staleness_limit.count() / 1000000));
  w.field("bettable", m.status == MarketStatus::kOpen && m.last_update_ns != 0 &&
                          !Book::is_stale(m, to_ns(now)));
  w.field("stake_cap", m.stake_cap_minor);
  w.key("cashout").begin_object();
  w.field("frozen", m.cashout_frozen).field("reason", m.cashout_reason).field("actor", m.cashout_actor);
  w.end_object();
  w.field("extra_delay_ms", m.extra_delay_ms);
  w.field("intake_per_second", m.intake_per_second);
  if (liability) w.field("liability", s.exposure.market_liability(m.id));
  w.key("result");
  const MarketSettlement* ms = s.settlement.market(m.id);
  if (ms && ms->version) {
    const MarketSettled& r = ms->result;
    w.begin_object().field("version", static_cast<int64_t>(r.version));
    w.field("certainty", certainty_name(static_cast<Certainty>(r.certainty))).field("source", r.source);
    w.field("reason", r.reason);
    w.key("score");
    if (r.has_score) w.begin_object().field("home", r.score_home).field("away", r.score_away).end_object();
    else w.null();
    w.field("settled_at", rfc3339_ms(r.at_ns));
    w.key("outcomes").begin_array();
    for (const SettledOutcome& o : r.outcomes)
      w.begin_object().field("selection_id", o.selection_id).field("outcome", outcome_name(o)).end_object();
    w.end_array().end_object();
  } else {
    w.null();
  }
  w.key("selections").begin_array();
  for (uint64_t sid : m.selections) {
    const Selection* sel = s.book.selection(sid);
    w.begin_object();
    w.field("selection_id", sel->id).field("name", sel->name);
    w.field("odds", sel->price.version ? sel->price.odds.str() : std::string());
    w.field("price_version", sel->price.version);
    w.field("price_set_at", sel->price.applied_ns ? rfc3339_ms(sel->price.applied_ns) : std::string());
    if (liability) w.field("liability", s.exposure.selection_liability(sid));
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string events_json(const BookState& s, TimePoint now, Audience who) {
  JsonWriter w;
  w.begin_object().key("events").begin_array();
  for (uint64_t eid : s.book.event_ids()) {
    const Event* e = s.book.event(eid);
    w.begin_object();
    w.field("event_id", e->id).field("sport", e->sport).field("league", e->league);
    w.field("home", e->home).field("away", e->away);
    w.field("kickoff", rfc3339_ms(e->kickoff_ms * 1000000)).field("state", event_state_name(e->state));
    write_scoreboard(w, e->scoreboard);
    if (who == Audience::kOperator) w.field("liability", s.exposure.event_liability(e->id));
    w.key("markets").begin_array();
    for (uint64_t mid : e->markets) write_market(w, s, *s.book.market(mid), now, who);
    w.end_array();
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string market_json(const BookState& s, const Market& m, TimePoint now, Audience who) {
  JsonWriter w;
  write_market(w, s, m, now, who);
  return w.take();
}

std::string account_json(const BookState& s, uint32_t a) {
  JsonWriter w;
  w.begin_object();
  w.field("account", s.ledger.account(a).id).field("currency", s.ledger.currency().code());
  w.field("balance", s.ledger.account(a).balance);
  w.field("reserved", s.ledger.account(s.ledger.reserved_of(a)).balance);
  const std::string* owner = s.owners.owner(a);
  w.key("channel");
  if (owner) w.value(*owner);
  else w.null();
  w.end_object();
  return w.take();
}

std::string admin_state_json(const BookState& s) {
  JsonWriter w;
  w.begin_object();
  w.field("state_hash", s.state_hash()).field("ledger_sum", s.ledger.sum());
  w.field("bets", static_cast<uint64_t>(s.bets.size()));
  w.field("events_applied", s.events_applied);
  w.field("idempotency_keys", static_cast<uint64_t>(s.idempotency.size()));
  w.end_object();
  return w.take();
}

std::string bet_json(const BookState& s, const Bet& b, bool as_placed) {
  JsonWriter w(512);  // a bet is ~450 bytes (more with a long account id: it grows then)
  w.begin_object();
  w.field("bet_id", std::to_string(b.id));
  w.field("status", bet_status_name(as_placed ? BetStatus::kAccepted : b.status));
  w.field("account", s.ledger.account(b.account).id);
  w.field("event_id", b.event_id).field("market_id", b.market_id);
  w.field("selection_id", b.selection_id);
  // The placement view shows the stake as placed; the current one, the
  // stake still riding (less what was cashed out).
  const BetCashout* cashed = s.bets.cashout(b.id);  // one lookup for both uses
  const int64_t stake = as_placed && cashed ? b.stake_minor + cashed->stake_minor : b.stake_minor;
  w.field("stake", stake).field("currency", s.ledger.currency().code());
  w.field("odds", b.odds.str()).field("odds_requested", b.odds_requested.str());
  w.field("price_change", price_change_policy_name(b.policy));
  w.field("potential_payout", payout_minor(stake, b.odds));
  w.field("placed_at", rfc3339_ms(b.placed_ns)).field("accepted_at", rfc3339_ms(b.accepted_ns));
  w.field("trace_id", to_hex(b.trace_id));
  if (!as_placed) {  // the answer to POST is replayed byte for byte, as it was
    const MarketSettlement* ms = s.settlement.market(b.market_id);
    const SettledOutcome* o = ms && b.status == BetStatus::kSettled && ms->version == b.settled_version
                                  ? ms->outcome(b.selection_id)
                                  : nullptr;
    auto opt = [&](std::string_view key, bool present, auto value) {
      w.key(key);
      if (present) w.value(value);
      else w.null();
    };
    const bool settled = b.status == BetStatus::kSettled, cancelled = b.status == BetStatus::kCancelled;
    opt("outcome", settled || cancelled, cancelled ? "void" : o ? outcome_name(*o) : "unknown");
    opt("return", settled || cancelled, settled ? b.return_minor : b.stake_minor);
    opt("result_version", settled, static_cast<int64_t>(b.settled_version));
    opt("settled_at", settled || cancelled, rfc3339_ms(b.settled_ns));
    w.key("cashout");
    if (cashed) {
      w.begin_object();
      w.field("stake", cashed->stake_minor).field("amount", cashed->return_minor);
      w.field("at", rfc3339_ms(cashed->at_ns));
      w.end_object();
    } else {
      w.null();
    }
  }
  w.end_object();
  return w.take();
}

Reply error_reply(const Error& e) { return Reply{error_http_status(e.code), error_body(e)}; }

Reply render(const Outcome& o, const BookState& s) {
  return std::visit(
      [&](const auto& v) -> Reply {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, BetPlaced>) {
          return Reply{201, bet_json(s, s.bets.at(v.bet_id), /*as_placed=*/true)};
        } else if constexpr (std::is_same_v<T, MoneyReceipt>) {
          JsonWriter w;
          w.begin_object();
          w.field("account", v.account).field("movement", transfer_reason_name(v.reason));
          w.field("amount", v.amount).field("currency", s.ledger.currency().code());
          w.field("balance", v.balance).field("trace_id", to_hex(v.trace_id));
          w.end_object();
          return Reply{201, w.take()};
        } else if constexpr (std::is_same_v<T, CashedOut>) {
          // From the outcome alone: a repeat of the key renders the same bytes.
          JsonWriter w;
          w.begin_object();
          w.field("bet_id", std::to_string(v.bet_id));
          w.field("status", v.remaining ? "accepted" : "cashed_out");
          w.field("cashed_out_stake", v.stake).field("amount", v.amount);
          w.field("currency", s.ledger.currency().code());
          w.field("odds", Odds{v.odds}.str()).field("remaining_stake", v.remaining);
          w.field("cashed_out_at", rfc3339_ms(v.at_ns)).field("trace_id", to_hex(v.trace_id));
          w.end_object();
          return Reply{200, w.take()};
        } else if constexpr (std::is_same_v<T, PaymentRef>) {
          const Payment* p = s.payments.find(v.payment_id);
          if (!p) return Reply{500, error_body(Error{ErrorCode::kInternal, "payment missing"})};
          return payment_reply(s, *p);
        } else if constexpr (std::is_same_v<T, ScreeningRef>) {
          return held_withdrawal_reply(s, v.screening_id);
        } else {
          return error_reply(v);
        }
      },
      o);
}

std::string screening_json(const Screening& k) {
  JsonWriter w;
  w.begin_object();
  screening_fields(w, k);
  w.end_object();
  return w.take();
}

void screening_fields(JsonWriter& w, const Screening& k) {
  w.field("screening_id", std::to_string(k.id)).field("subject", screening_subject_name(k.subject));
  w.field("account", k.account).field("status", screening_status_name(k.status));
  if (k.subject == ScreeningSubject::kWithdrawal) w.field("amount", k.amount);
  w.field("requested_at", rfc3339_ms(k.requested_ns));
  w.key("decided_at");
  if (k.decided_ns) w.value(rfc3339_ms(k.decided_ns));
  else w.null();
  w.field("source", screening_source_name(k.source)).field("vendor", k.vendor);
  w.key("payment_id");
  if (k.payment_id) w.value(std::to_string(k.payment_id));
  else w.null();
}

Reply held_withdrawal_reply(const BookState& s, uint64_t screening_id) {
  const Screening* k = s.screenings.find(screening_id);
  if (!k) return Reply{500, error_body(Error{ErrorCode::kInternal, "screening missing"})};
  if (k->payment_id) {
    const Payment* p = s.payments.find(k->payment_id);
    if (p) return payment_reply(s, *p);
  }
  if (k->status == ScreeningStatus::kRejected) {
    JsonWriter w;
    w.begin_object().key("error").begin_object();
    w.field("code", error_code_name(ErrorCode::kKycRejected));
    w.field("message", "the withdrawal's KYC/AML screening rejected it; nothing was paid");
    w.end_object();
    w.key("screening").begin_object();
    screening_fields(w, *k);
    w.end_object().end_object();
    return Reply{error_http_status(ErrorCode::kKycRejected), w.take()};
  }
  // Pending, referred for review, or cleared and about to go: 202, the
  // payment follows once cleared (a repeat of the key shows it then).
  JsonWriter w;
  w.begin_object().field("status", "in_review");
  w.key("screening").begin_object();
  screening_fields(w, *k);
  w.end_object().end_object();
  return Reply{202, w.take()};
}

std::string payment_json(const BookState& s, const Payment& p) {
  JsonWriter w;
  w.begin_object();
  payment_fields(w, s, p);
  w.end_object();
  return w.take();
}

void payment_fields(JsonWriter& w, const BookState& s, const Payment& p) {
  w.field("payment_id", std::to_string(p.id)).field("account", p.account);
  w.field("movement", transfer_reason_name(p.kind)).field("amount", p.amount);
  w.field("currency", s.ledger.currency().code()).field("status", payment_status_name(p.status));
  w.field("reconciled", p.reconciled).field("route", p.route);
  w.key("psp_ref");
  if (p.psp_ref.empty()) w.null();
  else w.value(p.psp_ref);
  const int64_t a = s.ledger.find(p.account);
  w.field("balance", a >= 0 ? s.ledger.account(static_cast<uint32_t>(a)).balance : 0);
  w.field("requested_at", rfc3339_ms(p.requested_ns));
  w.key("answered_at");
  if (p.answered_ns) w.value(rfc3339_ms(p.answered_ns));
  else w.null();
  w.field("trace_id", to_hex(p.trace_id));
}

Reply payment_reply(const BookState& s, const Payment& p) {
  switch (p.status) {
    case PaymentStatus::kAuthorised: return Reply{201, payment_json(s, p)};
    case PaymentStatus::kDeclined: {
      JsonWriter w;
      w.begin_object().key("error").begin_object();
      w.field("code", error_code_name(ErrorCode::kPaymentDeclined));
      w.field("message", p.detail.empty() ? std::string("the payment provider declined the payment")
                                          : "the payment provider declined the payment (" + p.detail + ")");
      w.end_object();
      w.key("payment").begin_object();
      payment_fields(w, s, p);
      w.end_object().end_object();
      return Reply{402, w.take()};
    }
    case PaymentStatus::kPending:
    case PaymentStatus::kTimedOut: return Reply{202, payment_json(s, p)};
  }
  return Reply{500, error_body(Error{ErrorCode::kInternal, "payment status"})};
}

}  // namespace inplay
