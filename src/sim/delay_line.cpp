// DelayLine (contract in sim/delay_line.h): a timer thread moves tasks from
// `waiting` (by due time) to `ready` when they fall due; workers take
// `ready` in order. Only the timer thread waits with a timeout.
#include "sim/delay_line.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <queue>
#include <system_error>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace inplay {

namespace {

constexpr int64_t kMaxPollMs = 60'000;  // looks again at least this often

struct Item {
  int64_t due_ns;
  uint64_t n;
  DelayLine::Task task;
  bool operator>(const Item& o) const { return due_ns != o.due_ns ? due_ns > o.due_ns : n > o.n; }
};

}  // namespace

struct DelayLine::Impl {
  explicit Impl(AtShutdown a) : at_shutdown(a), wake_fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd < 0) throw std::system_error(errno, std::generic_category(), "delay line: eventfd");
  }
  ~Impl() { ::close(wake_fd); }

  const AtShutdown at_shutdown;
  const int wake_fd;
  std::mutex mu;
  std::condition_variable ready_cv;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> waiting;
  std::deque<Task> ready;
  uint64_t next = 0;
  bool stopping = false;
  std::thread timer;
  std::vector<std::thread> workers;

  void wake() {
    const uint64_t one = 1;
    // Fails only when the counter is full: the timer thread is woken anyway.
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }

  static Task take_top(std::priority_queue<Item, std::vector<Item>, std::greater<Item>>& q) {
    Task t = std::move(const_cast<Item&>(q.top()).task);
    q.pop();
    return t;
  }

  void run_timer() {
    std::unique_lock<std::mutex> lk(mu);
    while (!stopping) {
      const int64_t now = monotonic_ns();
      bool moved = false;
      while (!waiting.empty() && waiting.top().due_ns <= now) {
        ready.push_back(take_top(waiting));
        moved = true;
      }
      if (moved) ready_cv.notify_all();
      int timeout_ms = -1;
      if (!waiting.empty()) {
        const int64_t ms = (waiting.top().due_ns - now + 999'999) / 1'000'000;  // rounded up: never early
        timeout_ms = static_cast<int>(std::min(ms, kMaxPollMs));
      }
      lk.unlock();
      pollfd p{wake_fd, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) > 0) {
        uint64_t drained;
        [[maybe_unused]] auto n = ::read(wake_fd, &drained, sizeof drained);
      }
      lk.lock();
    }
  }

  void run_worker() {
    std::unique_lock<std::mutex> lk(mu);
    for (;;) {
      ready_cv.wait(lk, [&] { return stopping || !ready.empty(); });
      if (stopping) return;
      Task task = std::move(ready.front());
      ready.pop_front();
      lk.unlock();
      task();
      lk.lock();
    }
  }
};

DelayLine::DelayLine(int workers, AtShutdown at_shutdown) : impl_(std::make_unique<Impl>(at_shutdown)) {
  impl_->timer = std::thread([this] { impl_->run_timer(); });
  for (int i = 0; i < std::max(workers, 1); ++i) impl_->workers.emplace_back([this] { impl_->run_worker(); });
}

DelayLine::~DelayLine() { shutdown(); }

void DelayLine::add(std::chrono::nanoseconds after, Task task) {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lk(m.mu);
    if (!m.stopping) {
      if (after.count() <= 0) {
        m.ready.push_back(std::move(task));
        m.ready_cv.notify_one();
        return;
      }
      const int64_t due = monotonic_ns() + after.count();
      const bool sooner = m.waiting.empty() || due < m.waiting.top().due_ns;
      m.waiting.push(Item{due, m.next++, std::move(task)});
      if (sooner) m.wake();
      return;
    }
  }
  if (m.at_shutdown == AtShutdown::kRun) task();
}

void DelayLine::shutdown() {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lk(m.mu);
    if (m.stopping) return;
    m.stopping = true;
  }
  m.ready_cv.notify_all();
  m.wake();
  m.timer.join();
  for (auto& t : m.workers) t.join();
  m.workers.clear();
  std::vector<Task> left;
  {
    std::lock_guard<std::mutex> lk(m.mu);
    for (auto& t : m.ready) left.push_back(std::move(t));
    m.ready.clear();
    while (!m.waiting.empty()) left.push_back(Impl::take_top(m.waiting));
  }
  if (m.at_shutdown == AtShutdown::kRun)
    for (auto& task : left) task();
}

}  // namespace inplay
