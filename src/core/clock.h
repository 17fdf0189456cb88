// Clock: the one source of "now" (ARCHITECTURE rule 2). Nothing outside
// src/core calls a system clock; every component takes a Clock&.
//
// RealClock reads the system clock. SimClock is set and advanced by its owner
// (tests, game days, `--clock sim`); reading it is thread-safe and lock-free.
// The engine fires its timers against whichever clock it was given.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>

namespace inplay {

using Nanos = std::chrono::nanoseconds;
// Nanoseconds since the Unix epoch.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Nanos>;
inline constexpr int64_t kNsPerSecond = 1'000'000'000;
inline constexpr int64_t kNsPerMs = 1'000'000;

inline int64_t to_ns(TimePoint t) { return t.time_since_epoch().count(); }
inline int64_t to_ms(TimePoint t) { return to_ns(t) / 1000000; }
inline TimePoint from_ns(int64_t ns) { return TimePoint(Nanos(ns)); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual bool simulated() const { return false; }
};

class RealClock final : public Clock {
 public:
  TimePoint now() const override;
};

class SimClock final : public Clock {
 public:
  explicit SimClock(TimePoint start) : ns_(to_ns(start)) {}
  TimePoint now() const override { return from_ns(ns_.load(std::memory_order_acquire)); }
  bool simulated() const override { return true; }
  // Moves time forward (never backwards; a smaller value is ignored).
  void set(TimePoint t);
  void advance(Nanos d) { set(now() + d); }

 private:
  std::atomic<int64_t> ns_;
};

// A process-wide monotonic reading for measuring elapsed CPU-side work
// (benchmarks, fsync timing). Not for business time.
int64_t monotonic_ns();

}  // namespace inplay
