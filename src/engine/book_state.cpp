#include "engine/book_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/hmac.h"
#include "telemetry/trace_context.h"

namespace inplay {

namespace {

struct Applier {
  BookState& s;

  // The outcome a decision stands for, kept for repeats of its key.
  void idem(const IdemTag& t, Outcome outcome, int64_t at_ns) {
    if (!t.key.empty()) s.idempotency.complete(t.key, t.fingerprint, std::move(outcome), at_ns);
  }

  // Undoes the accounts an event opened when it throws before it is whole,
  // so apply() changes nothing on a throw.
  struct OpenedAccounts {
    Ledger& ledger;
    size_t size = ledger.size();
    bool kept = false;
    ~OpenedAccounts() {
      if (!kept) ledger.forget_accounts_from(size);
    }
  };

  // Opens the account and records its owner. An id already open (whoever
  // owns it) is a journal that does not fit: the desk never writes one.
  void operator()(const AccountOpened& e) {
    if (s.ledger.find(e.account) >= 0) throw std::invalid_argument(fmt::format("account {} is already open", e.account));
    if (e.channel.empty()) throw std::invalid_argument(fmt::format("account {} opened by no channel", e.account));
    OpenedAccounts opened{s.ledger};
    const uint32_t a = s.ledger.open_user(e.account);
    s.owners.set(a, e.channel);
    opened.kept = true;
  }

  // open_user: a journal from before AccountOpened opened the account with
  // its first deposit (no owner); the wallet desk now needs it open.
  void operator()(const MoneyMoved& e) {
    OpenedAccounts opened{s.ledger};
    uint32_t a = s.ledger.open_user(e.account);
    const uint32_t house = s.ledger.funding_of(a);
    Transfer t{house, a, e.amount, e.reason};
    if (e.reason == TransferReason::kWithdrawal) t = Transfer{a, house, e.amount, e.reason};
    s.ledger.apply(t);
    opened.kept = true;
    idem(e.idem, MoneyReceipt{e.account, e.reason, e.amount, s.ledger.account(a).balance, e.trace_id}, e.at_ns);
  }

  void operator()(const BetAccepted& e) {
    if (!s.bets.insertable(e.bet_id))
      throw std::invalid_argument(fmt::format("bet {}: id already in the book, 0, or far beyond its bets", e.bet_id));
    const Selection* sel = s.book.selection(e.selection_id);
    if (!sel) throw std::invalid_argument(fmt::format("bet {}: unknown selection {}", e.bet_id, e.selection_id));
    const Market* m = s.book.market(sel->market_id);
    OpenedAccounts opened{s.ledger};
    uint32_t a = s.ledger.open_user(e.account);
    const Transfer reserve = s.ledger.stake_reserve(a, e.stake);
    // Checked before the exposure moves, so that nothing after it can throw.
    if (!s.ledger.in_range(reserve)) throw std::logic_error("money overflow");
    // A synthetic check's bet is no liability of the book (REL-1).
    if (!s.ledger.account(a).synthetic) s.exposure.add(a, e.selection_id, e.stake, Odds{e.odds});
    s.ledger.apply(reserve);
    opened.kept = true;
    Bet b;
    b.id = e.bet_id;
    b.account = a;
    b.selection_id = e.selection_id;
    b.market_id = m->id;
    b.event_id = m->event_id;
    b.stake_minor = e.stake;
    b.odds = Odds{e.odds};
    b.odds_requested = Odds{e.odds_requested};
    b.policy = static_cast<PriceChangePolicy>(e.policy);
    b.placed_ns = e.placed_ns;
    b.accepted_ns = e.accepted_ns;
    b.trace_id = e.trace_id;
    s.settlement.add_bet(b);
    ++s.open_bets;
    s.bets.insert(b);
    s.next_bet_id = std::max(s.next_bet_id, e.bet_id + 1);
    idem(e.idem, BetPlaced{e.bet_id}, e.accepted_ns);
  }

  void operator()(const Rejected& e) {
    idem(e.idem, Error{static_cast<ErrorCode>(e.code), e.message}, e.at_ns);
  }

  void operator()(const MarketStatusSet& e) {
    if (!s.book.set_status(e.market_id, static_cast<MarketStatus>(e.status), e.reason, e.actor))
      throw std::invalid_argument(fmt::format("unknown market {}", e.market_id));
  }

  void operator()(const StakeCapSet& e) {
    if (!s.book.set_stake_cap(e.market_id, e.cap))
      throw std::invalid_argument(fmt::format("unknown market {}", e.market_id));
  }

  void operator()(const PriceApplied& e) {
    if (!s.book.apply_price(e.selection_id, Odds{e.odds}, e.provider_ts_ms, e.applied_ns))
      throw std::invalid_argument(fmt::format("unknown selection {}", e.selection_id));
  }

  void operator()(const MarketPriced& e) {
    const Market* m = s.book.market(e.market_id);
    if (!m) throw std::invalid_argument(fmt::format("unknown market {}", e.market_id));
    for (auto& [sid, odds] : e.prices) {
      const Selection* sel = s.book.selection(sid);
      if (!sel || sel->market_id != e.market_id)
        throw std::invalid_argument(fmt::format("selection {} is not in market {}", sid, e.market_id));
    }
    for (auto& [sid, odds] : e.prices) s.book.apply_price(sid, Odds{odds}, e.provider_ts_ms, e.applied_ns);
  }

  void operator()(const MarketControlSet& e) {
    if (e.market_id == kWholeBook && static_cast<MarketControl>(e.control) == MarketControl::kIntakePerSecond) {
      s.book_intake_per_second = e.value;
      return;
    }
    Market* m = s.book.market(e.market_id);
    if (!m) throw std::invalid_argument(fmt::format("unknown market {}", e.market_id));
    switch (static_cast<MarketControl>(e.control)) {
      case MarketControl::kCashoutFrozen:
        m->cashout_frozen = e.value != 0;
        ++m->offer_epoch;  // a freeze (or its lifting) withdraws every offer
        m->cashout_reason = m->cashout_frozen ? e.reason : "";
        m->cashout_actor = e.actor;
        break;
      case MarketControl::kExtraDelayMs: m->extra_delay_ms = e.value; break;
      case MarketControl::kIntakePerSecond: m->intake_per_second = e.value; break;
      default: throw std::invalid_argument(fmt::format("unknown market control {}", e.control));
    }
  }

  // A cash-out (CO-1): checked whole before anything moves, so a record
  // that does not fit changes nothing (and stops a replay).
  void operator()(const BetCashedOut& e) {
    Bet* found = s.bets.find(e.bet_id);
    if (!found) throw std::invalid_argument(fmt::format("cash-out of unknown bet {}", e.bet_id));
    Bet& b = *found;
    if (b.market_id != e.market_id)
      throw std::invalid_argument(fmt::format("cash-out of bet {}: not in market {}", e.bet_id, e.market_id));
    if (b.status != BetStatus::kAccepted)
      throw std::invalid_argument(fmt::format("cash-out of bet {} while {}", e.bet_id, bet_status_name(b.status)));
    if (e.stake <= 0 || e.stake > b.stake_minor || e.amount < 0)
      throw std::invalid_argument(fmt::format("cash-out of bet {}: stake {} of {}, amount {}", e.bet_id, e.stake,
                                              b.stake_minor, e.amount));
    const uint32_t cash = b.account, reserved = s.ledger.reserved_of(cash), house = s.ledger.house_of(cash);
    const Transfer settle{reserved, house, e.stake, TransferReason::kStakeSettle};
    const Transfer pay{house, cash, e.amount, TransferReason::kCashout};
    if (!s.ledger.in_range(settle) || (e.amount > 0 && !s.ledger.in_range(pay))) throw std::logic_error("money overflow");
    const int64_t riding = b.stake_minor - e.stake;
    if (!s.ledger.account(cash).synthetic) {
      // Out whole and back in for what still rides: exactly what add() put in.
      s.exposure.remove(cash, b.selection_id, b.stake_minor, b.odds);
      if (riding > 0) s.exposure.add(cash, b.selection_id, riding, b.odds);
    }
    s.ledger.apply(settle);
    if (e.amount > 0) s.ledger.apply(pay);
    b.stake_minor = riding;
    s.bets.add_cashout(b.id, e.stake, e.amount, e.at_ns);
    if (riding == 0) {
      b.status = BetStatus::kCashedOut;
      b.settled_ns = e.at_ns;
      --s.open_bets;
    }
    s.settlement.touch(b.market_id);
    idem(e.idem, CashedOut{e.bet_id, e.stake, e.amount, e.odds, riding, e.at_ns, e.trace_id}, e.at_ns);
  }

  void operator()(const HedgeInstructed& e) { s.hedges.apply(e); }
  void operator()(const HedgeAnswered& e) { s.hedges.apply(e); }

  // A withdrawal holds its amount from the request on (cash -> funding).
  void operator()(const PaymentRequested& e) {
    s.payments.check(e);
    const int64_t a = s.ledger.find(e.account);
    if (a < 0 || s.ledger.account(a).kind != AccountKind::kUserCash || s.ledger.account(a).synthetic)
      throw std::invalid_argument(fmt::format("payment {}: account {} is not an open user account", e.payment_id, e.account));
    const uint32_t cash = static_cast<uint32_t>(a);
    const Transfer hold{cash, s.ledger.funding_of(cash), e.amount, TransferReason::kWithdrawal};
    const bool holds = e.kind == TransferReason::kWithdrawal;
    if (holds && !s.ledger.in_range(hold)) throw std::logic_error("money overflow");
    s.payments.apply(e);
    if (holds) s.ledger.apply(hold);
    idem(e.idem, PaymentRef{e.payment_id}, e.at_ns);
    // A withdrawal a cleared screening let go (kyc/screening_book.h).
    if (e.idem.key.rfind("kyc:", 0) == 0) s.screenings.link_payment(e.idem.key, e.payment_id);
  }

  void operator()(const PaymentRouteSwitched& e) {
    if (e.to.empty()) throw std::invalid_argument("payment route switch to no route");
    s.payment_route = e.to;
  }
  // A held withdrawal is answered by its screening until it goes on.
  void operator()(const ScreeningRequested& e) {
    s.screenings.apply(e);
    if (e.subject == static_cast<uint8_t>(ScreeningSubject::kWithdrawal))
      idem(e.idem, ScreeningRef{e.screening_id}, e.at_ns);
  }
  void operator()(const ScreeningDecided& e) { s.screenings.apply(e); }

  // An authorised deposit is credited; a declined withdrawal's hold comes back.
  void operator()(const PaymentAnswered& e) {
    s.payments.check(e);
    const auto to = static_cast<PaymentStatus>(e.status);
    const int64_t a = s.ledger.find(e.account);
    if (a < 0) throw std::invalid_argument(fmt::format("payment {}: unknown account {}", e.payment_id, e.account));
    const uint32_t cash = static_cast<uint32_t>(a);
    std::optional<Transfer> move;
    if (e.kind == TransferReason::kDeposit && to == PaymentStatus::kAuthorised)
      move = Transfer{s.ledger.funding_of(cash), cash, e.amount, TransferReason::kDeposit};
    else if (e.kind == TransferReason::kWithdrawal && to == PaymentStatus::kDeclined)
      move = Transfer{s.ledger.funding_of(cash), cash, e.amount, TransferReason::kWithdrawalReturned};
    if (move && !s.ledger.in_range(*move)) throw std::logic_error("money overflow");
    s.payments.apply(e);
    if (move) s.ledger.apply(*move);
  }
  // Actions are audit records, except the KYC controls, which the book keeps.
  void operator()(const ActionRecorded& e) {
    if (e.action == "kyc_switch_vendor") {
      if (e.target.rfind("kyc:", 0) != 0 || e.target.size() == 4)
        throw std::invalid_argument("kyc_switch_vendor names no vendor");
      s.kyc_vendor = e.target.substr(4);
    } else if (e.action == "kyc_rule_paused" || e.action == "kyc_rule_resumed") {
      s.kyc_withdrawal_rule_paused = e.action == "kyc_rule_paused";
    }
  }
  void operator()(const AuditAnchored&) {}

  void operator()(const FeedSwitched& e) { s.active_feeds[e.sport] = e.to; }

  void operator()(const IncidentSaved& e) { s.incidents[e.incident_id] = e.snapshot; }

  void operator()(const MarketSettled& e) { s.settlement.apply(e, s.settlement_refs()); }
  void operator()(const BetPostings& e) { s.settlement.apply(e, s.settlement_refs()); }
  void operator()(const SettlementRolledBack& e) { s.settlement.apply(e, s.settlement_refs()); }
  void operator()(const BetsCancelled& e) { s.settlement.apply(e, s.settlement_refs()); }
  void operator()(const CancelRolledBack& e) { s.settlement.apply(e, s.settlement_refs()); }
  void operator()(const SettlementDeadLettered& e) { s.settlement.apply(e); }
  void operator()(const DeadLetterResolved& e) { s.settlement.apply(e); }

  void operator()(const EventStateSet& e) {
    if (!s.book.set_event_state(e.event_id, static_cast<EventState>(e.state)))
      throw std::invalid_argument(fmt::format("unknown event {}", e.event_id));
  }
};

}  // namespace

void BookState::apply(const BookEvent& e) {
  std::visit(Applier{*this}, e);
  ++events_applied;
}

std::string BookState::state_hash() const {
  std::string canon;
  for (size_t i = 0; i < ledger.size(); ++i) {
    fmt::format_to(std::back_inserter(canon), "A|{}|{}\n", ledger.account(i).id, ledger.account(i).balance);
    // Only an owned account has the line: a journal from before owners hashes as it did.
    if (const std::string* o = owners.owner(static_cast<uint32_t>(i)))
      fmt::format_to(std::back_inserter(canon), "O|{}|{}\n", ledger.account(i).id, *o);
  }
  // In id order (the table's own). An open bet hashes as it always has (a
  // journal from before settlement replays to its recorded hash); what
  // settlement did follows on its own line.
  for (const Bet& bet : bets) {
    const Bet* b = &bet;
    fmt::format_to(std::back_inserter(canon), "B|{}|{}|{}|{}|{}|{}|{}\n", b->id, ledger.account(b->account).id,
                   b->selection_id, b->stake_minor, b->odds.scaled, static_cast<int>(b->status), b->accepted_ns);
    if (b->status != BetStatus::kAccepted)
      fmt::format_to(std::back_inserter(canon), "BS|{}|{}|{}|{}|{}\n", b->id, b->settled_version, b->cancel_id,
                     b->return_minor, b->settled_ns);
    if (const BetCashout* c = bets.cashout(b->id))
      fmt::format_to(std::back_inserter(canon), "BC|{}|{}|{}|{}\n", b->id, c->stake_minor, c->return_minor,
                     c->at_ns);
  }
  for (uint64_t eid : book.event_ids()) {
    const Event* ev = book.event(eid);
    fmt::format_to(std::back_inserter(canon), "E|{}|{}\n", eid, static_cast<int>(ev->state));
    for (uint64_t mid : ev->markets) {
      const Market* m = book.market(mid);
      fmt::format_to(std::back_inserter(canon), "M|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", mid,
                     static_cast<int>(m->status), m->status_reason, m->stake_cap_minor,
                     m->last_update_ns, exposure.market_liability(mid), m->cashout_frozen ? 1 : 0,
                     m->extra_delay_ms, m->intake_per_second);
      for (uint64_t sid : m->selections) {
        const Selection* s = book.selection(sid);
        fmt::format_to(std::back_inserter(canon), "S|{}|{}|{}|{}\n", sid, s->price.odds.scaled,
                       s->price.version, s->price.applied_ns);
      }
    }
  }
  settlement.hash_into(canon);
  for (auto& [sport, feed] : active_feeds) fmt::format_to(std::back_inserter(canon), "F|{}|{}\n", sport, feed);
  for (auto& [id, snapshot] : incidents) fmt::format_to(std::back_inserter(canon), "I|{}|{}\n", id, snapshot);
  hedges.hash_into(canon);
  payments.hash_into(canon);
  if (!payment_route.empty()) fmt::format_to(std::back_inserter(canon), "R|{}\n", payment_route);
  screenings.hash_into(canon);
  if (!kyc_vendor.empty()) fmt::format_to(std::back_inserter(canon), "K|vendor|{}\n", kyc_vendor);
  if (kyc_withdrawal_rule_paused) canon += "K|rule_paused\n";
  // Only when set: the hash of a journal without one is unchanged.
  if (book_intake_per_second) fmt::format_to(std::back_inserter(canon), "B|intake|{}\n", book_intake_per_second);
  const Sha256Digest digest = sha256(canon);
  return to_hex(digest.data(), digest.size());
}

}  // namespace inplay
