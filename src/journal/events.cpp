#include "journal/events.h"

#include <stdexcept>
#include <type_traits>

#include "journal/codec.h"
#include "journal/legacy_events.h"
#include "journal/settlement_codec.h"

namespace inplay {

const char* market_control_name(MarketControl c) {
  switch (c) {
    case MarketControl::kCashoutFrozen: return "cashout_frozen";
    case MarketControl::kExtraDelayMs: return "extra_delay_ms";
    case MarketControl::kIntakePerSecond: return "intake_per_second";
  }
  return "unknown";
}

int64_t event_time_ns(const BookEvent& e) {
  return std::visit(
      [](const auto& v) -> int64_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, BetAccepted>) return v.accepted_ns;
        else if constexpr (std::is_same_v<T, PriceApplied> || std::is_same_v<T, MarketPriced>) return v.applied_ns;
        else return v.at_ns;
      },
      e);
}

EventType event_type(const BookEvent& e) {
  struct V {
    EventType operator()(const MoneyMoved&) { return EventType::kMoneyMoved; }
    EventType operator()(const BetAccepted&) { return EventType::kBetAccepted; }
    EventType operator()(const Rejected&) { return EventType::kRejected; }
    EventType operator()(const MarketStatusSet&) { return EventType::kMarketStatusSet; }
    EventType operator()(const StakeCapSet&) { return EventType::kStakeCapSet; }
    EventType operator()(const PriceApplied&) { return EventType::kPriceApplied; }
    EventType operator()(const EventStateSet&) { return EventType::kEventStateSet; }
    EventType operator()(const MarketPriced&) { return EventType::kMarketPriced; }
    EventType operator()(const MarketControlSet&) { return EventType::kMarketControlSet; }
    EventType operator()(const ActionRecorded&) { return EventType::kActionRecorded; }
    EventType operator()(const FeedSwitched&) { return EventType::kFeedSwitched; }
    EventType operator()(const IncidentSaved&) { return EventType::kIncidentSaved; }
    EventType operator()(const MarketSettled&) { return EventType::kMarketSettled; }
    EventType operator()(const BetPostings&) { return EventType::kBetPostings; }
    EventType operator()(const SettlementRolledBack&) { return EventType::kSettlementRolledBack; }
    EventType operator()(const BetsCancelled&) { return EventType::kBetsCancelled; }
    EventType operator()(const CancelRolledBack&) { return EventType::kCancelRolledBack; }
    EventType operator()(const SettlementDeadLettered&) { return EventType::kSettlementDeadLettered; }
    EventType operator()(const DeadLetterResolved&) { return EventType::kDeadLetterResolved; }
    EventType operator()(const BetCashedOut&) { return EventType::kBetCashedOut; }
    EventType operator()(const HedgeInstructed&) { return EventType::kHedgeInstructed; }
    EventType operator()(const HedgeAnswered&) { return EventType::kHedgeAnswered; }
    EventType operator()(const AuditAnchored&) { return EventType::kAuditAnchored; }
    EventType operator()(const AccountOpened&) { return EventType::kAccountOpened; }
    EventType operator()(const PaymentRequested&) { return EventType::kPaymentRequested; }
    EventType operator()(const PaymentAnswered&) { return EventType::kPaymentAnswered; }
    EventType operator()(const PaymentRouteSwitched&) { return EventType::kPaymentRouteSwitched; }
    EventType operator()(const ScreeningRequested&) { return EventType::kScreeningRequested; }
    EventType operator()(const ScreeningDecided&) { return EventType::kScreeningDecided; }
  };
  return std::visit(V{}, e);
}

static void put_idem(ByteWriter& w, const IdemTag& t) {
  w.str(t.key);
  w.bytes(t.fingerprint.data(), t.fingerprint.size());
}

static IdemTag get_idem(ByteReader& r) {
  IdemTag t;
  t.key = r.str();
  r.bytes(t.fingerprint.data(), t.fingerprint.size());
  return t;
}

void encode_event(const BookEvent& ev, std::string& out) {
  ByteWriter w(out);
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, MoneyMoved>) {
          w.str(e.account);
          w.put(e.amount);
          w.put(e.reason);
          w.put(e.at_ns);
          w.bytes(e.trace_id.data(), e.trace_id.size());
          put_idem(w, e.idem);
        } else if constexpr (std::is_same_v<T, BetAccepted>) {
          w.put(e.bet_id);
          w.str(e.account);
          w.put(e.selection_id);
          w.put(e.stake);
          w.put(e.odds);
          w.put(e.odds_requested);
          w.put(e.policy);
          w.put(e.placed_ns);
          w.put(e.accepted_ns);
          w.bytes(e.trace_id.data(), e.trace_id.size());
          put_idem(w, e.idem);
        } else if constexpr (std::is_same_v<T, Rejected>) {
          w.put(e.code);
          w.str(e.message);
          w.put(e.at_ns);
          put_idem(w, e.idem);
        } else if constexpr (std::is_same_v<T, MarketStatusSet>) {
          w.put(e.market_id);
          w.put(e.status);
          w.str(e.reason);
          w.str(e.actor);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, StakeCapSet>) {
          w.put(e.market_id);
          w.put(e.cap);
          w.str(e.actor);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, PriceApplied>) {
          w.put(e.selection_id);
          w.put(e.odds);
          w.put(e.provider_ts_ms);
          w.put(e.applied_ns);
        } else if constexpr (std::is_same_v<T, MarketPriced>) {
          w.put(e.market_id);
          w.put(e.provider_ts_ms);
          w.put(e.applied_ns);
          w.put<uint32_t>(static_cast<uint32_t>(e.prices.size()));
          for (auto& [sid, odds] : e.prices) {
            w.put(sid);
            w.put(odds);
          }
        } else if constexpr (std::is_same_v<T, EventStateSet>) {
          w.put(e.event_id);
          w.put(e.state);
          w.str(e.actor);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, MarketControlSet>) {
          w.put(e.market_id);
          w.put(e.control);
          w.put(e.value);
          w.str(e.reason);
          w.str(e.actor);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, ActionRecorded>) {
          w.str(e.action);
          w.str(e.target);
          w.str(e.actor);
          w.str(e.detail);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, FeedSwitched>) {
          w.str(e.sport);
          w.str(e.from);
          w.str(e.to);
          w.str(e.actor);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, IncidentSaved>) {
          w.put(e.incident_id);
          w.str(e.snapshot);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, BetCashedOut>) {
          w.put(e.bet_id);
          w.put(e.market_id);
          w.put(e.stake);
          w.put(e.amount);
          w.put(e.odds);
          w.put(e.price_version);
          w.put(e.price_ts_ms);
          w.put(e.requested_ns);
          w.put(e.at_ns);
          w.bytes(e.trace_id.data(), e.trace_id.size());
          put_idem(w, e.idem);
        } else if constexpr (std::is_same_v<T, HedgeInstructed>) {
          w.put(e.hedge_id);
          w.put(e.market_id);
          w.put(e.selection_id);
          w.put(e.stake);
          w.put(e.odds);
          w.put(e.liability);
          w.str(e.venue);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, HedgeAnswered>) {
          w.put(e.hedge_id);
          w.put(e.result);
          w.put(e.matched_stake);
          w.put(e.matched_odds);
          w.str(e.detail);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, AuditAnchored>) {
          w.put(e.lines);
          w.put(e.covered_seq);
          w.str(e.head);
          w.str(e.key_id);
          w.str(e.mac);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, AccountOpened>) {
          w.str(e.account);
          w.str(e.channel);
          w.str(e.actor);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, PaymentRequested>) {
          w.put(e.payment_id);
          w.str(e.account);
          w.put(e.kind);
          w.put(e.amount);
          w.str(e.route);
          w.put(e.at_ns);
          w.bytes(e.trace_id.data(), e.trace_id.size());
          put_idem(w, e.idem);
        } else if constexpr (std::is_same_v<T, PaymentRouteSwitched>) {
          w.str(e.from);
          w.str(e.to);
          w.str(e.actor);
          w.str(e.reason);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, ScreeningRequested>) {
          w.put(e.screening_id);
          w.put(e.subject);
          w.str(e.account);
          w.str(e.channel);
          w.put(e.amount);
          w.str(e.vendor);
          w.put(e.at_ns);
          put_idem(w, e.idem);
        } else if constexpr (std::is_same_v<T, ScreeningDecided>) {
          w.put(e.screening_id);
          w.put(e.status);
          w.put(e.source);
          w.str(e.vendor);
          w.str(e.vendor_ref);
          w.str(e.actor);
          w.str(e.note);
          w.put(e.at_ns);
        } else if constexpr (std::is_same_v<T, PaymentAnswered>) {
          w.put(e.payment_id);
          w.str(e.account);
          w.put(e.kind);
          w.put(e.amount);
          w.put(e.status);
          w.put(e.source);
          w.str(e.psp_ref);
          w.str(e.detail);
          w.put(e.at_ns);
        } else {
          encode_settlement(w, e);
        }
      },
      ev);
}

void read_money_head(ByteReader& r, MoneyMoved& e) {
  e.account = r.str();
  e.amount = r.get<int64_t>();
  e.reason = r.get<TransferReason>();
  e.at_ns = r.get<int64_t>();
}

void read_bet_head(ByteReader& r, BetAccepted& e) {
  e.bet_id = r.get<uint64_t>();
  e.account = r.str();
  e.selection_id = r.get<uint64_t>();
  e.stake = r.get<int64_t>();
  e.odds = r.get<int32_t>();
  e.odds_requested = r.get<int32_t>();
  e.policy = r.get<uint8_t>();
  e.placed_ns = r.get<int64_t>();
  e.accepted_ns = r.get<int64_t>();
}

BookEvent decode_event(uint16_t type, std::string_view payload) {
  ByteReader r(payload);
  BookEvent out;
  switch (static_cast<EventType>(type)) {
    case EventType::kMoneyMoved: {
      MoneyMoved e;
      read_money_head(r, e);
      r.bytes(e.trace_id.data(), e.trace_id.size());
      e.idem = get_idem(r);
      out = std::move(e);
      break;
    }
    case EventType::kMoneyMovedV1:
    case EventType::kBetAcceptedV1:
    case EventType::kRejectedV1:
      out = decode_legacy_event(static_cast<EventType>(type), r);
      break;
    case EventType::kBetAccepted: {
      BetAccepted e;
      read_bet_head(r, e);
      r.bytes(e.trace_id.data(), e.trace_id.size());
      e.idem = get_idem(r);
      out = std::move(e);
      break;
    }
    case EventType::kRejected: {
      Rejected e;
      e.code = r.get<uint16_t>();
      e.message = r.str();
      e.at_ns = r.get<int64_t>();
      e.idem = get_idem(r);
      out = std::move(e);
      break;
    }
    case EventType::kMarketStatusSet: {
      MarketStatusSet e;
      e.market_id = r.get<uint64_t>();
      e.status = r.get<uint8_t>();
      e.reason = r.str();
      e.actor = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kStakeCapSet: {
      StakeCapSet e;
      e.market_id = r.get<uint64_t>();
      e.cap = r.get<int64_t>();
      e.actor = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kPriceApplied: {
      PriceApplied e;
      e.selection_id = r.get<uint64_t>();
      e.odds = r.get<int32_t>();
      e.provider_ts_ms = r.get<int64_t>();
      e.applied_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kEventStateSet: {
      EventStateSet e;
      e.event_id = r.get<uint64_t>();
      e.state = r.get<uint8_t>();
      e.actor = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kMarketPriced: {
      MarketPriced e;
      e.market_id = r.get<uint64_t>();
      e.provider_ts_ms = r.get<int64_t>();
      e.applied_ns = r.get<int64_t>();
      uint32_t n = r.get<uint32_t>();
      if (n > 1024) throw std::invalid_argument("market priced with too many selections");
      e.prices.reserve(n);
      for (uint32_t k = 0; k < n; ++k) {
        uint64_t sid = r.get<uint64_t>();
        e.prices.emplace_back(sid, r.get<int32_t>());
      }
      out = std::move(e);
      break;
    }
    case EventType::kMarketControlSet: {
      MarketControlSet e;
      e.market_id = r.get<uint64_t>();
      e.control = r.get<uint8_t>();
      e.value = r.get<int64_t>();
      e.reason = r.str();
      e.actor = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kActionRecorded: {
      ActionRecorded e;
      e.action = r.str();
      e.target = r.str();
      e.actor = r.str();
      e.detail = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kFeedSwitched: {
      FeedSwitched e;
      e.sport = r.str();
      e.from = r.str();
      e.to = r.str();
      e.actor = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kIncidentSaved: {
      IncidentSaved e;
      e.incident_id = r.get<uint64_t>();
      e.snapshot = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kMarketSettled: out = decode_market_settled(r); break;
    case EventType::kBetPostings: out = decode_bet_postings(r); break;
    case EventType::kSettlementRolledBack: out = decode_settlement_rolled_back(r); break;
    case EventType::kBetsCancelled: out = decode_bets_cancelled(r); break;
    case EventType::kCancelRolledBack: out = decode_cancel_rolled_back(r); break;
    case EventType::kSettlementDeadLettered: out = decode_settlement_dead_lettered(r); break;
    case EventType::kDeadLetterResolved: out = decode_dead_letter_resolved(r); break;
    case EventType::kBetCashedOut: {
      BetCashedOut e;
      e.bet_id = r.get<uint64_t>();
      e.market_id = r.get<uint64_t>();
      e.stake = r.get<int64_t>();
      e.amount = r.get<int64_t>();
      e.odds = r.get<int32_t>();
      e.price_version = r.get<uint64_t>();
      e.price_ts_ms = r.get<int64_t>();
      e.requested_ns = r.get<int64_t>();
      e.at_ns = r.get<int64_t>();
      r.bytes(e.trace_id.data(), e.trace_id.size());
      e.idem = get_idem(r);
      out = std::move(e);
      break;
    }
    case EventType::kHedgeInstructed: {
      HedgeInstructed e;
      e.hedge_id = r.get<uint64_t>();
      e.market_id = r.get<uint64_t>();
      e.selection_id = r.get<uint64_t>();
      e.stake = r.get<int64_t>();
      e.odds = r.get<int32_t>();
      e.liability = r.get<int64_t>();
      e.venue = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kHedgeAnswered: {
      HedgeAnswered e;
      e.hedge_id = r.get<uint64_t>();
      e.result = r.get<uint8_t>();
      e.matched_stake = r.get<int64_t>();
      e.matched_odds = r.get<int32_t>();
      e.detail = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kAuditAnchored: {
      AuditAnchored e;
      e.lines = r.get<uint64_t>();
      e.covered_seq = r.get<uint64_t>();
      e.head = r.str();
      e.key_id = r.str();
      e.mac = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kAccountOpened: {
      AccountOpened e;
      e.account = r.str();
      e.channel = r.str();
      e.actor = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kPaymentRequested: {
      PaymentRequested e;
      e.payment_id = r.get<uint64_t>();
      e.account = r.str();
      e.kind = r.get<TransferReason>();
      e.amount = r.get<int64_t>();
      e.route = r.str();
      e.at_ns = r.get<int64_t>();
      r.bytes(e.trace_id.data(), e.trace_id.size());
      e.idem = get_idem(r);
      out = std::move(e);
      break;
    }
    case EventType::kPaymentAnswered: {
      PaymentAnswered e;
      e.payment_id = r.get<uint64_t>();
      e.account = r.str();
      e.kind = r.get<TransferReason>();
      e.amount = r.get<int64_t>();
      e.status = r.get<uint8_t>();
      e.source = r.get<uint8_t>();
      e.psp_ref = r.str();
      e.detail = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kPaymentRouteSwitched: {
      PaymentRouteSwitched e;
      e.from = r.str();
      e.to = r.str();
      e.actor = r.str();
      e.reason = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    case EventType::kScreeningRequested: {
      ScreeningRequested e;
      e.screening_id = r.get<uint64_t>();
      e.subject = r.get<uint8_t>();
      e.account = r.str();
      e.channel = r.str();
      e.amount = r.get<int64_t>();
      e.vendor = r.str();
      e.at_ns = r.get<int64_t>();
      e.idem = get_idem(r);
      out = std::move(e);
      break;
    }
    case EventType::kScreeningDecided: {
      ScreeningDecided e;
      e.screening_id = r.get<uint64_t>();
      e.status = r.get<uint8_t>();
      e.source = r.get<uint8_t>();
      e.vendor = r.str();
      e.vendor_ref = r.str();
      e.actor = r.str();
      e.note = r.str();
      e.at_ns = r.get<int64_t>();
      out = std::move(e);
      break;
    }
    default: throw std::invalid_argument("unknown journal record type " + std::to_string(type));
  }
  if (!r.done()) throw std::invalid_argument("trailing bytes in journal record");
  return out;
}

}  // namespace inplay
