// AuthFailureWindow (contract in payment/auth_failure_window.h).
#include "payment/auth_failure_window.h"

namespace inplay {

namespace {
constexpr int64_t kWindowNs = 60'000'000'000;
constexpr uint64_t kFewestValid = 10;
}  // namespace

double AuthFailureWindow::observe(int64_t t_ns, uint64_t good_total, uint64_t valid_total) {
  samples_.push_back(Sample{t_ns, good_total, valid_total});
  while (samples_.size() > 1 && samples_.front().t_ns < t_ns - kWindowNs) samples_.pop_front();
  const uint64_t valid = valid_total - samples_.front().valid;
  const uint64_t good = good_total - samples_.front().good;
  return valid >= kFewestValid ? 1.0 - static_cast<double>(good) / static_cast<double>(valid) : 0.0;
}

}  // namespace inplay
