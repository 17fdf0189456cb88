// HedgeDesk: hedging, run on the engine (CO-4, second half). When a
// market's worst case — what the house loses if its worst selection wins,
// counting the hedges already asked for (hedge/hedge_book.h) — passes
// terms.threshold_minor, the desk instructs one hedge: back that selection
// at its current price on the venue for the stake that brings the worst
// case down to terms.target_minor (capped by max_stake_minor).
//
// The instruction is journaled (HedgeInstructed) and, once durable, handed
// to the hedging port (hedge/hedge_port.h), which never blocks: the venue
// may be slow, fail or be down and bets go on being decided. The venue's
// final word (filled / rejected) is journaled (HedgeAnswered); an answer we
// cannot trust (a timeout, a 5xx, a transport error, an answer lost on the
// way back) sends the same order again, under the same id, every
// terms.retry — so a venue that honours the id never backs twice — and at a
// restart every unanswered order is sent again (resume()). A market with an
// open hedge gets no second one; a rejected hedge holds its market back for
// terms.backoff.
//
// When: the decision observer marks a market whose bet was accepted, and a
// timer every terms.check_every looks at the marked markets (the bet is in
// the book by then; one look per market however many bets). Settled and
// closed markets are not hedged.
// Seen: hedge_* metrics, GET /v1/hedges, the war room's hedge column.
// Engine thread only, except where noted.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "engine/engine.h"
#include "hedge/hedge_port.h"
#include "hedge/hedge_terms.h"
#include "telemetry/metrics.h"

namespace inplay {

class HedgeDesk {
 public:
  HedgeDesk(Engine& engine, HedgeTerms terms);
  ~HedgeDesk();
  HedgeDesk(const HedgeDesk&) = delete;

  // Before start(): where orders go. Without a port, or with hedging off,
  // the desk instructs nothing.
  void set_port(HedgePort* port) { port_ = port; }
  bool active() const { return terms_.enabled && port_ != nullptr; }

  // Engine thread: a bet was accepted on the market (BookDesks wires the
  // placement desk's decisions here).
  void on_bet(uint64_t market_id);
  // Engine thread, once the engine runs: sends every unanswered order again
  // and starts the timers.
  void resume();
  // Engine thread: looks at the marked markets now (the timer's work).
  void check();

  // The venue as the desk has seen it (engine thread).
  struct VenueHealth {
    uint64_t sent = 0, filled = 0, rejected = 0, failed = 0;
    uint64_t consecutive_failures = 0;  // since the last answer we could trust
    std::string last_error;
    int64_t last_failure_ns = 0;
  };
  const VenueHealth& venue() const { return health_; }
  // Times an order was sent (0: not yet).
  int attempts(uint64_t hedge_id) const;
  const HedgeTerms& terms() const { return terms_; }

 private:
  struct Attempt {
    int sent = 0;
    bool in_flight = false;
    int64_t sent_ns = 0;  // book time of the last send
    int64_t next_ns = 0;  // when it may go again
  };
  void instruct(uint64_t market_id);
  void send(uint64_t hedge_id);
  void answered(const HedgeAnswer& a);
  void retry_due();

  Engine& engine_;
  const HedgeTerms terms_;
  HedgePort* port_ = nullptr;
  std::unordered_set<uint64_t> marked_;
  std::unordered_map<uint64_t, int64_t> held_until_;  // market -> book time, after a refusal
  std::unordered_map<uint64_t, Attempt> attempts_;    // open hedges
  VenueHealth health_;
  TimerPtr check_timer_;
  TimerPtr retry_timer_;
  // Answers arrive on the port's thread; once the desk is gone they are dropped.
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);

  Counter* instructed_;           // hedge_instructions_total
  Family<Counter>* answers_;      // hedge_answers_total{result}
  Counter* matched_;              // hedge_matched_stake_minor_total
  Gauge* open_;                   // hedge_open
  Histogram* round_trip_;         // hedge_venue_seconds
};

}  // namespace inplay
