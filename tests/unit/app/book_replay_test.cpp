// BookReplay (src/app/book_replay.h): --until parses a seq or an RFC 3339
// time and nothing else; a replay to seq N is the state after records
// 1..N; to a time, the records up to the first one stamped later; a seq
// past the end or a missing data dir is refused before anything is read.
// (The whole path against a live book: tests/integration/test_replay_until.py.)
#include "app/book_replay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/time_format.h"
#include "journal/events.h"
#include "journal/journal.h"

namespace inplay {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kT0 = 1'800'000'000'000'000'000;
const Config kNoWorld;  // no events: the journal below names none

TEST(ReplayStop, ASeqOrAnRfc3339TimeAndNothingElse) {
  EXPECT_EQ(parse_replay_stop("0")->seq, 0u);
  EXPECT_EQ(parse_replay_stop("1200")->seq, 1200u);
  EXPECT_FALSE(parse_replay_stop("1200")->time_ns);
  auto t = parse_replay_stop("2027-01-15T12:00:00.5+01:00");
  ASSERT_TRUE(t && t->time_ns);
  EXPECT_FALSE(t->seq);
  int64_t want = 0;
  ASSERT_TRUE(parse_rfc3339_ns("2027-01-15T11:00:00.500Z", want));
  EXPECT_EQ(*t->time_ns, want);
  for (const char* bad : {"", "12a", "-1", "+5", "yesterday", "2027-01-15 12:00", "2027-01-15T25:00:00Z",
                          "99999999999999999999999"})
    EXPECT_FALSE(parse_replay_stop(bad)) << bad;
}

struct Dir {
  fs::path path = fs::temp_directory_path() /
                  ("inplay-replay-" + std::to_string(::getpid()) + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  Dir() { fs::remove_all(path); }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

MoneyMoved deposit(const char* account, int64_t amount, int64_t at_ns) {
  MoneyMoved m;
  m.account = account;
  m.amount = amount;
  m.at_ns = at_ns;
  return m;
}

// Three deposits, the last a second after the first two.
std::vector<BookEvent> write_journal(const fs::path& data_dir) {
  std::vector<BookEvent> events{deposit("alice", 500, kT0), deposit("bob", 700, kT0),
                                deposit("alice", 100, kT0 + 1'000'000'000)};
  Journal::Options o;
  o.dir = data_dir / "journal";
  o.fsync = FsyncPolicy::kNone;
  auto j = Journal::open(o);
  j->start();
  std::string buf;
  for (const BookEvent& e : events) {
    buf.clear();
    encode_event(e, buf);
    j->append(static_cast<uint16_t>(event_type(e)), buf, {});
  }
  j->stop();
  return events;
}

std::string hash_after(const std::vector<BookEvent>& events, size_t n) {
  BookState s(Currency::of("GBP"), 3'600'000'000'000);
  for (size_t i = 0; i < n; ++i) s.apply(events[i]);
  return s.state_hash();
}

TEST(BookReplay, StopsAtASeqOrBeforeTheFirstRecordStampedLater) {
  Dir d;
  const std::vector<BookEvent> events = write_journal(d.path);
  for (uint64_t n = 0; n <= 3; ++n) {
    ReplayedBook r = replay_book(kNoWorld, d.path, ReplayStop{n, {}});
    EXPECT_EQ(r.seq, n);
    EXPECT_EQ(r.last_seq, 3u);
    EXPECT_EQ(r.state->events_applied, n);
    EXPECT_EQ(r.state->state_hash(), hash_after(events, n)) << n;
  }
  ReplayedBook at = replay_book(kNoWorld, d.path, ReplayStop{{}, kT0 + 999'999'999});
  EXPECT_EQ(at.seq, 2u);
  EXPECT_EQ(at.at_ns, kT0);
  EXPECT_EQ(at.state->state_hash(), hash_after(events, 2));
  EXPECT_EQ(replay_book(kNoWorld, d.path, ReplayStop{{}, kT0 - 1}).seq, 0u);
  EXPECT_EQ(replay_book(kNoWorld, d.path, ReplayStop{{}, kT0 + 1'000'000'000}).seq, 3u);
}

TEST(BookReplay, RefusesASeqPastTheEndAndAMissingDataDir) {
  Dir d;
  write_journal(d.path);
  EXPECT_THROW(replay_book(kNoWorld, d.path, ReplayStop{4, {}}), ReplayError);
  EXPECT_THROW(replay_book(kNoWorld, d.path / "nope", ReplayStop{1, {}}), ReplayError);
  fs::create_directories(d.path / "empty");
  EXPECT_THROW(replay_book(kNoWorld, d.path / "empty", ReplayStop{1, {}}), ReplayError);  // no journal
}

}  // namespace
}  // namespace inplay
