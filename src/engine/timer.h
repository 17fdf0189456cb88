// Timer: an owned, cancellable timer on the engine's clock (Envoy's
// Dispatcher::createTimer and TimerPtr are the model). Destroying the handle
// cancels the timer, so a callback never runs for something that is gone:
// nobody looks an id up and bails.
//
// TimerQueue keeps the timers of one engine: a slab of slots (stable
// addresses) and a heap of (due, seq) entries with lazy deletion — enabling
// again or disabling makes older entries stale, and stale entries are
// skipped when they reach the top. Timers fire in (due time, enable order);
// a periodic timer re-arms after its callback returns, at due + period (so
// timers its callback creates come first at the same instant).
//
// Engine thread only (the Engine asserts it). Every Timer must be destroyed
// before its queue: ~TimerQueue aborts if a handle is still alive. A
// callback that throws is reported to the failure handler (the engine logs
// it) and the queue goes on firing: a periodic timer keeps its period.
#pragma once
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "core/clock.h"

namespace inplay {

class TimerQueue;

class Timer {
 public:
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Arms (or re-arms) the timer to fire at t; a time already past fires at
  // the queue's next pass.
  void enable_at(TimePoint t);
  void disable();
  bool enabled() const;

 private:
  friend class TimerQueue;
  Timer(TimerQueue& queue, uint32_t slot) : queue_(queue), slot_(slot) {}
  TimerQueue& queue_;
  uint32_t slot_;
};
using TimerPtr = std::unique_ptr<Timer>;

class TimerQueue {
 public:
  TimerQueue() = default;
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;

  // A disabled timer that runs cb each time it fires.
  TimerPtr create(std::function<void()> cb);
  // A timer that fires every `period`, first at first_ns.
  TimerPtr create_periodic(std::function<void()> cb, int64_t first_ns, int64_t period_ns);
  // Due time of the earliest armed timer, if any.
  std::optional<int64_t> next_due();
  // Fires, in order, every timer due at or before now_ns (including those a
  // callback arms for a time already reached).
  void fire_due(int64_t now_ns);
  size_t live() const { return live_; }
  // Where a callback's exception goes (unset: rethrown).
  void set_failure_handler(std::function<void(const std::exception&)> fn) { on_failure_ = std::move(fn); }

 private:
  friend class Timer;
  struct Slot {
    std::function<void()> cb;
    int64_t due_ns = 0;
    int64_t period_ns = 0;  // 0: one-shot
    uint32_t generation = 0;
    bool armed = false;
    bool alive = false;
    bool firing = false;
  };
  struct Entry {
    int64_t due_ns;
    uint64_t seq;
    uint32_t slot;
    uint32_t generation;
    bool operator>(const Entry& o) const { return due_ns != o.due_ns ? due_ns > o.due_ns : seq > o.seq; }
  };
  uint32_t allocate(std::function<void()> cb);
  void arm(uint32_t slot, int64_t due_ns);
  void disarm(uint32_t slot);
  void release(uint32_t slot);  // the handle is gone
  bool stale(const Entry& e) const;

  std::deque<Slot> slots_;  // deque: a callback may create timers while it runs
  std::vector<uint32_t> free_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  uint64_t seq_ = 0;
  size_t live_ = 0;
  std::function<void(const std::exception&)> on_failure_;
};

}  // namespace inplay
