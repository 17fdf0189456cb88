// QueueDelayGate: CoDel-style admission for bets (issue 18, item 2; Nichols
// and Jacobson's "Controlling Queue Delay", applied to requests). It watches
// each bet's sojourn — from when the HTTP thread read it to when the engine
// took it — and judges the queue by its *minimum* delay over an interval,
// not its length: a burst that drains is fine, a standing queue is not.
//
//  - not dropping: a sojourn at or above `target` starts the clock; one
//    below it stops it. Once sojourn has stayed above target for a whole
//    `interval`, the gate enters dropping.
//  - dropping: the HTTP edge refuses every new bet at once (503 OVERLOADED,
//    Retry-After) so the queue drains. The gate leaves dropping at the first
//    sojourn under target, or when no bet was taken for a whole interval
//    (the queue held no old bets: nothing is waiting behind the refusals).
//
// Unlike packet CoDel it drops all arrivals while dropping rather than a
// growing share: a bet refused at the edge costs microseconds and the client
// retries after Retry-After, while one admitted into a standing queue will
// be answered too late to be worth anything.
//
// Threads: observe() and tick() on the engine thread (times on the book's
// clock); dropping() from any thread (an atomic read at the HTTP edge).
#pragma once
#include <atomic>
#include <cstdint>

namespace inplay {

class QueueDelayGate {
 public:
  // target_ns <= 0: the gate never drops.
  QueueDelayGate(int64_t target_ns, int64_t interval_ns) : target_(target_ns), interval_(interval_ns) {}

  // Engine thread: a bet read at the edge `sojourn_ns` ago was taken at now_ns.
  void observe(int64_t sojourn_ns, int64_t now_ns);
  // Engine thread, every interval or so: leaves dropping once no bet was
  // taken for a whole interval.
  void tick(int64_t now_ns);
  // Any thread.
  bool dropping() const { return dropping_.load(std::memory_order_relaxed); }
  // Engine thread: times the gate entered dropping so far.
  uint64_t entered() const { return entered_; }
  int64_t interval_ns() const { return interval_; }

 private:
  void leave();

  const int64_t target_;
  const int64_t interval_;
  int64_t above_since_ = -1;  // first sojourn above target of the current run; -1: none
  int64_t last_taken_ = -1;   // when the last bet was taken
  uint64_t entered_ = 0;
  std::atomic<bool> dropping_{false};
};

}  // namespace inplay
