// SettleDesk: the settlement hop, run on the engine (SET-1..6, CMP-1).
// Results come from the feeds (the FeedDesk hands over every bet_settlement,
// bet_cancel and rollback of a primary or backup producer, as parsed);
// operators re-settle markets and work the dead-letter queue over HTTP.
// Every decision is journaled (journal/settlement_events.h) and the money
// moves through BetPostings (settle/settlement_book.h), so each bet is paid
// exactly once however often, late or out of order its result comes.
//
// A market's result, in order:
//   1. validation: the market exists, belongs to the message's event, and
//      every selection has exactly one valid outcome; else dead-lettered;
//   2. the shadow check: when the message carries the score its market is
//      settled on (full time, or half time for a first-half market), the
//      rules (settle/rules.h) settle it independently; a disagreement is
//      dead-lettered and counted bad in the correctness SLI (SET-2);
//   3. certainty: a live result is held (not paid) while the policy pays on
//      confirmed results; the confirmed one replaces it;
//   4. against what the market has: the same result again is a duplicate
//      (nothing changes); a different one stamped later is a correction
//      (the old version rolled back, the new one settled); stamped earlier,
//      stale (ignored); at the same instant, a conflict (dead-lettered);
//   5. MarketSettled (version + 1), then the postings that pay its bets:
//      a batch (BetPostings::kMaxBetsPerRecord bets) per engine task, the
//      next once the last is durable, so a market of a million bets never
//      holds the engine for long and a crash leaves each bet paid or not.
// Cancels void the bets placed in a time range (paid or not); rollbacks of
// results and cancels reverse exactly what they did, and the newest message
// per market wins (provider time). A rollback of something the market has
// not got is dead-lettered (it may have overtaken its result: replay it).
//
// Results and errors are typed (Result<...> with an ErrorCode), never HTTP.
// Engine thread only, except signals() (atomics).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/engine.h"
#include "feed/feed_message.h"
#include "settle/market_result.h"
#include "telemetry/metrics.h"
#include "telemetry/tracer.h"

namespace inplay {

// What became of one market's part of a results message.
enum class SettleVerdict : uint8_t {
  kSettled,       // a new result version paid
  kCorrected,     // the previous version rolled back, the new one paid
  kDuplicate,     // the market already has exactly this
  kStale,         // older than what the market has
  kHeld,          // a live result under a pay-on-confirmed policy
  kCancelled,     // bets voided
  kRolledBack,    // a result or cancel withdrawn
  kDeadLettered,  // kept in the dead-letter queue
};
const char* settle_verdict_name(SettleVerdict v);  // "settled", "corrected", ...

// A market re-settled by an operator: the money each account got from the
// market's bets before and after (finance's notification, SET-5).
struct ResettleReport {
  uint64_t market_id = 0;
  uint32_t from_version = 0, to_version = 0;
  uint64_t bets = 0;  // bets of the market re-paid
  struct Account {
    std::string account;
    int64_t before = 0, after = 0;  // total returns from the market
  };
  std::vector<Account> changed;  // accounts whose total changed, by id
  int64_t total_before = 0, total_after = 0;
};

// One market's result settled from a feed: for the settlement-lag SLI
// (SET-2: provider time of the result to the money moved) and the war room.
struct SettledMarket {
  uint64_t market_id = 0, event_id = 0;
  int64_t lag_ns = 0;
  uint64_t bets = 0;
  int64_t settled_ns = 0;
};

class SettleDesk {
 public:
  // The policy is the engine config's (EngineConfig::settlement).
  explicit SettleDesk(Engine& engine);

  // Engine thread, after replay and before traffic: the postings a crash
  // left owed (a market half paid) are made now.
  void resume();

  // Engine thread: a results message from a feed (primary or backup).
  void on_feed_result(const std::string& feed, const FeedMessage& m);
  // Engine thread: a bet was accepted (a bet placed inside a cancel's range
  // but accepted after it, at the end of its in-play delay, is voided too).
  void on_bet(uint64_t market_id) { on_bet_accepted(market_id); }
  // Engine thread: markets whose bets are still being moved.
  size_t markets_in_progress() const { return runs_.size(); }
  // Engine thread: the provider time (ms) of the oldest feed result whose
  // bets are still being paid; -1 when none is.
  int64_t oldest_unpaid_result_ms() const;

  // Engine thread: re-settles a market (after a rule patch, or on the score
  // an operator gives): its current result is rolled back and settled again
  // as a new version, every bet re-paid by today's rules. Without a score
  // the market's current outcomes are kept. MARKET_NOT_FOUND;
  // VALIDATION_FAILED when there is nothing to re-settle from or no rule
  // for the market type.
  Result<ResettleReport> resettle(uint64_t market_id, std::optional<Score> score, const std::string& reason,
                                  const std::string& actor);

  // Engine thread: tries a dead letter again (after the fix it waited for).
  // Resolved unless it fails again: DEAD_LETTER_NOT_FOUND, or
  // VALIDATION_FAILED naming the reason it still fails.
  Result<SettleVerdict> replay_dead_letter(uint64_t dlq_id, const std::string& actor);
  // Engine thread: closes a dead letter without acting on it.
  Result<bool> discard_dead_letter(uint64_t dlq_id, const std::string& actor, const std::string& reason);

  // Before start(); fn on the engine thread for each market result settled
  // from a feed.
  void add_settled_observer(std::function<void(const SettledMarket&)> fn) { observers_.push_back(std::move(fn)); }
  // Before start(): settlement spans go to this tracer (one per market
  // result, one per bet in its own trace, linked to the market's).
  void set_tracer(Tracer* t) { tracer_ = t; }

  // Any thread: counts for the SLOs, alerts and the war room.
  struct Signals {
    uint64_t shadow_matched = 0, shadow_mismatched = 0, shadow_unchecked = 0;
    uint64_t corrections = 0;
    uint64_t results = 0;  // market results settled (new versions)
    int64_t dlq_depth = 0;
    uint64_t dlq_total = 0;
    int64_t last_lag_ms = -1;  // the latest settled market's lag
  };
  Signals signals() const;

  Engine& engine() { return engine_; }

 private:
  struct Origin {  // where a decision came from
    const Envelope& env;
    const FeedMessage& message;
    std::string source;  // "feed:<name>", "operator:<name>"
    bool replaying = false;
  };
  struct Held {  // a live result waiting for the confirmed one
    std::vector<SettledOutcome> outcomes;
    int64_t provider_ts_ms = 0;
  };
  // A market whose bets are being moved: the plan (valid while the
  // market's generation stands), how far it got, and what to report when
  // it is done.
  struct Run {
    std::vector<BetPostings> plan;
    size_t next = 0;
    uint64_t generation = UINT64_MAX;
    bool scheduled = false;  // a continuation is queued
    uint64_t moved = 0;
    bool report_lag = false;  // a feed's result: the lag SLI
    int64_t provider_ts_ms = 0;
    uint32_t version = 0;
    std::string source, reason;
    bool traced = false;
    Span span;  // the market's settlement span
  };

  SettleVerdict take_result(const Origin& o, const BetSettlement& bs, const MarketResult& r);
  SettleVerdict take_cancel(const Origin& o, const BetCancel& bc, uint64_t market_id);
  SettleVerdict take_settlement_rollback(const Origin& o, uint64_t market_id);
  SettleVerdict take_cancel_rollback(const Origin& o, const RollbackBetCancel& rb, uint64_t market_id);
  // Routes a message's markets to the take_* above (only `only_market`
  // when it is not 0); returns the last verdict.
  SettleVerdict dispatch(const Origin& o, uint64_t only_market);
  // The market and event check every results message starts with.
  std::optional<SettleVerdict> check_market(const Origin& o, uint64_t market_id);
  std::optional<SettleVerdict> check_outcomes(const Origin& o, const Market& m, const MarketResult& r);
  std::optional<SettleVerdict> shadow_check(const Origin& o, const Market& m, const BetSettlement& bs,
                                            const MarketResult& r);
  SettleVerdict dead_letter(const Origin& o, uint64_t market_id, DeadLetterReason why, std::string detail);
  void settle(uint64_t market_id, std::vector<SettledOutcome> outcomes, std::optional<Score> score, Certainty c,
              const std::string& source, const std::string& reason, int64_t provider_ts_ms, bool at_once);
  // Moves the market's bets to where its headers say: one batch now and
  // the rest in later tasks, or every batch now (at_once: start-up, an
  // operator's resettlement). Returns the bets moved now.
  uint64_t drive(uint64_t market_id, bool at_once = false);
  uint64_t commit_batch(uint64_t market_id, BetPostings& batch, const TraceContext* parent);
  void finish(uint64_t market_id);
  // A bet accepted into a market with a cancel over its placement time.
  void on_bet_accepted(uint64_t market_id);
  void count(const char* kind, SettleVerdict v);
  void dlq_changed();

  Engine& engine_;
  SettlePolicy policy_;
  Tracer* tracer_ = nullptr;
  std::map<uint64_t, Held> held_;  // market -> live result held
  std::map<uint64_t, Run> runs_;   // market -> bets being moved
  std::vector<std::function<void(const SettledMarket&)>> observers_;
  // Set while replaying a dead letter: why it failed again.
  std::optional<std::pair<DeadLetterReason, std::string>> replay_failure_;

  Family<Counter>* results_;         // settlement_results_total{kind,verdict}
  Family<Counter>* dead_letters_;    // settlement_dead_letters_total{reason}
  Gauge* dlq_depth_;                 // settlement_dlq_depth
  Family<Counter>* shadow_;          // settlement_shadow_checks_total{result}
  Family<Counter>* postings_;        // settlement_postings_total{kind}
  Family<Counter>* payouts_;         // settlement_payouts_minor_total{market_type}
  Histogram* lag_;                   // settlement_lag_seconds
  std::atomic<uint64_t> shadow_matched_{0}, shadow_mismatched_{0}, shadow_unchecked_{0}, corrections_{0},
      results_settled_{0}, dlq_total_{0};
  std::atomic<int64_t> dlq_depth_now_{0}, last_lag_ms_{-1};
};

}  // namespace inplay
