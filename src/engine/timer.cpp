#include "engine/timer.h"

#include <cstdio>
#include <cstdlib>

namespace inplay {

Timer::~Timer() { queue_.release(slot_); }

void Timer::enable_at(TimePoint t) { queue_.arm(slot_, to_ns(t)); }

void Timer::disable() { queue_.disarm(slot_); }

bool Timer::enabled() const { return queue_.slots_[slot_].armed; }

TimerQueue::~TimerQueue() {
  if (live_ != 0) {
    std::fprintf(stderr, "inplay: %zu timer(s) outlive their engine (destroy every TimerPtr first)\n", live_);
    std::abort();
  }
}

uint32_t TimerQueue::allocate(std::function<void()> cb) {
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[i];
  s.cb = std::move(cb);
  s.alive = true;
  s.armed = false;
  s.period_ns = 0;
  ++live_;
  return i;
}

TimerPtr TimerQueue::create(std::function<void()> cb) { return TimerPtr(new Timer(*this, allocate(std::move(cb)))); }

TimerPtr TimerQueue::create_periodic(std::function<void()> cb, int64_t first_ns, int64_t period_ns) {
  uint32_t i = allocate(std::move(cb));
  slots_[i].period_ns = period_ns;
  arm(i, first_ns);
  return TimerPtr(new Timer(*this, i));
}

void TimerQueue::arm(uint32_t i, int64_t due_ns) {
  Slot& s = slots_[i];
  ++s.generation;  // an earlier entry of this slot is stale now
  s.due_ns = due_ns;
  s.armed = true;
  heap_.push(Entry{due_ns, seq_++, i, s.generation});
}

void TimerQueue::disarm(uint32_t i) {
  Slot& s = slots_[i];
  if (!s.armed) return;
  ++s.generation;
  s.armed = false;
}

void TimerQueue::release(uint32_t i) {
  Slot& s = slots_[i];
  ++s.generation;
  s.armed = false;
  s.alive = false;
  --live_;
  if (s.firing) return;  // its callback is running: freed when it returns
  s.cb = nullptr;
  free_.push_back(i);
}

bool TimerQueue::stale(const Entry& e) const { return slots_[e.slot].generation != e.generation; }

std::optional<int64_t> TimerQueue::next_due() {
  while (!heap_.empty() && stale(heap_.top())) heap_.pop();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due_ns;
}

void TimerQueue::fire_due(int64_t now_ns) {
  while (!heap_.empty() && heap_.top().due_ns <= now_ns) {
    const Entry e = heap_.top();
    heap_.pop();
    if (stale(e)) continue;
    Slot& s = slots_[e.slot];
    s.armed = false;
    s.firing = true;
    try {
      s.cb();  // may create, enable, disable or destroy timers, this one too
    } catch (const std::exception& ex) {
      if (!on_failure_) {
        slots_[e.slot].firing = false;
        throw;
      }
      on_failure_(ex);
    }
    Slot& after = slots_[e.slot];
    after.firing = false;
    if (!after.alive) {
      after.cb = nullptr;
      free_.push_back(e.slot);
    } else if (after.period_ns > 0 && after.generation == e.generation) {
      arm(e.slot, e.due_ns + after.period_ns);  // the callback left it alone: next period
    }
  }
}

}  // namespace inplay
