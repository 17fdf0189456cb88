#include "core/circuit_breaker.h"

namespace inplay {

const char* breaker_state_name(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half_open";
  }
  return "unknown";
}

bool CircuitBreaker::allow(int64_t now_ns) {
  std::lock_guard<std::mutex> lk(mu_);
  if (!open_) return true;
  if (now_ns < open_until_ns_ || trial_in_flight_) return false;
  trial_in_flight_ = true;  // half-open: this call is the trial
  return true;
}

bool CircuitBreaker::would_allow(int64_t now_ns) const {
  std::lock_guard<std::mutex> lk(mu_);
  return !open_ || (now_ns >= open_until_ns_ && !trial_in_flight_);
}

void CircuitBreaker::record_success() {
  std::lock_guard<std::mutex> lk(mu_);
  consecutive_ = 0;
  open_ = false;
  trial_in_flight_ = false;
}

void CircuitBreaker::record_failure(int64_t now_ns) {
  std::lock_guard<std::mutex> lk(mu_);
  ++consecutive_;
  if (open_ ? trial_in_flight_ : consecutive_ >= failures_) {
    if (!open_) ++opened_;
    open_ = true;
    open_until_ns_ = now_ns + open_ns_;
  }
  trial_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state(int64_t now_ns) const {
  std::lock_guard<std::mutex> lk(mu_);
  if (!open_) return State::kClosed;
  return now_ns < open_until_ns_ ? State::kOpen : State::kHalfOpen;
}

uint64_t CircuitBreaker::opened_total() const {
  std::lock_guard<std::mutex> lk(mu_);
  return opened_;
}

}  // namespace inplay
