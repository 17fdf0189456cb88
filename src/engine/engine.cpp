#include "engine/engine.h"

#include <pthread.h>
#include <time.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "telemetry/log.h"
#include "telemetry/switch.h"

namespace inplay {

Engine::Engine(EngineConfig cfg, Clock& clock, Journal& journal, MetricsRegistry& metrics)
    : cfg_(std::move(cfg)),
      clock_(clock),
      journal_(journal),
      registry_(metrics),
      metrics_(metrics),
      state_(cfg_.currency, cfg_.idempotency_ttl.count()) {
  state_.reserve_bets(cfg_.reserve_bets);  // no rehash stall on the engine thread before then
  durable_seq_.store(journal_.last_seq());  // what is on disk at open is durable
  journal_.set_durable_listener([this](uint64_t seq) { on_durable(seq); });
  timers_.set_failure_handler([this](const std::exception& e) { failed("timer", e); });
}

Engine::~Engine() {
  stop();
  // A journal that outlives the engine (flushed at its own stop) must not
  // call into a destroyed engine.
  journal_.set_durable_listener({});
}

namespace {
thread_local const Engine* t_engine = nullptr;  // the engine whose thread this is
}

bool Engine::on_engine_thread() const {
  return t_engine == this || !running_.load(std::memory_order_acquire);
}

void engine_thread_violation(const char* method) {
  std::fprintf(stderr, "inplay: %s called off the engine thread (engine thread only)\n", method);
  std::abort();
}

uint64_t Engine::replay() {
  uint64_t n = 0;
  journal_.replay([&](const JournalRecord& rec) {
    try {
      state_.apply(decode_event(rec.type, rec.payload));
    } catch (const std::exception& e) {
      throw std::runtime_error(
          fmt::format("journal record seq {} cannot be applied: {}", rec.seq, e.what()));
    }
    ++n;
  });
  // A journal that reads its records at replay (Kafka: a standby's
  // following, a takeover) knows its last seq only now.
  durable_seq_.store(journal_.last_seq(), std::memory_order_release);
  metrics_.open_bets->set(state_.open_bets);
  metrics_.ledger_sum->set(state_.ledger.sum());
  return n;
}

void Engine::start() {
  std::lock_guard<std::mutex> g(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  running_.store(true, std::memory_order_release);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "engine");
    t_engine = this;
    run();
    t_engine = nullptr;
  });
}

void Engine::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  running_.store(false, std::memory_order_release);
}

bool Engine::submit(Task t, Failure on_failure) {
  int64_t now = monotonic_ns();
  bool wake;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (inbox_.size() >= cfg_.queue_capacity || stopping_ ||
        journal_.undurable_bytes() > cfg_.max_undurable_bytes) {
      if constexpr (kTelemetry) metrics_.shed->inc();
      return false;
    }
    inbox_.push_back(Job{std::move(t), std::move(on_failure), now});
    wake = waiting_;
  }
  if (wake) cv_.notify_one();
  return true;
}

int64_t Engine::thread_cpu_ns() const {
  if (!thread_.joinable()) return 0;
  clockid_t cid;
  if (pthread_getcpuclockid(const_cast<std::thread&>(thread_).native_handle(), &cid) != 0) return 0;
  timespec ts{};
  clock_gettime(cid, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

size_t Engine::queue_depth() const {
  std::lock_guard<std::mutex> g(mu_);
  return inbox_.size();
}

namespace {
constexpr size_t kMaxBatch = 256;
}

void Engine::failed(const char* where, const std::exception& e) {
  metrics_.failures(where).inc();
  log::error("engine", "engine work failed; its command is refused and the engine carries on",
             {{"where", where}, {"error", e.what()}});
}

void Engine::run() {
  std::vector<Job> batch;
  batch.reserve(1024);
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      if (inbox_.empty() && !stopping_ && !durable_pending_) {
        auto wait = std::chrono::milliseconds(100);
        std::optional<int64_t> due = clock_.simulated() ? std::nullopt : timers_.next_due();
        if (due) {
          int64_t due_in = std::max<int64_t>(0, *due - to_ns(clock_.now()));
          if (due_in < 100000000) wait = std::chrono::milliseconds(due_in / 1000000);
        }
        waiting_ = true;
        if (wait.count() > 0) cv_.wait_for(lk, wait);
        waiting_ = false;
      }
      durable_pending_ = false;
      if (inbox_.empty() && stopping_) break;
      // A bounded batch, so that timers (delays, price refreshes) and the
      // journal keep pace under a flood.
      if constexpr (kTelemetry) metrics_.queue_depth->set(static_cast<int64_t>(inbox_.size()));
      size_t take = std::min(inbox_.size(), kMaxBatch);
      for (size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(inbox_.front()));
        inbox_.pop_front();
      }
    }
    int64_t busy_start = monotonic_ns();
    run_tasks(batch, busy_start);
    if (!clock_.simulated()) timers_.fire_due(to_ns(clock_.now()));
    housekeeping();
    journal_.kick();  // one wake-up of the journal thread per batch
    run_completions();
    if constexpr (kTelemetry) metrics_.busy_ns->inc(static_cast<uint64_t>(monotonic_ns() - busy_start));
  }
  drain_completions();
  metrics_.queue_depth->set(0);
}

void Engine::run_tasks(std::vector<Job>& batch, int64_t busy_start) {
  for (Job& job : batch) {
    if constexpr (kTelemetry) metrics_.queue_lag->observe(busy_start - job.enqueued_ns);
    try {
      job.task();
    } catch (const std::exception& e) {
      failed("task", e);
      if (job.on_failure) {
        try {
          job.on_failure(e);
        } catch (const std::exception& again) {
          failed("refusal", again);
        }
      }
    }
  }
  batch.clear();
}

size_t Engine::step() {
  if (running_.load(std::memory_order_acquire)) engine_thread_violation("step (while the engine thread runs)");
  std::vector<Job> batch;
  {
    std::lock_guard<std::mutex> g(mu_);
    durable_pending_ = false;
    batch.reserve(inbox_.size());
    for (Job& job : inbox_) batch.push_back(std::move(job));
    inbox_.clear();
  }
  const size_t n = batch.size();
  run_tasks(batch, monotonic_ns());
  housekeeping();
  run_completions();
  return n;
}

void Engine::on_durable(uint64_t seq) {
  durable_seq_.store(seq, std::memory_order_release);
  bool wake;
  {
    std::lock_guard<std::mutex> g(mu_);
    durable_pending_ = true;
    wake = waiting_;
  }
  if (wake) cv_.notify_one();
}

void Engine::run_completions() {
  uint64_t durable = durable_seq_.load(std::memory_order_acquire);
  while (!awaiting_.empty() && awaiting_.front().first <= durable) {
    auto done = std::move(awaiting_.front().second);
    awaiting_.pop_front();
    try {
      done();
    } catch (const std::exception& e) {
      failed("after_durable", e);
    }
  }
}

void Engine::drain_completions() {
  // Every reply owed waits for its record; a journal that never syncs (not
  // started) cannot be waited for forever.
  int64_t deadline = monotonic_ns() + 5'000'000'000;
  while (!awaiting_.empty() && monotonic_ns() < deadline) {
    journal_.kick();
    run_completions();
    if (awaiting_.empty()) break;
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, std::chrono::milliseconds(10), [this] { return durable_pending_; });
    durable_pending_ = false;
  }
}

void Engine::housekeeping() {
  int64_t now = to_ns(clock_.now());
  if (now - last_housekeeping_ns_ < 1000000000) return;
  last_housekeeping_ns_ = now;
  for (auto& fn : housekeeping_) {
    try {
      fn(now);
    } catch (const std::exception& e) {
      failed("housekeeping", e);
    }
  }
}

void Engine::add_housekeeping(std::function<void(int64_t)> fn) {
  INPLAY_ASSERT_ENGINE_THREAD(*this);
  housekeeping_.push_back(std::move(fn));
}

TimerPtr Engine::create_timer(std::function<void()> fn) {
  INPLAY_ASSERT_ENGINE_THREAD(*this);
  return timers_.create(std::move(fn));
}

TimerPtr Engine::every(Nanos period, std::function<void()> fn) {
  INPLAY_ASSERT_ENGINE_THREAD(*this);
  return timers_.create_periodic(std::move(fn), to_ns(clock_.now()) + period.count(), period.count());
}

void Engine::advance(SimClock& clock, TimePoint t) {
  INPLAY_ASSERT_ENGINE_THREAD(*this);
  if (static_cast<Clock*>(&clock) != &clock_) engine_thread_violation("advance (on another engine's clock)");
  const int64_t target = to_ns(t);
  for (std::optional<int64_t> due = timers_.next_due(); due && *due <= target; due = timers_.next_due()) {
    clock.set(from_ns(*due));
    timers_.fire_due(*due);
  }
  clock.set(t);
}

uint64_t Engine::commit(BookEvent&& e, std::function<void()> on_durable) {
  INPLAY_ASSERT_ENGINE_THREAD(*this);
  state_.apply(e);
  scratch_.clear();
  encode_event(e, scratch_);
  uint64_t seq = journal_.append(static_cast<uint16_t>(event_type(e)), scratch_, {});
  if (on_durable) awaiting_.emplace_back(seq, std::move(on_durable));
  return seq;
}

void Engine::after_durable(std::function<void()> fn) {
  INPLAY_ASSERT_ENGINE_THREAD(*this);
  // After everything appended so far is durable (at once if it already is).
  awaiting_.emplace_back(journal_.last_seq(), std::move(fn));
}

}  // namespace inplay
