// Engine: the single writer (ARCHITECTURE rule 3). One thread owns the
// BookState and applies commands in arrival order; other threads hand work
// over through a bounded queue and never touch the state.
//
// Threads:
//  - any thread: place_bet(), move_money(), submit() enqueue and return at
//    once; false means the queue is full and the caller must shed (503).
//  - engine thread: runs tasks, fires timers on the injected Clock (the
//    in-play bet delay is a timer: no thread sleeps), decides, applies the
//    decision's event to BookState and appends it to the Journal.
//  - journal thread: writes and syncs batches and tells the engine how far
//    the journal is durable (Journal::set_durable_listener).
//  - engine thread again: runs the completions of durable events in seq
//    order, which send the replies. Replies that carry no event (reads,
//    repeats) wait for everything appended before them, so nobody sees
//    state before it is durable. Completions run on the engine thread so
//    that what it allocated is freed there (no cross-thread malloc traffic).
// Methods marked "engine thread" must only be called from tasks or timers.
// The engine calls Journal::kick() after each batch, so its journal may be
// opened with Options::wake_on_append = false.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "engine/book_state.h"
#include "engine/engine_config.h"
#include "engine/engine_metrics.h"
#include "journal/journal.h"
#include "telemetry/tracer.h"

namespace inplay {

struct Reply {
  int status = 200;
  std::string body;
};
using ReplyFn = std::function<void(Reply)>;

struct PlaceBetRequest {
  std::string idem_key;  // "<caller>:<Idempotency-Key>"
  Fingerprint fingerprint{};
  std::string account;    // raw id: stays inside the engine and the journal
  std::string user_mask;  // pseudonym for telemetry
  uint64_t selection_id = 0;
  int64_t stake = 0;
  Currency currency;
  Odds odds;
  PriceChangePolicy policy = PriceChangePolicy::kNone;
  TraceContext gateway;  // the gateway span: parent of engine spans
  int64_t gateway_start_ns = 0;
  ReplyFn reply;
};

struct MoneyRequest {
  std::string idem_key;
  Fingerprint fingerprint{};
  std::string account;
  std::string user_mask;
  int64_t amount = 0;
  Currency currency;
  TransferReason reason = TransferReason::kDeposit;
  TraceContext gateway;
  int64_t gateway_start_ns = 0;
  ReplyFn reply;
};

class Engine {
 public:
  using Task = std::function<void()>;

  Engine(EngineConfig cfg, Clock& clock, Journal& journal, MetricsRegistry& metrics, Tracer& tracer);
  ~Engine();

  // Book structure (events, markets, selections) is added before replay.
  BookState& state() { return state_; }
  const EngineConfig& config() const { return cfg_; }
  Clock& clock() { return clock_; }

  // Rebuilds state from the journal; throws on a record the book cannot
  // apply. Returns the number of records replayed. Before start().
  uint64_t replay();
  void start();
  void stop();  // drains the queue, stops timers, flushes replies

  // Any thread. false: queue full (shed).
  bool place_bet(PlaceBetRequest&& r);
  // Engine thread (timers): places a bet at once, at the clock's current
  // time — the simulated bettors, whose ticks fire inside a clock advance,
  // would otherwise reach the queue only when the advance ends.
  void place_bet_now(PlaceBetRequest&& r);
  bool move_money(MoneyRequest&& r);
  bool submit(Task t);
  size_t queue_depth() const;
  // CPU time the engine thread has used so far (benchmarks: CPU per bet).
  int64_t thread_cpu_ns() const;

  // Engine thread. Registers a recurring timer (first run after period).
  void every(Nanos period, std::function<void()> fn);
  // Engine thread. Runs fn at clock time `at`.
  void at(TimePoint at, std::function<void()> fn);
  // Engine thread, simulated clock only: moves time to t, firing every timer
  // due on the way in order, each at its own time.
  void advance_clock(TimePoint t);
  // Engine thread. Applies an event, journals it, replies when durable.
  uint64_t commit(BookEvent&& e, std::function<void()> on_durable = {});
  // Engine thread. Replies once everything before is durable.
  void reply_in_order(ReplyFn fn, Reply r);

  // Engine thread: state-changing operations shared by the operator API,
  // the price sources and (later) playbooks.
  Result<bool> set_market_status(uint64_t market_id, MarketStatus s, std::string reason,
                                 std::string actor);
  Result<bool> set_stake_cap(uint64_t market_id, int64_t cap, std::string actor);
  Result<bool> set_event_state(uint64_t event_id, EventState s, std::string actor);
  // Cash-out freeze, extra delay, intake limit (MarketControlSet).
  Result<bool> set_market_control(uint64_t market_id, MarketControl c, int64_t value, std::string reason,
                                  std::string actor);
  // A bet's final decision, for the SLO evaluator (BET-3 latency: gateway
  // start to decision, less the in-play delay).
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
  // Engine thread: changes EngineConfig::sim_bet_cost (game-day CPU burn).
  void set_sim_bet_cost(Nanos cost) { cfg_.sim_bet_cost = cost; }
  // The engine's metric families (the war room reads the accept histogram's
  // exemplars). Any thread: the series are atomic.
  const EngineMetrics& metrics() const { return metrics_; }
  // Set before start(); adds attributes (feed, producer, parser_schema,
  // league) to a bet's risk span for its market (BEY-1 slices).
  void set_market_tagger(std::function<void(uint64_t market_id, Span&)> fn) { market_tagger_ = std::move(fn); }
  // Journals an action for the audit log (ActionRecorded).
  void record_action(std::string action, std::string target, std::string actor, std::string detail);
  Result<bool> apply_price(uint64_t selection_id, Odds odds, int64_t provider_ts_ms);
  // A whole market's prices in one journal record (feeds). `odds` in the
  // market's selection order.
  Result<bool> price_market(uint64_t market_id, const std::vector<Odds>& odds, int64_t provider_ts_ms);

 private:
  // A bet inside its in-play delay or awaiting a price confirmation.
  struct PendingBet {
    uint64_t id = 0;
    PlaceBetRequest req;
    uint32_t account = 0;
    uint64_t market_id = 0;
    uint64_t event_id = 0;
    int64_t arrival_ns = 0;  // book time when the engine first saw it
    int64_t delay_ns = 0;    // configured in-play delay applied to it
    bool awaiting_price = false;
    // This bet's spans, started in place in a buffer from the tracer's pool
    // (Tracer::span_buffer) and handed whole to the tracer's drain thread
    // with the journal completion (Tracer::record_all).
    std::vector<Span> spans;
  };
  struct Timer {
    int64_t due_ns;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Timer& o) const { return due_ns != o.due_ns ? due_ns > o.due_ns : seq > o.seq; }
  };

  void run();
  void on_durable(uint64_t seq);  // journal thread
  void run_completions();         // engine thread: replies of durable events
  void drain_completions();       // engine thread, at stop
  void fire_due_timers(int64_t now_ns);
  void housekeeping();

  // place_bet.cpp
  void on_place_bet(PlaceBetRequest& r, int64_t dequeued_ns);
  void decide_bet(uint64_t pending_id);
  void on_delay_elapsed(uint64_t pending_id);
  void on_confirm_timeout(uint64_t pending_id);
  void release_price_waiters(uint64_t market_id);
  // After the risk check: the in-play delay, or the decision at once.
  void after_risk(std::unique_ptr<PendingBet> p, Result<Odds> first);
  // sim_bet_cost: parks the bet until the simulated engine thread is free
  // (on_sim_served continues it with the risk check).
  void queue_for_sim_engine(std::unique_ptr<PendingBet> p, int64_t now_ns);
  void on_sim_served(uint64_t pending_id);
  void observe_decision(const BetDecision& d);
  void finish_bet(PendingBet& p, Result<Odds> decision);
  // Per-market intake limit (shed load): false when the market has taken
  // its bets for this second of book time.
  bool admit_to_market(uint64_t market_id, int64_t now_ns);
  Result<Odds> evaluate(const PendingBet& p);
  // move_money.cpp
  void on_move_money(MoneyRequest& r);
  // Idempotency front door shared by bets and money: true if handled.
  bool idempotent_repeat(const std::string& key, const Fingerprint& fp, ReplyFn& reply);
  void finish_waiters(const std::string& key, const Reply& r, std::vector<ReplyFn>& out);

  EngineConfig cfg_;
  Clock& clock_;
  Journal& journal_;
  Tracer& tracer_;
  EngineMetrics metrics_;
  BookState state_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Task, int64_t>> inbox_;  // task, enqueue time (monotonic ns)
  bool stopping_ = false;
  bool waiting_ = false;
  bool durable_pending_ = false;  // the journal advanced since the engine looked
  std::atomic<uint64_t> durable_seq_{0};
  // Completions waiting for their seq to be durable, in seq order.
  std::deque<std::pair<uint64_t, std::function<void()>>> awaiting_;
  std::thread thread_;

  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  uint64_t timer_seq_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<PendingBet>> pending_;
  uint64_t next_pending_ = 1;
  std::unordered_map<std::string, std::vector<ReplyFn>> idem_waiters_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> price_waiters_;  // market -> pending ids
  int64_t last_housekeeping_ns_ = 0;
  std::vector<std::function<void(const BetDecision&)>> decision_observers_;
  std::vector<std::function<void(uint64_t, uint64_t)>> offer_observers_;
  int64_t sim_busy_until_ns_ = 0;  // sim_bet_cost: when the simulated engine is free
  std::function<void(uint64_t, Span&)> market_tagger_;
  // Per-market intake (MarketControl::kIntakePerSecond): bets admitted in
  // the current second of book time.
  std::unordered_map<uint64_t, std::pair<int64_t, int64_t>> intake_;  // market -> (second, count)
  std::string scratch_;
};

}  // namespace inplay
