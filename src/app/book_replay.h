// BookReplay: a book's exact state at an instant of its past, rebuilt from
// its journal without writing anything (BEY-2, `inplay replay --until`).
//
// The state starts where a Runtime on the same config starts before it
// replays (app/runtime.cpp: fixtures placed against the data dir's kept
// anchor, build_book, an empty BookState of the engine's currency) and
// takes the journal's records in seq order through BookState::apply, the
// code the engine replays with at start-up, up to the stop:
//   seq N    records 1..N: the state the live book had when its
//            events_applied (GET /v1/admin/state) was N. N past the
//            journal's last record is an error; 0 is the empty book.
//   time T   records up to, not including, the first whose own time is
//            after T. Records have no common timestamp: each carries the
//            engine-clock time of its decision (journal/events.h
//            event_time_ns: accepted_ns, applied_ns or at_ns). The instant
//            reported is the newest time among the records taken.
// The journal is read with JournalReader (read-only; a torn tail is
// ignored, as the projections do). Caller's thread; the state is the caller's.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "app/config.h"
#include "engine/book_state.h"

namespace inplay {

// Where a replay stops: exactly one of the two.
struct ReplayStop {
  std::optional<uint64_t> seq;
  std::optional<int64_t> time_ns;
};
// "--until": a journal seq (decimal digits) or an RFC 3339 time
// ("2026-11-28T15:02:00Z", "...T15:02:00.250+01:00"). nullopt: neither.
std::optional<ReplayStop> parse_replay_stop(std::string_view s);

struct ReplayedBook {
  std::unique_ptr<BookState> state;
  uint64_t seq = 0;       // the last record applied (0: none)
  uint64_t last_seq = 0;  // the journal's last record
  int64_t at_ns = 0;      // the newest event time among the records applied (0: none)
};

// What stops a replay before it starts: no data dir or journal, a seq past
// the end, a real-clock book with relative fixtures and no kept anchor.
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// cfg: the book's config (its world); a default Config for a journal that
// names no event. Throws ReplayError, JournalCorrupt (journal/journal.h), or
// std::runtime_error naming the seq of a record that does not apply (a
// journal written under another config).
ReplayedBook replay_book(Config cfg, const std::filesystem::path& data_dir, const ReplayStop& stop);

}  // namespace inplay
