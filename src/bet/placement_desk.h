// PlacementDesk: a bet from request to decision, run on the engine (BET-1,
// BET-3, BET-5, BET-6, RISK-1, RISK-2). The pipeline, in order:
//   0. admission (issue 18, item 2): a bet taken from the engine's queue
//      after its deadline is refused at once, 503 DEADLINE_EXCEEDED, before
//      anything is looked up, kept or journaled (its key is untouched, so a
//      retry may succeed); its sojourn (HTTP read to now) feeds the
//      queue-delay gate (bet/queue_delay_gate.h), which the HTTP edge asks
//      before it hands a bet over (admitting());
//   1. idempotency: the wallet desk's front door (a repeat gets the first
//      outcome; a different request under the key, KEY_REUSED);
//   2. the bet names a selection, a user account in the caller's scope
//      (wallet/account_owners.h: else ACCOUNT_NOT_FOUND, as for an unknown
//      one) and the book's currency;
//   3. the market's intake limit (shed load: MARKET_BUSY at once, not
//      journaled, so the same key may retry), then the book's
//      (bet/book_intake.h: OVERLOADED, lowest-value bets first);
//   4. its risk turn (RiskTurn: at once, but for a simulated busy engine);
//   5. risk (risk/risk_check.h: market open, price fresh and within policy,
//      limits, liability, stake cap) and the balance (WalletDesk);
//   6. in play: the in-play delay as a timer on the engine's clock, then a
//      bounded wait for a price newer than the bet's arrival (RISK-2), then
//      the same checks again against the price of that moment;
//   7. the decision: BetAccepted (the stake reserved as it applies) or
//      Rejected with its code, journaled; the Outcome (BetPlaced or Error)
//      goes to the command's `done` once durable.
// Every bet gets one trace: risk, risk.recheck, inplay_delay, wallet and
// journal spans under the gateway span. Accept latency (BET-3) is gateway
// start to final decision less the deliberate delay. A bet whose handling
// throws (a commit the book state refuses, a fault in a desk) is refused
// INTERNAL with nothing kept and its key free again (WalletDesk::
// refuse_failed), never left unanswered. Engine thread only, except
// submit().
#pragma once
#include <cstdint>
#include <exception>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bet/book_intake.h"
#include "bet/intake_limit.h"
#include "bet/queue_delay_gate.h"
#include "bet/risk_turn.h"
#include "engine/engine.h"
#include "market/market_desk.h"
#include "telemetry/trace.h"
#include "wallet/wallet_desk.h"

namespace inplay {

// A bet request in flight.
struct PlaceBet {
  std::string idem_key;  // "<caller>:<Idempotency-Key>"
  Fingerprint fingerprint{};
  std::string account;    // raw id: stays inside the engine and the journal
  AccountScope scope;     // whose accounts the caller may bet from
  std::string user_mask;  // pseudonym for telemetry
  uint64_t selection_id = 0;
  int64_t stake = 0;
  Currency currency;
  Odds odds;
  PriceChangePolicy policy = PriceChangePolicy::kNone;
  TraceContext gateway;  // the gateway span: parent of the bet's spans
  int64_t gateway_start_ns = 0;
  // Book time past which the bet is not worth deciding (0: none): the
  // engine refuses it DEADLINE_EXCEEDED if it takes it later
  // (http/request_deadline.h).
  int64_t deadline_ns = 0;
  OutcomeFn done;
};

// A bet's final decision, for the SLO evaluator and the war room (BET-3
// latency: gateway start to decision, less the in-play delay).
struct BetDecision {
  uint64_t market_id = 0;
  uint64_t event_id = 0;
  int64_t latency_ns = 0;
  int64_t stake_minor = 0;
  bool accepted = false;
  ErrorCode code = ErrorCode::kInternal;  // when rejected
  bool synthetic = false;  // a synthetic check's bet: not a business SLI event
  int64_t decided_ns = 0;  // book time of the decision
};

class PlacementDesk {
 public:
  PlacementDesk(Engine& engine, MarketDesk& markets, WalletDesk& wallet, Tracer& tracer);
  ~PlacementDesk();

  // Any thread: hands the bet to the engine; false: its inbox is full.
  bool submit(PlaceBet&& cmd);
  // Any thread, before submit(): false while the queue-delay gate drops
  // (the caller refuses the bet 503 OVERLOADED; counted here as a shed
  // bet, admission_refusals_total{reason="queue_delay"}).
  bool admitting();
  // Engine thread: places a bet at once, at the clock's current time (the
  // simulated bettors, whose ticks fire inside a clock advance).
  void place(PlaceBet&& cmd);

  // Before start() or on the engine thread; each is called on the engine
  // thread for every decision, in the order added.
  void add_decision_observer(std::function<void(const BetDecision&)> fn) {
    decision_observers_.push_back(std::move(fn));
  }
  // Before start(); called on the engine thread for every bet offered on a
  // known market, on arrival, before the market's intake limit (so a shed
  // bet counts: the rate a market is asked for, not the rate it takes).
  void add_offer_observer(std::function<void(uint64_t market_id, uint64_t event_id)> fn) {
    offer_observers_.push_back(std::move(fn));
  }
  // Before start(): adds attributes (feed, producer, parser_schema, league)
  // to a bet's risk span for its market (BEY-1 slices).
  void set_market_tagger(std::function<void(uint64_t market_id, Span&)> fn) { market_tagger_ = std::move(fn); }
  // Engine thread: where bets wait for their risk check (nullptr: never).
  void set_risk_turn(RiskTurn* turn) { risk_turn_ = turn; }
  size_t pending() const { return pending_.size(); }
  Engine& engine() { return engine_; }

 private:
  // A bet waiting: for its risk turn, inside its in-play delay, or for a
  // price confirmation. It owns the timer it waits on.
  struct PendingBet {
    uint64_t id = 0;
    PlaceBet cmd;
    uint32_t account = 0;
    uint64_t market_id = 0;
    uint64_t event_id = 0;
    int64_t arrival_ns = 0;  // book time when the engine first saw it
    int64_t delay_ns = 0;    // configured in-play delay applied to it
    // This bet's spans, started in place in a buffer from the tracer's pool
    // (Tracer::span_buffer) and handed whole to the tracer's drain thread
    // once the decision is durable (Tracer::record_all).
    std::vector<Span> spans;
    TimerPtr timer;
  };
  using Step = void (PlacementDesk::*)(PendingBet&);

  // A bet taken from the engine's queue: its deadline, then the gate.
  void on_taken(PlaceBet& cmd);
  // Answers a bet whose deadline has passed: 503 DEADLINE_EXCEEDED.
  void refuse_late(OutcomeFn& done);
  void on_arrival(PlaceBet& cmd);
  Result<Odds> evaluate(const PendingBet& p);
  // After the first risk check: the in-play delay, or the decision at once.
  void after_risk(std::unique_ptr<PendingBet> p, Result<Odds> first);
  PendingBet& park(std::unique_ptr<PendingBet> p);
  void wait_until(PendingBet& p, int64_t at_ns, Step next);
  void on_risk_turn(PendingBet& p);
  // The simulated engine (RiskTurn): starts the check of the queue's head,
  // charged the cost in force now, unless one is running.
  void serve_next_risk();
  void end_risk_turn();  // the running check is done: decide it, serve the next
  void on_delay_elapsed(PendingBet& p);
  void on_confirm_timeout(PendingBet& p);
  void release_price_waiters(uint64_t market_id);
  void decide(PendingBet& p);
  void finish(PendingBet& p, Result<Odds> decision);
  // A bet whose handling threw: refused INTERNAL (nothing of it kept), its
  // key forgotten, the bet dropped.
  void refuse_failed(PendingBet& p, const std::exception& e);
  void observe(PendingBet& p, const Result<Odds>& decision, int64_t now);

  Engine& engine_;
  WalletDesk& wallet_;
  Tracer& tracer_;
  const EngineConfig& cfg_;
  EngineMetrics& metrics_;
  std::unordered_map<uint64_t, std::unique_ptr<PendingBet>> pending_;
  uint64_t next_pending_ = 1;
  std::unordered_map<uint64_t, std::vector<uint64_t>> price_waiters_;  // market -> pending ids
  IntakeLimit intake_;
  BookIntake book_intake_;
  QueueDelayGate gate_;
  TimerPtr gate_timer_;
  RiskTurn* risk_turn_ = nullptr;
  std::deque<uint64_t> risk_queue_;  // pending ids waiting for the simulated engine, in arrival order
  bool risk_busy_ = false;           // a check is running: risk_queue_.front()'s
  TimerPtr risk_timer_;              // fires when it is done
  std::vector<std::function<void(const BetDecision&)>> decision_observers_;
  std::vector<std::function<void(uint64_t, uint64_t)>> offer_observers_;
  std::function<void(uint64_t, Span&)> market_tagger_;
};

}  // namespace inplay
