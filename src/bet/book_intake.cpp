#include "bet/book_intake.h"

#include <algorithm>

namespace inplay {

void BookIntake::remember(int64_t stake_minor) {
  recent_[next_] = stake_minor;
  next_ = (next_ + 1) % recent_.size();
  seen_ = std::min(seen_ + 1, recent_.size());
}

void BookIntake::refresh_median() {
  if (seen_ == 0) {
    median_ = 0;
    return;
  }
  std::array<int64_t, 255> copy = recent_;
  auto mid = copy.begin() + static_cast<std::ptrdiff_t>(seen_ / 2);
  std::nth_element(copy.begin(), mid, copy.begin() + static_cast<std::ptrdiff_t>(seen_));
  median_ = *mid;
}

bool BookIntake::admit(int64_t stake_minor, int64_t per_second, int64_t now_ns) {
  remember(stake_minor);
  if (per_second <= 0) {
    rate_ = 0;
    return true;
  }
  const int64_t s = now_ns / 1'000'000'000;
  if (s != second_ || rate_ == 0) {  // one nth_element a second, not one a bet
    second_ = s;
    refresh_median();
  }
  const double cap = std::max(1.0, static_cast<double>(per_second) / 4.0);
  if (rate_ != per_second) {  // a new limit starts with a full bucket
    rate_ = per_second;
    tokens_ = cap;
    last_ns_ = now_ns;
  }
  tokens_ = std::min(cap, tokens_ + static_cast<double>(now_ns - last_ns_) * static_cast<double>(per_second) / 1e9);
  last_ns_ = now_ns;
  const bool low = stake_minor < median_;
  const double need = low ? std::min(cap, 1.0 + cap / 2.0) : 1.0;
  if (tokens_ < need) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace inplay
