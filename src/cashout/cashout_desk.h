// CashoutDesk: cash-out, run on the engine (CO-1..CO-4). Two commands:
//
//  quote(QuoteCashout)   the offer for all or part of an open bet, priced
//                        from the selection's live price (cashout_price.h),
//                        kept in the OfferBook for terms.quote_ttl. A quote
//                        is a read: nothing is journaled; a refusal carries
//                        its stable code (PRICE_STALE, CASHOUT_FROZEN, ...).
//  accept(AcceptCashout) takes a quote, idempotent by key (the wallet desk's
//                        front door). The quote must stand (QUOTE_EXPIRED
//                        if unknown, expired, withdrawn or for another
//                        amount); then, like a bet, the in-play delay on the
//                        engine clock, and the offer priced again at that
//                        moment, refused if the market's offer epoch moved
//                        meanwhile (a suspension, a freeze) or the price
//                        went stale, and held to the request's price-change
//                        policy against the quoted amount (none: the same
//                        amount; better: at least it; any: whatever it is
//                        now). The decision is journaled (BetCashedOut, or
//                        Rejected with its code) and answered once durable.
//
// A bet outside the caller's scope (another channel's: wallet/
// account_owners.h) is BET_NOT_FOUND to both commands, as an unknown one.
//
// Fail closed: a freeze, suspension or result withdraws every offer on the
// market in the engine step that applies it (OfferBook), and a price past
// its limit refuses the quote and the accept at once.
// Seen: a `cashout` span tree under the request's gateway span (check,
// inplay_delay, recheck, journal) and a `cashout` span in the bet's own
// trace linked to it; cashout_* metrics; quote freshness (now − provider
// time of the price used, CO-2) as a histogram with exemplars and to the
// quote observers (the cashout_freshness SLO). Engine thread only, except
// submit_*().
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cashout/cashout_price.h"
#include "cashout/offer_book.h"
#include "engine/engine.h"
#include "risk/risk_check.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"
#include "wallet/wallet_desk.h"

namespace inplay {

struct QuoteCashout {
  uint64_t bet_id = 0;
  int64_t stake = 0;            // 0: the whole open stake
  AccountScope scope;  // whose bets the caller may quote (wallet/account_owners.h)
  TraceContext gateway;
  // Engine thread, once what the quote read is durable (may be empty).
  std::function<void(const Result<Quote>&)> done;
};

struct AcceptCashout {
  std::string idem_key;  // "<caller>:<Idempotency-Key>"
  Fingerprint fingerprint{};
  uint64_t bet_id = 0;
  uint64_t quote_id = 0;
  int64_t amount = 0;  // the quoted amount the client saw
  PriceChangePolicy policy = PriceChangePolicy::kNone;
  AccountScope scope;  // whose bets the caller may cash out
  TraceContext gateway;
  int64_t gateway_start_ns = 0;
  OutcomeFn done;
};

// One quote asked, for the SLO evaluator and the war room.
struct QuoteSeen {
  uint64_t market_id = 0;  // 0: the bet was unknown
  uint64_t event_id = 0;
  bool offered = false;
  ErrorCode code = ErrorCode::kInternal;  // when refused
  int64_t freshness_ns = 0;               // when offered
  bool synthetic = false;
};

// One accept decided, before it is journaled (the book as it stands at
// that moment): for game days' independent checks.
struct CashoutDecision {
  uint64_t bet_id = 0;
  bool accepted = false;
  ErrorCode code = ErrorCode::kInternal;  // when refused
};

class CashoutDesk {
 public:
  CashoutDesk(Engine& engine, WalletDesk& wallet, Tracer& tracer, CashoutTerms terms);
  ~CashoutDesk();

  // Any thread: hand the command to the engine; false: its inbox is full.
  bool submit_quote(QuoteCashout&& cmd);
  bool submit_accept(AcceptCashout&& cmd);
  // Engine thread. quote() also returns its answer at once (the simulated
  // crowd takes an offer in the same engine step: deterministic on the
  // simulated clock); `done`, when set, hears it once what it read is durable.
  Result<Quote> quote(QuoteCashout& cmd);
  void accept(AcceptCashout& cmd);

  // Before start(): called on the engine thread for every quote asked.
  void add_quote_observer(std::function<void(const QuoteSeen&)> fn) { observers_.push_back(std::move(fn)); }
  // Before start() or on the engine thread: called for every accept decided.
  void add_decision_observer(std::function<void(const CashoutDecision&)> fn) {
    decision_observers_.push_back(std::move(fn));
  }

  // Engine thread.
  const OfferBook& offers() const { return offers_; }
  size_t pending() const { return pending_.size(); }
  const CashoutTerms& terms() const { return terms_; }

  // Totals since start (any thread).
  struct Totals {
    uint64_t asked = 0, offered = 0, refused_stale = 0, accepted = 0, refused = 0;
  };
  Totals totals() const;

 private:
  struct Pending {
    uint64_t id = 0;
    AcceptCashout cmd;
    Quote quote;        // as it was when the accept arrived
    uint32_t account = 0;
    int64_t delay_ns = 0;
    int64_t arrival_ns = 0;
    std::vector<Span> spans;
    TimerPtr timer;
  };
  Result<CashoutOffer> price(const Bet& b, int64_t stake, int64_t now_ns) const;
  void recheck(Pending& p);
  void finish(Pending& p, Result<CashoutOffer> decision);
  void refused(ErrorCode code);
  void observe_quote(const QuoteSeen& q, const TraceContext& gateway, int64_t now_ns);

  Engine& engine_;
  WalletDesk& wallet_;
  Tracer& tracer_;
  const CashoutTerms terms_;
  OfferBook offers_;
  std::unordered_map<uint64_t, std::unique_ptr<Pending>> pending_;
  uint64_t next_pending_ = 1;
  std::vector<std::function<void(const QuoteSeen&)>> observers_;
  std::vector<std::function<void(const CashoutDecision&)>> decision_observers_;
  TimerPtr sweep_;

  Family<Counter>* quotes_;    // cashout_quotes_total{result}
  Counter* offered_series_;    // its result="offered" series (every offer: looked up once)
  Family<Counter>* decisions_; // cashout_decisions_total{result}
  Counter* paid_;              // cashout_paid_minor_total
  Gauge* pending_gauge_;       // cashout_pending: accepts inside their in-play delay
  Histogram* freshness_;       // cashout_quote_freshness_seconds
  std::atomic<uint64_t> asked_{0}, offered_{0}, refused_stale_{0}, accepted_{0}, refused_{0};
};

}  // namespace inplay
