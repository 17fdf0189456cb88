// DelayLine (sim/delay_line.h): tasks run after their delay in due order on
// one worker, may add again from a task, and at shutdown what still waits
// is run (kRun) or dropped (kDrop). Waits poll; nothing asserts speed.
#include "sim/delay_line.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "sim_test_util.h"

namespace inplay {
namespace {

using namespace std::chrono_literals;

using sim_test::eventually;

struct Log {
  std::mutex mu;
  std::string s;
  void add(char c) {
    std::lock_guard<std::mutex> lk(mu);
    s += c;
  }
  std::string get() {
    std::lock_guard<std::mutex> lk(mu);
    return s;
  }
};

TEST(DelayLine, RunsTasksInDueOrderAfterTheirDelay) {
  Log log;
  DelayLine line(1, DelayLine::AtShutdown::kDrop);
  const int64_t start = monotonic_ns();
  int64_t c_ran = 0;
  line.add(60ms, [&] {
    c_ran = monotonic_ns();
    log.add('c');
  });
  line.add(30ms, [&] { log.add('b'); });
  line.add(30ms, [&] { log.add('B'); });  // a tie: in the order added
  line.add(0ms, [&] { log.add('a'); });
  ASSERT_TRUE(eventually([&] { return log.get().size() == 4; }));
  EXPECT_EQ(log.get(), "abBc");
  EXPECT_GE(c_ran - start, 60'000'000);  // never early
}

TEST(DelayLine, ATaskMayAddAgain) {
  std::atomic<int> runs{0};
  DelayLine line(2, DelayLine::AtShutdown::kDrop);
  std::function<void()> again = [&] {
    if (++runs < 3) line.add(10ms, again);
  };
  line.add(10ms, again);
  EXPECT_TRUE(eventually([&] { return runs.load() == 3; }));
}

TEST(DelayLine, AtShutdownWhatWaitsIsRunOrDropped) {
  Log log;
  {
    DelayLine answers(1, DelayLine::AtShutdown::kRun);
    answers.add(10min, [&] { log.add('y'); });
    answers.add(5min, [&] { log.add('x'); });
    answers.shutdown();
    EXPECT_EQ(log.get(), "xy");  // released at once, in due order
    answers.add(10min, [&] { log.add('z'); });  // shut: runs inline
    EXPECT_EQ(log.get(), "xyz");
  }
  {
    DelayLine notices(2, DelayLine::AtShutdown::kDrop);
    notices.add(10min, [&] { log.add('n'); });
  }
  EXPECT_EQ(log.get(), "xyz");
}

}  // namespace
}  // namespace inplay
