#include "cli/thread_cpu.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace inplay {
namespace {

// A thread named "burner" that spins for ~200 ms of CPU shows up by name with
// at least a tick of its CPU, and the per-unit line divides by the units.
TEST(ThreadCpu, ANamedThreadThatSpinsIsReadByName) {
  ThreadCpu before = read_thread_cpu(getpid());
  std::thread t([] {
    pthread_setname_np(pthread_self(), "burner");
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    volatile uint64_t x = 0;
    while (std::chrono::steady_clock::now() < until) x = x + 1;
    // Stay alive to be read (a finished thread leaves /proc/PID/task).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  ThreadCpu after = read_thread_cpu(getpid());
  t.join();
  ASSERT_EQ(before.count("burner"), 0u);
  ASSERT_EQ(after.count("burner"), 1u);
  EXPECT_GE(after["burner"], 10'000'000);   // a tick at least, of ~200 ms spun
  EXPECT_LE(after["burner"], 1'000'000'000);

  ThreadCpu a{{"engine", 3'000'000}, {"http-io", 9'000'000}, {"idle", 5}};
  ThreadCpu b{{"engine", 1'000'000}, {"http-io", 1'000'000}, {"idle", 5}};
  EXPECT_EQ(format_cpu_per_unit(b, a, 1000), "total 10.00 us = http-io 8.00 + engine 2.00");
}

TEST(ThreadCpu, AProcessThatIsGoneReadsEmpty) {
  EXPECT_TRUE(read_thread_cpu(1 << 30).empty());
}

}  // namespace
}  // namespace inplay
