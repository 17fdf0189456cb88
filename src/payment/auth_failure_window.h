// AuthFailureWindow: one PSP route's authorisations that failed over the
// last minute — the signal psp_auth_failure_ratio (WAL-4: the psp playbooks
// switch routes on it).
//
// observe(t_ns, good_total, valid_total) takes the route's cumulative
// wallet_auth counts (PaymentDesk::RouteAuth: payments authorised of those
// that got a first final word or timed out) at t_ns of the book's clock (a
// game day's simulated minute is a minute). It keeps one sample a call, the
// oldest no older than 60 s (at least one), and returns 1 - good / valid
// over the counts since that oldest sample; 0 while fewer than 10 payments
// are valid in it (too few to judge a route by). Not thread-safe: one
// thread (the incident loop's tick, on the engine thread).
#pragma once
#include <cstdint>
#include <deque>

namespace inplay {

class AuthFailureWindow {
 public:
  double observe(int64_t t_ns, uint64_t good_total, uint64_t valid_total);

 private:
  struct Sample {
    int64_t t_ns;
    uint64_t good, valid;
  };
  std::deque<Sample> samples_;  // oldest first
};

}  // namespace inplay
