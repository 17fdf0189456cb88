#include "journal/journal.h"
#include "journal/disk_headroom.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace inplay {
namespace detail {
uint32_t crc32c_portable(const void* data, size_t n, uint32_t crc);
}

namespace {

namespace fs = std::filesystem;
constexpr size_t kHeader = 18;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("inplay_journal_" + std::to_string(::getpid()) + "_" + info->name() + "_" +
             std::to_string(counter++));
    fs::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Rec {
  uint64_t seq;
  uint16_t type;
  std::string payload;
  bool operator==(const Rec&) const = default;
};

Journal::Options opts_for(const fs::path& dir, FsyncPolicy p = FsyncPolicy::kNone,
                          uint64_t segment_bytes = 64ull << 20) {
  Journal::Options o;
  o.dir = dir;
  o.fsync = p;
  o.segment_bytes = segment_bytes;
  return o;
}

std::vector<Rec> replay_all(Journal& j) {
  std::vector<Rec> out;
  j.replay([&](const JournalRecord& r) { out.push_back({r.seq, r.type, std::string(r.payload)}); });
  return out;
}

std::vector<Rec> read_all(const fs::path& dir, uint64_t after = 0) {
  std::vector<Rec> out;
  JournalReader(dir).read_from(after, [&](const JournalRecord& r) {
    out.push_back({r.seq, r.type, std::string(r.payload)});
  });
  return out;
}

std::string payload_for(uint64_t i, size_t len) {
  std::string s(len, '\0');
  for (size_t k = 0; k < len; ++k) s[k] = static_cast<char>('a' + (i * 7 + k) % 26);
  return s;
}

// Appends n records of a fixed payload size as one batch (appended before
// start, so the segment layout is deterministic) and stops.
std::vector<Rec> write_records(const fs::path& dir, uint64_t n, size_t len,
                               FsyncPolicy p = FsyncPolicy::kNone,
                               uint64_t segment_bytes = 64ull << 20) {
  auto j = Journal::open(opts_for(dir, p, segment_bytes));
  std::vector<Rec> out;
  const uint64_t first = j->last_seq() + 1;
  for (uint64_t i = first; i < first + n; ++i) {
    Rec r{i, static_cast<uint16_t>(i % 5), payload_for(i, len)};
    EXPECT_EQ(j->append(r.type, r.payload, {}), i);
    out.push_back(std::move(r));
  }
  j->start();
  j->stop();
  return out;
}

// Waits until everything appended so far is durable.
void drain(Journal& j) {
  std::promise<void> p;
  auto f = p.get_future();
  j.barrier([&] { p.set_value(); });
  f.wait();
}

fs::path first_segment(const fs::path& dir) { return dir / "00000000000000000001.seg"; }

std::vector<fs::path> segments(const fs::path& dir) {
  std::vector<fs::path> v;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".seg") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

void write_at(const fs::path& file, uint64_t off, std::string_view bytes) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(off));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void append_bytes(const fs::path& file, std::string_view bytes) {
  std::ofstream f(file, std::ios::binary | std::ios::app);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// ---------------------------------------------------------------------------

TEST(Crc32c, StandardCheckValue) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(detail::crc32c_portable("123456789", 9, 0), 0xE3069283u);
  EXPECT_EQ(crc32c("", 0), 0u);
}

TEST(Crc32c, ExtendsAndMatchesPortable) {
  std::string s = payload_for(3, 1000);
  for (size_t cut : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    uint32_t a = crc32c(s.data(), cut);
    EXPECT_EQ(crc32c(s.data() + cut, s.size() - cut, a), crc32c(s.data(), s.size()));
  }
  for (size_t n = 0; n < 64; ++n)
    EXPECT_EQ(crc32c(s.data() + 1, n), detail::crc32c_portable(s.data() + 1, n, 0));
}

TEST(Journal, CorruptMessageFormat) {
  JournalCorrupt e("00000000000000000001.seg", 1234, "crc mismatch");
  EXPECT_STREQ(e.what(), "journal corrupt: 00000000000000000001.seg at offset 1234: crc mismatch");
}

TEST(Journal, AppendStopReopenReplay) {
  TempDir d;
  std::vector<Rec> want;
  {
    auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kGroup));
    EXPECT_EQ(j->last_seq(), 0u);
    j->start();
    for (uint64_t i = 1; i <= 1000; ++i) {
      Rec r{i, static_cast<uint16_t>(i * 31), payload_for(i, i % 97)};  // includes empty
      EXPECT_EQ(j->append(r.type, r.payload, {}), i);
      want.push_back(std::move(r));
    }
    j->stop();
    auto s = j->stats();
    EXPECT_EQ(s.records, 1000u);
    EXPECT_EQ(s.last_durable_seq, 1000u);
    EXPECT_GE(s.batches, 1u);
  }
  auto j = Journal::open(opts_for(d.path()));
  EXPECT_EQ(j->last_seq(), 1000u);
  EXPECT_EQ(j->stats().last_durable_seq, 1000u);
  EXPECT_EQ(replay_all(*j), want);
  EXPECT_EQ(read_all(d.path()), want);
}

TEST(Journal, AppendsBeforeStartAreBuffered) {
  TempDir d;
  auto j = Journal::open(opts_for(d.path()));
  int ran = 0;
  j->append(1, "early", [&] { ++ran; });
  EXPECT_EQ(ran, 0);
  j->start();
  drain(*j);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(read_all(d.path()).size(), 1u);
}

TEST(Journal, StopWithoutStartFlushes) {
  TempDir d;
  int ran = 0;
  {
    auto j = Journal::open(opts_for(d.path()));
    j->append(1, "x", [&] { ++ran; });
    j->barrier([&] { ++ran; });
    // destructor flushes
  }
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(read_all(d.path()).size(), 1u);
}

TEST(Journal, CompletionsRunInOrderAfterDurable) {
  TempDir d;
  auto o = opts_for(d.path(), FsyncPolicy::kGroup);
  std::atomic<int> batches{0};
  o.on_batch = [&](int64_t fsync_ns, size_t records, size_t bytes) {
    EXPECT_GE(fsync_ns, 0);
    EXPECT_GT(records, 0u);
    EXPECT_GE(bytes, records * kHeader);
    ++batches;
  };
  auto j = Journal::open(std::move(o));
  j->start();
  std::vector<uint64_t> seen;
  bool early = false;
  Journal* jp = j.get();
  for (uint64_t i = 1; i <= 500; ++i) {
    j->append(7, payload_for(i, 20), [&, i] {
      if (jp->stats().last_durable_seq < i) early = true;
      seen.push_back(i);
    });
  }
  j->stop();
  EXPECT_FALSE(early);
  ASSERT_EQ(seen.size(), 500u);
  for (uint64_t i = 0; i < 500; ++i) EXPECT_EQ(seen[i], i + 1);
  EXPECT_EQ(static_cast<uint64_t>(batches.load()), j->stats().batches);
}

// The engine clears its listener when destroyed, while the journal thread
// may be inside a call: the clear waits the call out, and no later batch
// calls the old listener (ASan found the engine called after its end).
TEST(Journal, AClearedDurableListenerIsNeverCalledAgain) {
  TempDir d;
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kGroup));
  std::atomic<bool> inside{false}, cleared{false}, late{false};
  std::atomic<int> calls{0};
  j->set_durable_listener([&](uint64_t) {
    inside = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a slow listener
    if (cleared) late = true;
    ++calls;
    inside = false;
  });
  j->start();
  j->append(7, payload_for(1, 20), {});
  j->kick();
  while (!inside) std::this_thread::yield();
  j->set_durable_listener({});
  cleared = true;
  EXPECT_FALSE(inside) << "cleared while the listener was still running";
  for (uint64_t i = 2; i <= 50; ++i) j->append(7, payload_for(i, 20), {});
  j->stop();
  EXPECT_FALSE(late);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(j->stats().last_durable_seq, 50u);
}

TEST(Journal, BarrierOrdering) {
  TempDir d;
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kGroup));
  std::vector<std::string> order;
  Journal* jp = j.get();
  uint64_t durable_at_barrier = 0;
  j->barrier([&] { order.push_back("b0"); });  // nothing pending, before start
  j->append(1, "a", [&] { order.push_back("a"); });
  j->append(1, "b", {});
  j->barrier([&] {
    order.push_back("b1");
    durable_at_barrier = jp->stats().last_durable_seq;
  });
  j->start();
  drain(*j);
  j->barrier([&] { order.push_back("b2"); });  // nothing pending, thread running
  j->append(1, "c", [&] { order.push_back("c"); });
  j->barrier([&] { order.push_back("b3"); });
  j->stop();
  EXPECT_EQ(order, (std::vector<std::string>{"b0", "a", "b1", "b2", "c", "b3"}));
  EXPECT_GE(durable_at_barrier, 2u);
}

TEST(Journal, SegmentRollingAndReopen) {
  TempDir d;
  const uint64_t seg_bytes = 300;
  std::vector<Rec> want;
  {
    auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kNone, seg_bytes));
    j->start();
    for (uint64_t i = 1; i <= 100; ++i) {
      Rec r{i, 2, payload_for(i, 30)};
      j->append(r.type, r.payload, {});
      want.push_back(std::move(r));
      if (i % 4 == 0) drain(*j);  // several batches, so several segments
    }
    j->stop();
  }
  auto segs = segments(d.path());
  ASSERT_GT(segs.size(), 5u);
  // Each file is named by its first record's seq and no record spans files.
  uint64_t next = 1;
  for (auto& p : segs) {
    EXPECT_EQ(p.filename().string().size(), 24u);
    EXPECT_EQ(std::stoull(p.stem().string()), next);
    EXPECT_EQ(fs::file_size(p) % (kHeader + 30), 0u);
    next += fs::file_size(p) / (kHeader + 30);
    EXPECT_LT(fs::file_size(p), seg_bytes + 4 * (kHeader + 30) + 1);
  }
  EXPECT_EQ(next, 101u);
  {
    auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kNone, seg_bytes));
    EXPECT_EQ(j->last_seq(), 100u);
    EXPECT_EQ(replay_all(*j), want);
    j->start();
    for (uint64_t i = 101; i <= 150; ++i) {
      Rec r{i, 3, payload_for(i, 30)};
      EXPECT_EQ(j->append(r.type, r.payload, {}), i);
      want.push_back(std::move(r));
      if (i % 5 == 0) drain(*j);
    }
  }
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kNone, seg_bytes));
  EXPECT_EQ(j->last_seq(), 150u);
  EXPECT_EQ(replay_all(*j), want);
  EXPECT_EQ(read_all(d.path()), want);
  auto tail = read_all(d.path(), 77);
  ASSERT_EQ(tail.size(), 73u);
  EXPECT_EQ(tail.front().seq, 78u);
  EXPECT_TRUE(read_all(d.path(), 150).empty());
  EXPECT_EQ(JournalReader(d.path()).read_from(150, {}), 150u);
}

TEST(Journal, TornTailCutMidPayload) {
  TempDir d;
  auto want = write_records(d.path(), 10, 40);
  const uint64_t rec = kHeader + 40;
  fs::resize_file(first_segment(d.path()), 9 * rec + kHeader + 13);
  {
    auto j = Journal::open(opts_for(d.path()));
    EXPECT_EQ(j->last_seq(), 9u);
    EXPECT_EQ(fs::file_size(first_segment(d.path())), 9 * rec);
    want.pop_back();
    EXPECT_EQ(replay_all(*j), want);
    j->start();
    EXPECT_EQ(j->append(9, "after", {}), 10u);
    want.push_back({10, 9, "after"});
  }
  auto j = Journal::open(opts_for(d.path()));
  EXPECT_EQ(j->last_seq(), 10u);
  EXPECT_EQ(replay_all(*j), want);
}

TEST(Journal, TornTailCutMidHeader) {
  TempDir d;
  auto want = write_records(d.path(), 5, 40);
  const uint64_t rec = kHeader + 40;
  fs::resize_file(first_segment(d.path()), 4 * rec + 7);
  auto j = Journal::open(opts_for(d.path()));
  EXPECT_EQ(j->last_seq(), 4u);
  EXPECT_EQ(fs::file_size(first_segment(d.path())), 4 * rec);
}

TEST(Journal, TornTailHalfRecordThenZeros) {
  TempDir d;
  auto want = write_records(d.path(), 6, 40);
  const uint64_t rec = kHeader + 40;
  const auto seg = first_segment(d.path());
  // The last record's header and half its payload made it, then zeros (a
  // crash after the file grew but before the data pages were written).
  fs::resize_file(seg, 5 * rec + kHeader + 20);
  append_bytes(seg, std::string(100, '\0'));
  {
    auto j = Journal::open(opts_for(d.path()));
    EXPECT_EQ(j->last_seq(), 5u);
    EXPECT_EQ(fs::file_size(seg), 5 * rec);
    j->start();
    EXPECT_EQ(j->append(1, "next", {}), 6u);
  }
  auto got = read_all(d.path());
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got.back(), (Rec{6, 1, "next"}));
}

TEST(Journal, TornTailZerosOnlyAfterCompleteRecords) {
  TempDir d;
  write_records(d.path(), 3, 10);
  const auto seg = first_segment(d.path());
  append_bytes(seg, std::string(4096, '\0'));  // preallocated / zero-filled tail
  auto j = Journal::open(opts_for(d.path()));
  EXPECT_EQ(j->last_seq(), 3u);
  EXPECT_EQ(fs::file_size(seg), 3 * (kHeader + 10));
}

TEST(Journal, TornTailInLastSegmentOnly) {
  TempDir d;
  write_records(d.path(), 40, 30, FsyncPolicy::kNone, 100);  // one batch, one segment
  write_records(d.path(), 10, 30, FsyncPolicy::kNone, 100);  // rolls: second segment
  auto segs = segments(d.path());
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[1].filename().string(), "00000000000000000041.seg");
  fs::resize_file(segs[1], fs::file_size(segs[1]) - 3);
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kNone, 100));
  EXPECT_EQ(j->last_seq(), 49u);
}

TEST(Journal, CorruptPayloadInMiddleThrows) {
  TempDir d;
  write_records(d.path(), 10, 40);
  const uint64_t rec = kHeader + 40;
  const auto seg = first_segment(d.path());
  write_at(seg, 2 * rec + kHeader + 5, "\xff");  // payload of seq 3
  const auto size_before = fs::file_size(seg);
  try {
    Journal::open(opts_for(d.path()));
    FAIL() << "expected JournalCorrupt";
  } catch (const JournalCorrupt& e) {
    EXPECT_EQ(e.segment, "00000000000000000001.seg");
    EXPECT_EQ(e.offset, 2 * rec);
    EXPECT_EQ(e.reason, "crc mismatch");
    EXPECT_EQ(std::string(e.what()),
              "journal corrupt: 00000000000000000001.seg at offset " + std::to_string(2 * rec) +
                  ": crc mismatch");
  }
  EXPECT_EQ(fs::file_size(seg), size_before);  // never "repaired"
  EXPECT_THROW(read_all(d.path()), JournalCorrupt);
}

TEST(Journal, BadLastRecordFollowedByGarbageThrows) {
  TempDir d;
  write_records(d.path(), 4, 40);
  const uint64_t rec = kHeader + 40;
  const auto seg = first_segment(d.path());
  write_at(seg, 3 * rec + kHeader + 1, "\x01");
  append_bytes(seg, "junk");
  try {
    Journal::open(opts_for(d.path()));
    FAIL();
  } catch (const JournalCorrupt& e) {
    EXPECT_EQ(e.offset, 3 * rec);
  }
}

TEST(Journal, DamagedLengthInLastSegmentThrows) {
  TempDir d;
  write_records(d.path(), 10, 40);
  const uint64_t rec = kHeader + 40;
  // seq 4's length now runs past EOF; valid records follow, so it is not torn.
  write_at(first_segment(d.path()), 3 * rec + 3, "\x10");
  try {
    Journal::open(opts_for(d.path()));
    FAIL();
  } catch (const JournalCorrupt& e) {
    EXPECT_EQ(e.offset, 3 * rec);
  }
}

// One flipped bit in a length (46 -> 110) makes seq 3 claim the rest of the
// file exactly: its CRC fails and nothing follows it, which once read as a
// torn tail and cut seqs 3 and 4, acknowledged, without a word. A valid
// record with the next seq inside its claimed span means the length is
// damaged (found by the storage-fault simulation, tests/vopr).
TEST(Journal, DamagedLengthReachingEofInLastSegmentThrows) {
  TempDir d;
  write_records(d.path(), 4, 46);
  const uint64_t rec = kHeader + 46;  // 64: 2^6
  write_at(first_segment(d.path()), 2 * rec, "\x6e");
  try {
    Journal::open(opts_for(d.path()));
    FAIL() << "expected JournalCorrupt";
  } catch (const JournalCorrupt& e) {
    EXPECT_EQ(e.offset, 2 * rec);
    EXPECT_EQ(e.reason, "crc mismatch");
  }
  EXPECT_THROW(read_all(d.path()), JournalCorrupt);
}

TEST(Journal, TruncatedNonLastSegmentThrows) {
  TempDir d;
  write_records(d.path(), 20, 30, FsyncPolicy::kNone, 100);
  write_records(d.path(), 5, 30, FsyncPolicy::kNone, 100);
  auto segs = segments(d.path());
  ASSERT_EQ(segs.size(), 2u);
  fs::resize_file(segs[0], fs::file_size(segs[0]) - 5);
  try {
    Journal::open(opts_for(d.path()));
    FAIL();
  } catch (const JournalCorrupt& e) {
    EXPECT_EQ(e.segment, "00000000000000000001.seg");
    EXPECT_EQ(e.offset, 19u * (kHeader + 30));
  }
}

TEST(Journal, MissingSegmentIsSeqGap) {
  TempDir d;
  for (int k = 0; k < 3; ++k) write_records(d.path(), 5, 30, FsyncPolicy::kNone, 10);
  auto segs = segments(d.path());
  ASSERT_EQ(segs.size(), 3u);
  fs::remove(segs[1]);
  try {
    Journal::open(opts_for(d.path()));
    FAIL();
  } catch (const JournalCorrupt& e) {
    EXPECT_EQ(e.segment, "00000000000000000011.seg");
    EXPECT_EQ(e.offset, 0u);
  }
}

TEST(JournalReader, ReadsFromSeqAndToleratesTornTail) {
  TempDir d;
  auto want = write_records(d.path(), 30, 25);
  const auto seg = first_segment(d.path());
  fs::resize_file(seg, fs::file_size(seg) - 10);
  const auto size = fs::file_size(seg);
  std::vector<Rec> got;
  uint64_t last = JournalReader(d.path()).read_from(20, [&](const JournalRecord& r) {
    got.push_back({r.seq, r.type, std::string(r.payload)});
  });
  EXPECT_EQ(last, 29u);
  EXPECT_EQ(got, std::vector<Rec>(want.begin() + 20, want.end() - 1));
  EXPECT_EQ(fs::file_size(seg), size);  // the reader never writes
  EXPECT_EQ(JournalReader(d.path() / "missing").read_from(5, {}), 5u);
}

TEST(JournalReader, FollowsLiveWriter) {
  TempDir d;
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kNone, 4096));
  j->start();
  constexpr uint64_t kN = 50000;
  std::atomic<bool> done{false};
  std::thread engine([&] {
    for (uint64_t i = 1; i <= kN; ++i) j->append(1, payload_for(i, i % 50), {});
    drain(*j);
    done = true;
  });
  JournalReader reader(d.path());
  uint64_t last = 0;
  bool ordered = true, intact = true;
  auto on_record = [&](const JournalRecord& r) {
    if (r.seq != last + 1) ordered = false;
    if (r.payload != payload_for(r.seq, r.seq % 50)) intact = false;
    last = r.seq;
  };
  while (!done.load()) last = reader.read_from(last, on_record);
  last = reader.read_from(last, on_record);
  engine.join();
  j->stop();
  EXPECT_TRUE(ordered);
  EXPECT_TRUE(intact);
  EXPECT_EQ(last, kN);
}

// Collects what one read_from call delivers.
struct Collect {
  std::vector<Rec> got;
  std::function<void(const JournalRecord&)> fn() {
    return [this](const JournalRecord& r) {
      got.push_back({r.seq, r.type, std::string(r.payload)});
    };
  }
};

std::string file_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(JournalReader, CursorDeliversExactlyNewRecordsAcrossAppendsAndRolls) {
  TempDir d;
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kNone, 600));
  j->start();
  JournalReader reader(d.path());
  EXPECT_EQ(reader.read_from(0, {}), 0u);  // no segment yet
  std::vector<Rec> all;
  uint64_t last = 0, next = 1;
  for (int round = 0; round < 120; ++round) {
    std::vector<Rec> want;
    for (int k = 0; k < round % 4; ++k, ++next) {  // 0..3 records per round
      Rec r{next, static_cast<uint16_t>(next % 7), payload_for(next, next % 41)};
      ASSERT_EQ(j->append(r.type, r.payload, {}), next);
      want.push_back(r);
      all.push_back(std::move(r));
    }
    drain(*j);
    Collect c;
    last = reader.read_from(last, c.fn());
    ASSERT_EQ(c.got, want) << "round " << round;
    ASSERT_EQ(last, next - 1);
  }
  j->stop();
  EXPECT_GT(segments(d.path()).size(), 10u);
  // A repeat of an older position (before the cursor) rescans and still works.
  Collect again;
  EXPECT_EQ(reader.read_from(50, again.fn()), next - 1);
  EXPECT_EQ(again.got, std::vector<Rec>(all.begin() + 50, all.end()));
  // A jump ahead of the cursor delivers only what is past it.
  Collect ahead;
  EXPECT_EQ(reader.read_from(next - 3, ahead.fn()), next - 1);
  EXPECT_EQ(ahead.got, std::vector<Rec>(all.end() - 2, all.end()));
  // A fresh reader from 0 sees everything.
  EXPECT_EQ(read_all(d.path()), all);
}

TEST(JournalReader, CursorResumesWithoutRereadingScannedRecords) {
  TempDir d;
  const uint64_t rec = kHeader + 40;
  auto want = write_records(d.path(), 15, 40);
  const auto seg = first_segment(d.path());
  const std::string whole = file_bytes(seg);
  fs::resize_file(seg, 10 * rec);
  JournalReader reader(d.path());
  EXPECT_EQ(reader.read_from(0, {}), 10u);
  // Damage seq 3, already scanned: a resumed call does not read it again...
  write_at(seg, 2 * rec + kHeader + 1, "\xff");
  append_bytes(seg, whole.substr(10 * rec));
  Collect c;
  EXPECT_EQ(reader.read_from(10, c.fn()), 15u);
  EXPECT_EQ(c.got, std::vector<Rec>(want.begin() + 10, want.end()));
  EXPECT_EQ(reader.read_from(15, {}), 15u);
  // ...while a full scan (fresh reader, or a position before the cursor) does.
  EXPECT_THROW(read_all(d.path(), 10), JournalCorrupt);
  EXPECT_THROW(reader.read_from(9, {}), JournalCorrupt);
}

TEST(JournalReader, CursorReportsCorruptionPastItAtFileOffset) {
  TempDir d;
  const uint64_t rec = kHeader + 40;
  auto want = write_records(d.path(), 16, 40);
  const auto seg = first_segment(d.path());
  std::string whole = file_bytes(seg);
  fs::resize_file(seg, 10 * rec);
  JournalReader reader(d.path());
  EXPECT_EQ(reader.read_from(0, {}), 10u);
  whole[13 * rec + kHeader + 2] ^= 0x55;  // payload of seq 14; 15 and 16 follow
  append_bytes(seg, whole.substr(10 * rec));
  Collect c;
  try {
    reader.read_from(10, c.fn());
    FAIL() << "expected JournalCorrupt";
  } catch (const JournalCorrupt& e) {
    EXPECT_EQ(e.segment, "00000000000000000001.seg");
    EXPECT_EQ(e.offset, 13 * rec);
    EXPECT_EQ(e.reason, "crc mismatch");
  }
  EXPECT_EQ(c.got, std::vector<Rec>(want.begin() + 10, want.begin() + 13));
  // Not skipped on a retry from the last record taken.
  EXPECT_THROW(reader.read_from(13, {}), JournalCorrupt);
}

TEST(JournalReader, CursorStopsBeforeTornTailThenDeliversIt) {
  TempDir d;
  auto want = write_records(d.path(), 10, 40);
  const auto seg = first_segment(d.path());
  const std::string whole = file_bytes(seg);
  const uint64_t rec = kHeader + 40;
  // A writer caught mid-record: 7 records and part of the 8th on disk.
  fs::resize_file(seg, 7 * rec + kHeader + 11);
  JournalReader reader(d.path());
  Collect a;
  EXPECT_EQ(reader.read_from(0, a.fn()), 7u);
  EXPECT_EQ(a.got, std::vector<Rec>(want.begin(), want.begin() + 7));
  EXPECT_EQ(reader.read_from(7, {}), 7u);  // still torn: nothing new
  // Only the header of the 8th... then the rest of it and two more.
  append_bytes(seg, whole.substr(7 * rec + kHeader + 11, 5));
  EXPECT_EQ(reader.read_from(7, {}), 7u);
  append_bytes(seg, whole.substr(7 * rec + kHeader + 16));
  Collect b;
  EXPECT_EQ(reader.read_from(7, b.fn()), 10u);
  EXPECT_EQ(b.got, std::vector<Rec>(want.begin() + 7, want.end()));
}

TEST(JournalReader, CursorSurvivesTruncationBelowIt) {
  TempDir d;
  const uint64_t rec = kHeader + 40;
  write_records(d.path(), 10, 40);
  JournalReader reader(d.path());
  EXPECT_EQ(reader.read_from(0, {}), 10u);
  // Cut back below the cursor (as if records 6..10 had been a torn tail).
  fs::resize_file(first_segment(d.path()), 5 * rec);
  EXPECT_EQ(reader.read_from(10, {}), 10u);  // shorter than the cursor: full scan
  // The writer continues at seq 6 with different records.
  auto more = write_records(d.path(), 7, 25);  // seqs 6..12
  Collect c;
  EXPECT_EQ(reader.read_from(10, c.fn()), 12u);
  EXPECT_EQ(c.got, std::vector<Rec>(more.end() - 2, more.end()));

  // Cut back and rewritten past the cursor before the reader looks again: the
  // cursor's offset is now inside another record; the reader must notice.
  fs::resize_file(first_segment(d.path()), 5 * rec);
  auto longer = write_records(d.path(), 12, 61);  // seqs 6..17
  Collect e;
  EXPECT_EQ(reader.read_from(12, e.fn()), 17u);
  EXPECT_EQ(e.got, std::vector<Rec>(longer.end() - 5, longer.end()));
  EXPECT_EQ(reader.read_from(17, {}), 17u);
}

TEST(JournalReader, CursorSegmentReplacedOrGone) {
  TempDir d;
  write_records(d.path(), 10, 40);
  JournalReader reader(d.path());
  EXPECT_EQ(reader.read_from(0, {}), 10u);
  fs::remove_all(d.path());
  EXPECT_EQ(reader.read_from(10, {}), 10u);  // gone
  auto fresh = write_records(d.path(), 14, 33);
  Collect c;
  EXPECT_EQ(reader.read_from(10, c.fn()), 14u);
  EXPECT_EQ(c.got, std::vector<Rec>(fresh.begin() + 10, fresh.end()));
  Collect all;
  EXPECT_EQ(reader.read_from(0, all.fn()), 14u);
  EXPECT_EQ(all.got, fresh);
}

TEST(Journal, ConcurrentAppendsWithCompletions) {
  TempDir d;
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kGroup, 1 << 20));
  j->start();
  constexpr uint64_t kN = 100000;
  std::atomic<uint64_t> completed{0};
  std::atomic<bool> in_order{true};
  std::thread engine([&] {
    for (uint64_t i = 1; i <= kN; ++i) {
      uint64_t seq = j->append(4, payload_for(i, 32), [&, i] {
        // Completions run on the journal thread only; a plain check suffices.
        if (completed.load(std::memory_order_relaxed) + 1 != i) in_order = false;
        completed.store(i, std::memory_order_relaxed);
      });
      if (seq != i) in_order = false;
    }
  });
  engine.join();
  j->stop();
  EXPECT_TRUE(in_order.load());
  EXPECT_EQ(completed.load(), kN);
  auto s = j->stats();
  EXPECT_EQ(s.records, kN);
  EXPECT_EQ(s.last_durable_seq, kN);
  EXPECT_EQ(s.bytes, kN * (kHeader + 32));
  EXPECT_LT(s.batches, kN);  // group commit happened
  std::printf("[   info   ] 100k appends, kGroup: %llu batches\n",
              static_cast<unsigned long long>(s.batches));
}

TEST(Journal, AppendThroughputNoFsync) {
  TempDir d;
  auto j = Journal::open(opts_for(d.path(), FsyncPolicy::kNone));
  j->start();
  constexpr uint64_t kN = 1000000;
  const std::string payload = payload_for(1, 64);
  uint64_t completed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < kN; ++i) j->append(1, payload, [&completed] { ++completed; });
  const auto t1 = std::chrono::steady_clock::now();
  j->stop();
  const auto t2 = std::chrono::steady_clock::now();
  EXPECT_EQ(completed, kN);
  const double append_s = std::chrono::duration<double>(t1 - t0).count();
  const double total_s = std::chrono::duration<double>(t2 - t0).count();
  std::printf("[   info   ] 1M x 64B appends, kNone: %.2f M appends/s on the engine thread, "
              "%.2f M records/s durable end to end, %llu batches\n",
              kN / append_s / 1e6, kN / total_s / 1e6,
              static_cast<unsigned long long>(j->stats().batches));
}

}  // namespace
}  // namespace inplay

// The disk alert's ratio is df's Use%: used / (used + free to a writer).
// Blocks reserved for root are neither, so a filesystem that reserves most
// of itself is not "85 % full" at 59 % (seen on this machine kind:
// 270 GB, 58 GB used, 40 GB available to a writer).
TEST(DiskHeadroom, UsedRatioIsDfsUsePercent) {
  EXPECT_NEAR(inplay::disk_used_ratio(57'600'000'000, 40'200'000'000), 0.589, 0.001);
  EXPECT_DOUBLE_EQ(inplay::disk_used_ratio(0, 100), 0.0);
  EXPECT_DOUBLE_EQ(inplay::disk_used_ratio(100, 0), 1.0);
  inplay::DiskHeadroom h(std::filesystem::temp_directory_path(), 0);
  EXPECT_DOUBLE_EQ(h.used_ratio(), 0.0);  // not read yet
  ASSERT_TRUE(h.refresh());
  EXPECT_GT(h.used_ratio(), 0.0);
  EXPECT_LE(h.used_ratio(), 1.0);
  EXPECT_NEAR(h.used_ratio(), inplay::disk_used_ratio(h.used_bytes(), h.free_bytes()), 1e-12);
}
