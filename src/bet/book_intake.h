// BookIntake: the whole book's intake limit (BET-5 shed load for a
// book-wide overload, BookState::book_intake_per_second), lowest-value
// traffic first. A token bucket refilled at the limit, holding a quarter of
// a second's worth (at least one bet): bets are admitted evenly through the
// second, never the first N of it in a burst that would queue on the engine
// anyway. Every offered stake is remembered (the last 255); a bet whose
// stake is below their median is "low value" and is admitted only while
// the bucket is more than half full, so when intake runs short the small
// bets are refused first and what is left goes to the others. Refused bets
// get 503 OVERLOADED with Retry-After (not journaled: the key may retry).
// Engine thread only.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace inplay {

class BookIntake {
 public:
  // per_second <= 0: no limit (the stake is still remembered).
  bool admit(int64_t stake_minor, int64_t per_second, int64_t now_ns);
  int64_t median_stake() const { return median_; }  // as of the current second

 private:
  void remember(int64_t stake_minor);
  void refresh_median();

  std::array<int64_t, 255> recent_{};
  std::size_t seen_ = 0;  // stakes remembered (capped at recent_.size())
  std::size_t next_ = 0;
  int64_t second_ = INT64_MIN;  // the median is refreshed once a second
  int64_t median_ = 0;
  int64_t rate_ = 0;      // the limit the bucket was filled for (0: none)
  double tokens_ = 0;
  int64_t last_ns_ = 0;
};

}  // namespace inplay
