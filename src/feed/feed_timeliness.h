// FeedTimeliness: how late one feed's lines arrive (ODDS-2), on the
// provider's clock: a line's delay is the book time it was handed to the
// desk minus the provider timestamp it carries. Both clocks are NTP-synced
// (as UOF assumes), so nothing estimates an offset between them: an
// estimate would absorb a steady delay, and a feed that is late but steady
// must read as late. A timestamp from the future counts as no delay and is
// flagged as clock skew.
//
// Kept per second of book time over the last kWindowS seconds: the least
// and the worst delay of the lines of that second. "Late" is the least
// delay over the window (even its most punctual line was late: jitter does
// not make a feed late, a steady delay does); "fresh" is the worst delay
// over the window within a bound, with lines in it (every recent line on
// time), and fresh_since() says for how long that has held — the hold a
// switch back to the feed waits for. Single-threaded (the feed desk, on the
// engine thread).
#pragma once
#include <array>
#include <cstdint>
#include <optional>

namespace inplay {

class FeedTimeliness {
 public:
  static constexpr int64_t kWindowS = 5;

  // A parsed line, handed over at book time now_ns, stamped ts_ms.
  void on_line(int64_t now_ns, int64_t ts_ms);
  // Least / worst delay of the lines over the last kWindowS seconds;
  // nullopt when no line came.
  std::optional<int64_t> least_delay_ns(int64_t now_ns) const { return over_window(now_ns, false); }
  std::optional<int64_t> worst_delay_ns(int64_t now_ns) const { return over_window(now_ns, true); }

  // Once in a while (the desk's check): the feed is fresh while it is up
  // and every line of the window came within fresh_within_ns.
  void update(int64_t now_ns, bool up, int64_t fresh_within_ns);
  bool fresh() const { return fresh_since_ns_ != 0; }
  int64_t fresh_since_ns() const { return fresh_since_ns_; }  // 0: not fresh now

  uint64_t skewed_lines() const { return skewed_lines_; }
  int64_t last_skew_ns() const { return last_skew_ns_; }  // how far ahead the last one was

 private:
  struct Second {
    int64_t s = INT64_MIN;  // the book second it holds (s % kWindowS is its slot)
    int64_t least = 0, worst = 0;
  };
  std::optional<int64_t> over_window(int64_t now_ns, bool worst) const;
  std::array<Second, kWindowS> ring_{};
  int64_t fresh_since_ns_ = 0;
  uint64_t skewed_lines_ = 0;
  int64_t last_skew_ns_ = 0;
};

}  // namespace inplay
