// Engine: the single writer (ARCHITECTURE rule 3), the LMAX processor and
// nothing else. One thread owns the BookState and runs the work handed to
// it in arrival order; other threads hand work over through a bounded inbox
// and never touch the state. What a hop does lives in its desk (bet/,
// wallet/, market/, feed/: docs/architecture.md), which the engine runs.
//
// Threads:
//  - any thread: submit() enqueues and returns at once; false means the
//    inbox is full, or the journal holds more than max_undurable_bytes it
//    cannot yet make durable, and the caller must shed (503).
//  - engine thread: runs tasks, fires timers on the injected Clock (the
//    in-play bet delay is a timer: no thread sleeps), and commits: applies a
//    decision's event to BookState and appends it to the Journal.
//  - journal thread: writes and syncs batches and tells the engine how far
//    the journal is durable (Journal::set_durable_listener).
//  - engine thread again: runs the after-durable work of each commit in seq
//    order (it sends the replies). Work that commits nothing
//    (after_durable: reads, repeats) waits for everything appended before
//    it, so nobody sees state before it is durable. It runs on the engine
//    thread so that what the engine allocated is freed there.
// Methods marked "engine thread" must only be called from tasks or timers;
// they check it (INPLAY_ASSERT_ENGINE_THREAD: aborts naming the method).
// Before start() and after stop() the calling thread is the engine thread.
// The engine calls Journal::kick() after each batch, so its journal may be
// opened with Options::wake_on_append = false.
//
// Failures: an exception thrown by a task, a timer, housekeeping or
// after-durable work never leaves the engine thread. It is logged (with
// where it happened), counted (engine_failures_total{where}), handed to the
// task's Failure (submit) so the command is refused rather than left
// unanswered, and the engine carries on with the next piece of work. A
// desk keeps the book whole by deciding before it commits: BookState::apply
// changes nothing when it throws (book_state.h).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "engine/book_state.h"
#include "engine/engine_config.h"
#include "engine/engine_metrics.h"
#include "engine/timer.h"
#include "journal/journal.h"

namespace inplay {

// Aborts with the method's name when an engine-thread-only method runs on
// another thread while the engine thread runs (Envoy's
// ASSERT(dispatcher.isThreadSafe()), LevelDB's AssertHeld).
[[noreturn]] void engine_thread_violation(const char* method);
#define INPLAY_ASSERT_ENGINE_THREAD(engine)                                       \
  do {                                                                            \
    if (!(engine).on_engine_thread()) ::inplay::engine_thread_violation(__func__); \
  } while (0)

class Engine {
 public:
  using Task = std::function<void()>;
  // Called on the engine thread when the task threw: refuse its command.
  using Failure = std::function<void(const std::exception&)>;

  Engine(EngineConfig cfg, Clock& clock, Journal& journal, MetricsRegistry& metrics);
  ~Engine();

  // Engine thread. The book structure (events, markets, selections) is
  // added before replay.
  BookState& state() {
    INPLAY_ASSERT_ENGINE_THREAD(*this);
    return state_;
  }
  const EngineConfig& config() const { return cfg_; }
  Clock& clock() { return clock_; }
  // The metric families of the engine and its desks. Any thread: the
  // series are atomic.
  EngineMetrics& metrics() { return metrics_; }
  // The registry the engine's families live in (desks add their own).
  MetricsRegistry& registry() { return registry_; }

  // Rebuilds state from the journal; throws on a record the book cannot
  // apply. Returns the number of records replayed. Before start().
  uint64_t replay();
  void start();
  void stop();  // drains the inbox, runs the after-durable work owed
  // Without an engine thread (before start(), after stop()): one pass of
  // the engine's loop on the caller's thread — the tasks in the inbox now,
  // in order, then housekeeping and the after-durable work the journal has
  // made due. Returns the tasks run. Timers fire only through advance().
  // The storage-fault simulation (tests/vopr) drives the engine this way,
  // with Journal::pump(), one deterministic step at a time.
  size_t step();

  // Any thread. false: the inbox is full (shed). on_failure (may be empty)
  // runs if the task throws.
  bool submit(Task t, Failure on_failure = {});
  size_t queue_depth() const;
  // CPU time the engine thread has used so far (benchmarks: CPU per bet).
  int64_t thread_cpu_ns() const;

  // Engine thread. Applies an event, appends it to the journal, and runs
  // on_durable once it is durable. Returns its seq.
  uint64_t commit(BookEvent&& e, std::function<void()> on_durable = {});
  // Engine thread. Runs fn once everything appended so far is durable (at
  // the next pass if it already is).
  void after_durable(std::function<void()> fn);
  // Engine thread: logs and counts a failure (engine_failures_total{where})
  // that the engine or a desk caught while handling a command.
  void failed(const char* where, const std::exception& e);
  // Engine thread. fn(now_ns) at most once a second of book time, after a
  // batch (desks' upkeep: idempotency expiry, gauges).
  void add_housekeeping(std::function<void(int64_t now_ns)> fn);

  // Engine thread. A timer (disabled until enabled) on the engine's clock;
  // the handle cancels it when destroyed, and must go before the engine.
  TimerPtr create_timer(std::function<void()> fn);
  // Engine thread. A timer that fires every period (first after one period).
  TimerPtr every(Nanos period, std::function<void()> fn);
  // Engine thread, simulated clock (the one this engine runs on): moves time
  // to t, firing every timer due on the way in order, each at its own time.
  void advance(SimClock& clock, TimePoint t);
  // True on the engine thread, and on any thread while the engine thread
  // does not run (before start(), after stop()).
  bool on_engine_thread() const;

 private:
  void run();
  void on_durable(uint64_t seq);  // journal thread
  void run_completions();         // engine thread: the after-durable work now due
  void drain_completions();       // engine thread, at stop
  void housekeeping();

  EngineConfig cfg_;
  // Before every member that may hold a timer: destroyed after them.
  TimerQueue timers_;
  Clock& clock_;
  Journal& journal_;
  MetricsRegistry& registry_;
  EngineMetrics metrics_;
  BookState state_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Job {
    Task task;
    Failure on_failure;
    int64_t enqueued_ns;  // monotonic
  };
  std::deque<Job> inbox_;
  // Runs the batch's tasks in order (a task that throws is refused) and
  // empties it.
  void run_tasks(std::vector<Job>& batch, int64_t busy_start);
  bool stopping_ = false;
  bool waiting_ = false;
  bool durable_pending_ = false;  // the journal advanced since the engine looked
  std::atomic<uint64_t> durable_seq_{0};
  // After-durable work waiting for its seq, in seq order.
  std::deque<std::pair<uint64_t, std::function<void()>>> awaiting_;
  std::thread thread_;
  std::atomic<bool> running_{false};  // the engine thread runs (on_engine_thread)

  int64_t last_housekeeping_ns_ = 0;
  std::vector<std::function<void(int64_t)>> housekeeping_;
  std::string scratch_;
};

}  // namespace inplay
