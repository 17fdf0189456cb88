// DelayLine: runs tasks after a delay on its own threads, for the simulated
// services' late answers and callbacks, so that a delay never holds the
// thread that asked for it (an HTTP server's I/O thread).
//
// Contract: add() from any thread, never blocks on a task. A task runs once
// its delay has passed, on one of the line's worker threads, never under
// the line's lock, so it may add() again (a retry). With one worker, tasks
// run in due order (ties in the order added); with more, due tasks may run
// side by side. Due times are monotonic_ns() readings (core/clock.h), and
// the one timed wait is a relative poll() timeout: no absolute deadline is
// handed to the kernel, so the line keeps time under faketime even when the
// monotonic clock is faked too (a pthread_cond_clockwait deadline is not
// translated by libfaketime and would sleep for the whole offset).
// shutdown() (and the destructor) stops taking tasks, waits for running
// ones, then deals with what is still waiting as the line was told: kRun
// runs it at once, in due order (an answer that must still be given), kDrop
// drops it (a notification nobody is left to send). Once shut down, add()
// runs the task inline (kRun) or drops it (kDrop).
#pragma once
#include <chrono>
#include <functional>
#include <memory>

namespace inplay {

class DelayLine {
 public:
  enum class AtShutdown { kRun, kDrop };
  using Task = std::function<void()>;

  // Throws std::system_error if the wake-up descriptor cannot be made.
  DelayLine(int workers, AtShutdown at_shutdown);
  ~DelayLine();
  DelayLine(const DelayLine&) = delete;
  DelayLine& operator=(const DelayLine&) = delete;

  void add(std::chrono::nanoseconds after, Task task);
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inplay
