// A disk that fails under the journal (issue 18, finding 1): ENOSPC on a
// write, EIO on an fsync, a segment that cannot be created. The journal
// holds the batch unacknowledged, says it cannot write, tries again, and
// when the disk takes writes again makes every record durable exactly once
// and runs the completions in order — without a restart. Before, the first
// error aborted the process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flaky_disk.h"
#include "journal/journal.h"

namespace inplay {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class JournalOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir = fs::temp_directory_path() / ("inplay_journal_outage_" + std::to_string(::getpid()) + "_" +
                                       std::to_string(n++));
    fs::remove_all(dir);
  }
  void TearDown() override {
    if (journal) journal->stop();
    journal.reset();
    fs::remove_all(dir);
  }
  void open(uint64_t segment_bytes = 64ull << 20) {
    Journal::Options o;
    o.dir = dir;
    o.fsync = FsyncPolicy::kGroup;
    o.segment_bytes = segment_bytes;
    o.disk = &disk;
    o.on_health = [this](const JournalHealth& h) {
      std::lock_guard lk(mu);
      transitions.push_back(h.writable);
    };
    journal = Journal::open(o);
  }
  // Appends a record whose completion records its seq in `done`.
  uint64_t append(const std::string& payload) {
    return journal->append(1, payload, [this, p = payload] {
      std::lock_guard lk(mu);
      done.push_back(p);
    });
  }
  std::vector<std::string> completed() {
    std::lock_guard lk(mu);
    return done;
  }
  std::vector<std::string> on_disk() {
    std::vector<std::string> out;
    JournalReader(dir).read_from(0, [&](const JournalRecord& r) { out.emplace_back(r.payload); });
    return out;
  }
  // Polls (bounded) until cond holds.
  template <class F>
  bool eventually(F cond) {
    for (int i = 0; i < 500; ++i) {
      if (cond()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return cond();
  }

  fs::path dir;
  FlakyDisk disk;
  std::unique_ptr<Journal> journal;
  std::mutex mu;
  std::vector<std::string> done;
  std::vector<bool> transitions;
};

TEST_F(JournalOutageTest, NoSpaceHoldsTheBatchUnacknowledgedAndRecoversWhenSpaceReturns) {
  open();
  journal->start();
  append("a");
  ASSERT_TRUE(eventually([&] { return completed().size() == 1; }));

  disk.write_error = ENOSPC;
  disk.partial = 7;  // part of the batch reaches the file before ENOSPC
  append("b");
  journal->kick();
  ASSERT_TRUE(eventually([&] { return !journal->writable(); }));
  append("c");  // appended during the outage: joins the held batch
  journal->kick();
  ASSERT_TRUE(eventually([&] { return disk.failed >= 3; })) << "it keeps trying";
  EXPECT_EQ(completed(), (std::vector<std::string>{"a"})) << "nothing acknowledged while the disk refuses";
  JournalHealth h = journal->health();
  EXPECT_FALSE(h.writable);
  EXPECT_EQ(h.error, ENOSPC);
  EXPECT_EQ(h.op, "write");
  EXPECT_EQ(h.outages, 1u);
  EXPECT_GT(h.undurable_bytes, 0u);
  EXPECT_EQ(on_disk(), (std::vector<std::string>{"a"})) << "the partial write was cut back";

  disk.write_error = 0;  // space returns
  ASSERT_TRUE(eventually([&] { return completed().size() == 3; }));
  EXPECT_TRUE(journal->writable());
  EXPECT_EQ(completed(), (std::vector<std::string>{"a", "b", "c"})) << "in order, each once";
  EXPECT_EQ(journal->health().undurable_bytes, 0u);
  EXPECT_EQ(on_disk(), (std::vector<std::string>{"a", "b", "c"})) << "nothing lost, nothing written twice";
  std::lock_guard lk(mu);
  EXPECT_EQ(transitions, (std::vector<bool>{false, true}));
}

TEST_F(JournalOutageTest, AFailedFsyncIsNeverRetriedOverDroppedPagesTheBatchIsWrittenAgain) {
  open();
  journal->start();
  disk.sync_error = EIO;
  append("x");
  append("y");
  journal->kick();
  ASSERT_TRUE(eventually([&] { return !journal->writable(); }));
  EXPECT_EQ(journal->health().op, "fdatasync");
  EXPECT_TRUE(completed().empty());
  disk.sync_error = 0;
  ASSERT_TRUE(eventually([&] { return completed().size() == 2; }));
  EXPECT_EQ(on_disk(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(journal->last_seq(), 2u);
  EXPECT_EQ(journal->stats().last_durable_seq, 2u);
}

TEST_F(JournalOutageTest, ASegmentThatCannotBeCreatedIsCreatedOnTheNextAttempt) {
  open(/*segment_bytes=*/64);
  journal->start();
  append(std::string(100, 'p'));  // fills the first segment
  ASSERT_TRUE(eventually([&] { return completed().size() == 1; }));
  disk.create_error = ENOSPC;
  append("next");
  journal->kick();
  ASSERT_TRUE(eventually([&] { return !journal->writable(); }));
  EXPECT_EQ(journal->health().op, "create segment");
  disk.create_error = 0;
  ASSERT_TRUE(eventually([&] { return completed().size() == 2; }));
  EXPECT_EQ(on_disk(), (std::vector<std::string>{std::string(100, 'p'), "next"}));
}

TEST_F(JournalOutageTest, ARestartAfterAnOutageFindsEveryDurableRecordOnce) {
  open();
  journal->start();
  append("1");
  ASSERT_TRUE(eventually([&] { return completed().size() == 1; }));
  disk.write_error = ENOSPC;
  disk.partial = 30;
  append("2");
  journal->kick();
  ASSERT_TRUE(eventually([&] { return !journal->writable(); }));
  journal->stop();  // one last attempt fails: "2" was never acknowledged and is dropped
  journal.reset();
  disk.write_error = 0;
  open();
  EXPECT_EQ(journal->last_seq(), 1u);
  EXPECT_EQ(on_disk(), (std::vector<std::string>{"1"}));
  journal->start();
  append("3");
  ASSERT_TRUE(eventually([&] { return completed().size() == 2; }));
  EXPECT_EQ(on_disk(), (std::vector<std::string>{"1", "3"}));
}

TEST_F(JournalOutageTest, PumpDrivesAJournalWithoutItsThread) {
  open();
  append("a");
  EXPECT_TRUE(journal->pump());
  EXPECT_EQ(completed(), (std::vector<std::string>{"a"}));
  disk.write_error = EIO;
  append("b");
  EXPECT_FALSE(journal->pump());
  EXPECT_FALSE(journal->writable());
  disk.write_error = 0;
  append("c");
  EXPECT_TRUE(journal->pump());
  EXPECT_TRUE(journal->writable());
  EXPECT_EQ(completed(), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace inplay
