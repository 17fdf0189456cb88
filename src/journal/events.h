// Book events: every state change of the engine, as journaled (rule 4).
//
// The engine decides, turns the decision into one of these, applies it to
// BookState and appends it to the journal; replay decodes and applies the
// same events, so live state and replayed state come from one code path.
// Record type numbers are stable on disk: never reuse one.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "journal/settlement_events.h"
#include "wallet/idempotency.h"
#include "wallet/ledger.h"

namespace inplay {

enum class EventType : uint16_t {
  // 2, 3 and 4 carried the HTTP reply (status and body) of their request;
  // they are still read (journal/legacy_events.cpp), never written.
  kMoneyMovedV1 = 2,
  kBetAcceptedV1 = 3,
  kRejectedV1 = 4,
  kMarketStatusSet = 5,
  kStakeCapSet = 6,
  kPriceApplied = 7,
  kEventStateSet = 8,
  kMarketPriced = 9,
  kMarketControlSet = 10,
  kActionRecorded = 11,
  kFeedSwitched = 12,
  kIncidentSaved = 13,
  kMoneyMoved = 14,
  kBetAccepted = 15,
  kRejected = 16,
  // Settlement (journal/settlement_events.h).
  kMarketSettled = 17,
  kBetPostings = 18,
  kSettlementRolledBack = 19,
  kBetsCancelled = 20,
  kCancelRolledBack = 21,
  kSettlementDeadLettered = 22,
  kDeadLetterResolved = 23,
  // Cash-out (cashout/cashout_desk.h).
  kBetCashedOut = 24,
  // Hedging (hedge/hedge_desk.h).
  kHedgeInstructed = 25,
  // The audit log's head (projection/audit_projection.h).
  kAuditAnchored = 27,
  kHedgeAnswered = 28,
  // Accounts (wallet/account_owners.h, SEC-1).
  kAccountOpened = 26,
  // Payments through PSP routes (payment/payment_desk.h, WAL-1, WAL-5).
  kPaymentRequested = 29,
  kPaymentAnswered = 30,
  kPaymentRouteSwitched = 31,
  // 31 is reserved by payments. KYC/AML screenings (kyc/kyc_desk.h, KYC-1).
  kScreeningRequested = 32,
  kScreeningDecided = 33,
};

// The idempotency key a decision answers (BET-6, WAL-5): replay completes
// it in the store with the outcome the event implies (wallet/outcome.h).
struct IdemTag {
  std::string key;  // "<caller>:<Idempotency-Key>"; empty: none
  Fingerprint fingerprint{};
};

struct MoneyMoved {
  std::string account;
  int64_t amount = 0;
  TransferReason reason = TransferReason::kDeposit;
  int64_t at_ns = 0;
  std::array<uint8_t, 16> trace_id{};  // the request's trace (its receipt names it)
  IdemTag idem;
};

struct BetAccepted {
  uint64_t bet_id = 0;
  std::string account;
  uint64_t selection_id = 0;
  int64_t stake = 0;
  int32_t odds = 0;
  int32_t odds_requested = 0;
  uint8_t policy = 0;
  int64_t placed_ns = 0;
  int64_t accepted_ns = 0;
  std::array<uint8_t, 16> trace_id{};
  IdemTag idem;
};

// Part or all of an open bet's stake cashed out (CO-1): `stake` of it
// leaves the bet (reserved -> house) and `amount` is paid for it (house ->
// cash). The price it was decided on is recorded with it (odds, version,
// provider time), so an audit can prove no cash-out was taken on a stale
// price. A bet whose whole stake is cashed out is closed: settlement never
// pays it again and a rollback leaves it alone.
struct BetCashedOut {
  uint64_t bet_id = 0;
  uint64_t market_id = 0;
  int64_t stake = 0;   // of the bet's open stake, cashed out now
  int64_t amount = 0;  // paid for it (minor units)
  int32_t odds = 0;    // the selection's price the amount was computed from (scaled)
  uint64_t price_version = 0;
  int64_t price_ts_ms = 0;  // that price's provider timestamp
  int64_t requested_ns = 0; // the request's gateway start
  int64_t at_ns = 0;        // the decision
  std::array<uint8_t, 16> trace_id{};  // the cash-out request's trace
  IdemTag idem;
};

// The book asks a venue to back a selection (CO-4): a market's worst case
// passed the hedging threshold. Journaled before the order leaves, so a
// restart sends every unanswered order again under its id (the venue's
// idempotency key).
struct HedgeInstructed {
  uint64_t hedge_id = 0;
  uint64_t market_id = 0;
  uint64_t selection_id = 0;
  int64_t stake = 0;           // minor units
  int32_t odds = 0;            // the lowest price taken (scaled)
  int64_t liability = 0;       // the market's worst case, counting earlier hedges, that called for it
  std::string venue;
  int64_t at_ns = 0;
  bool operator==(const HedgeInstructed&) const = default;
};

// The venue's final word on a hedge order: filled (at a stake and price) or
// rejected. Answers we cannot trust (timeouts, errors) are not journaled:
// the order is sent again.
struct HedgeAnswered {
  uint64_t hedge_id = 0;
  uint8_t result = 0;          // HedgeAnswer::Kind: 1 filled, 2 rejected
  int64_t matched_stake = 0;
  int32_t matched_odds = 0;
  std::string detail;
  int64_t at_ns = 0;
  bool operator==(const HedgeAnswered&) const = default;
};

// A user account opened by a channel (SEC-1): from now on only that
// channel's callers reach it (wallet/account_owners.h). Deposits need an
// open account; accounts of journals written before this record existed
// were opened by their first deposit and have no owner.
struct AccountOpened {
  std::string account;
  std::string channel;  // the owner: the opening token's channel
  std::string actor;    // "<role>:<token name>", or "config" / "sim-bettors" for the book's own
  int64_t at_ns = 0;
  bool operator==(const AccountOpened&) const = default;
};

// A bet or a money movement refused with a code: journaled so a repeat of
// its key gets the same refusal (and the audit log has it).
struct Rejected {
  uint16_t code = 0;  // ErrorCode
  std::string message;
  int64_t at_ns = 0;
  IdemTag idem;
};

struct MarketStatusSet {
  uint64_t market_id = 0;
  uint8_t status = 0;
  std::string reason;
  std::string actor;  // "operator:<token name>", "system"
  int64_t at_ns = 0;
};

struct StakeCapSet {
  uint64_t market_id = 0;
  int64_t cap = 0;
  std::string actor;
  int64_t at_ns = 0;
};

struct PriceApplied {
  uint64_t selection_id = 0;
  int32_t odds = 0;
  int64_t provider_ts_ms = 0;
  int64_t applied_ns = 0;
};

struct EventStateSet {
  uint64_t event_id = 0;
  uint8_t state = 0;
  std::string actor;
  int64_t at_ns = 0;
};

// A whole market re-priced at once (a feed update): one record, not one per
// selection.
struct MarketPriced {
  uint64_t market_id = 0;
  int64_t provider_ts_ms = 0;
  int64_t applied_ns = 0;
  std::vector<std::pair<uint64_t, int32_t>> prices;  // selection id, odds (scaled)
};

// A run-time control on one market (INC-2): cash-out freeze, extra in-play
// delay, intake limit. Set by operators and playbooks alike.
enum class MarketControl : uint8_t { kCashoutFrozen = 1, kExtraDelayMs = 2, kIntakePerSecond = 3 };
const char* market_control_name(MarketControl c);  // "cashout_frozen", ...

// market_id kWholeBook (no market has id 0) with kIntakePerSecond: the
// book-wide intake limit (shed load for the whole book).
inline constexpr uint64_t kWholeBook = 0;
struct MarketControlSet {
  uint64_t market_id = 0;
  uint8_t control = 0;  // MarketControl
  int64_t value = 0;    // frozen 0/1, delay ms, bets per second (0 = no limit)
  std::string reason;
  std::string actor;
  int64_t at_ns = 0;
};

// An operator or automatic action that is not itself a book change (a feed
// switch, a playbook decision, an approval): journaled so the audit log
// holds every action (CMP-1). No effect on the book's state.
struct ActionRecorded {
  std::string action;  // "switch_feed", "playbook_triggered", "action_approved", ...
  std::string target;  // "sport:football", "market:101", "incident:3"
  std::string actor;   // "operator:<token>", "playbook:<name>"
  std::string detail;
  int64_t at_ns = 0;
};

// The feed that prices a sport now (a switch by an operator or a playbook):
// a restart comes back on the feed the book was left on.
struct FeedSwitched {
  std::string sport;
  std::string from;  // the feed active before ("" when none)
  std::string to;
  std::string actor;
  int64_t at_ns = 0;
};

// A deposit or withdrawal asked of a PSP route (WAL-1): journaled before the
// call leaves, so a restart asks again under the same idempotency key
// ("pay-<id>") and a PSP that honours it never charges twice. A withdrawal
// holds its amount at once (cash -> funding); a deposit moves nothing until
// the PSP authorises it.
struct PaymentRequested {
  uint64_t payment_id = 0;
  std::string account;
  TransferReason kind = TransferReason::kDeposit;  // kDeposit or kWithdrawal
  int64_t amount = 0;
  std::string route;                   // the PSP route it goes through
  int64_t at_ns = 0;
  std::array<uint8_t, 16> trace_id{};  // the request's trace
  IdemTag idem;
};

// A payment's state after an answer (PaymentBook): the PSP's word
// (authorised, declined), or timed-out when no answer could be trusted in
// time; a timed-out payment is settled later by the PSP's word found by a
// callback or a reconciliation (then `reconciled`). It repeats the
// request's account, kind and amount so a follower (projection, audit) can
// move the money without the request at hand; apply checks they match.
// Authorised deposit: funding -> cash; declined withdrawal: its hold comes
// back (funding -> cash, withdrawal_returned).
struct PaymentAnswered {
  uint64_t payment_id = 0;
  std::string account;
  TransferReason kind = TransferReason::kDeposit;
  int64_t amount = 0;
  uint8_t status = 0;      // PaymentStatus (payment/payment_book.h): 1 authorised, 2 declined, 3 timed out
  uint8_t source = 0;      // PaymentSource: 1 the call's answer, 2 a callback, 3 reconciliation, 4 the book (timeout)
  std::string psp_ref;     // the PSP's id for it ("" when unknown)
  std::string detail;      // the PSP's reason, or what went wrong
  int64_t at_ns = 0;
  bool operator==(const PaymentAnswered&) const = default;
};

// New payments go to another PSP route from now on (WAL-4, INC-2): by an
// operator or a playbook (a route's breaker open, its authorisations
// failing). Payments already sent stay on their route.
struct PaymentRouteSwitched {
  std::string from;
  std::string to;
  std::string actor;
  std::string reason;
  int64_t at_ns = 0;
  bool operator==(const PaymentRouteSwitched&) const = default;
};

// A KYC/AML screening asked of the vendors (KYC-1): journaled before the
// call leaves, so a restart asks again under the same key ("scr-<id>") and
// a vendor that honours it never screens twice. subject 1: a new account
// (it may not withdraw until cleared); 2: a withdrawal over the threshold,
// held (nothing moves) until cleared — idem is the client's key, answered
// with the screening (ScreeningRef) until the withdrawal goes on.
struct ScreeningRequested {
  uint64_t screening_id = 0;
  uint8_t subject = 1;    // ScreeningSubject (kyc/screening_book.h)
  std::string account;
  std::string channel;    // the account's channel
  int64_t amount = 0;     // a withdrawal's amount; 0 for an account
  std::string vendor;     // the vendor asked first
  int64_t at_ns = 0;
  IdemTag idem;
  bool operator==(const ScreeningRequested& o) const {
    return screening_id == o.screening_id && subject == o.subject && account == o.account && channel == o.channel &&
           amount == o.amount && vendor == o.vendor && at_ns == o.at_ns && idem.key == o.idem.key &&
           idem.fingerprint == o.idem.fingerprint;
  }
};

// A screening decided (ScreeningBook): a vendor's answer (cleared, referred
// for manual review, rejected), the book's referral when no vendor
// answered, or an operator's review of a referred one (cleared, rejected).
struct ScreeningDecided {
  uint64_t screening_id = 0;
  uint8_t status = 0;   // ScreeningStatus: 1 cleared, 2 referred, 3 rejected
  uint8_t source = 0;   // ScreeningSource: 1 vendor, 2 operator, 3 book
  std::string vendor;
  std::string vendor_ref;
  std::string actor;    // "operator:<token>" for a review; else empty
  std::string note;     // the vendor's reason or the reviewer's note
  int64_t at_ns = 0;
  bool operator==(const ScreeningDecided&) const = default;
};

// An incident as it stands after a change (playbook/incident_codec.h: JSON),
// so incidents survive a restart. The latest record per id is the incident;
// its actions' effects on the book are journaled by their own events.
struct IncidentSaved {
  uint64_t incident_id = 0;
  std::string snapshot;
  int64_t at_ns = 0;
};

// The audit log's head, anchored in the journal so that a cut audit tail is
// detectable (docs/observability.md "Audit log"). The audit projection asks
// the engine to journal one now and then and at stop; `inplay audit verify`
// checks the file against every one. No effect on the book's state, and not
// itself audited (it would move the head it anchors).
struct AuditAnchored {
  uint64_t lines = 0;        // records in the audit file when anchored
  uint64_t covered_seq = 0;  // the last journal seq the audit had read then
  std::string head;          // mac of record `lines` (64 hex; 64 zeros for none)
  std::string key_id;        // the chain key (telemetry/audit_key.h)
  std::string mac;           // HMAC-SHA256 of the above with that key (64 hex)
  int64_t at_ns = 0;
  bool operator==(const AuditAnchored&) const = default;
};

using BookEvent = std::variant<MoneyMoved, BetAccepted, Rejected, MarketStatusSet, StakeCapSet,
                               PriceApplied, EventStateSet, MarketPriced, MarketControlSet, ActionRecorded,
                               FeedSwitched, IncidentSaved, MarketSettled, BetPostings, SettlementRolledBack,
                               BetsCancelled, CancelRolledBack, SettlementDeadLettered, DeadLetterResolved,
                               BetCashedOut, HedgeInstructed, HedgeAnswered, AuditAnchored, AccountOpened,
                               PaymentRequested, PaymentAnswered, PaymentRouteSwitched, ScreeningRequested,
                               ScreeningDecided>;

EventType event_type(const BookEvent& e);
// The book's time the event records (engine clock, ns since the epoch):
// accepted_ns of a bet, applied_ns of a price, at_ns of everything else.
int64_t event_time_ns(const BookEvent& e);
void encode_event(const BookEvent& e, std::string& out);
// Throws std::out_of_range / std::invalid_argument on a malformed payload.
// Reads the legacy types 2-4 into the current structs.
BookEvent decode_event(uint16_t type, std::string_view payload);

}  // namespace inplay
