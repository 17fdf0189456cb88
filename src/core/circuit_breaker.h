// CircuitBreaker: stops calling a partner that keeps failing (REL-2, WAL-6).
// Closed: calls go. `failures` failed calls in a row open it: for
// `open_ns` every allow() is false (callers fail fast or go elsewhere).
// Then it is half-open: one trial call may go; its success closes the
// breaker, its failure opens it again for another `open_ns`. Times are
// steady-clock ns passed in, so tests drive it without sleeping.
// Thread-safe.
#pragma once
#include <cstdint>
#include <mutex>

namespace inplay {

class CircuitBreaker {
 public:
  enum class State : uint8_t { kClosed = 0, kOpen = 1, kHalfOpen = 2 };
  CircuitBreaker(int failures, int64_t open_ns) : failures_(failures < 1 ? 1 : failures), open_ns_(open_ns) {}

  // Whether a call may go now (a half-open breaker lets one through).
  bool allow(int64_t now_ns);
  // Whether a call could go now, without taking the half-open trial.
  bool would_allow(int64_t now_ns) const;
  void record_success();
  void record_failure(int64_t now_ns);

  State state(int64_t now_ns) const;
  uint64_t opened_total() const;  // times it opened

 private:
  mutable std::mutex mu_;
  const int failures_;
  const int64_t open_ns_;
  int consecutive_ = 0;
  bool open_ = false;
  int64_t open_until_ns_ = 0;
  bool trial_in_flight_ = false;
  uint64_t opened_ = 0;
};

const char* breaker_state_name(CircuitBreaker::State s);  // "closed", "open", "half_open"

}  // namespace inplay
