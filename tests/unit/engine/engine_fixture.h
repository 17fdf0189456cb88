// EngineTest: the engine (src/engine/engine.h) running the book's desks
// (app/book_desks.h) with a real Journal in a temp dir, a SimClock, metrics
// and a tracer, and the helpers the engine's tests share: deposits, prices
// and bets submitted as the API submits them, replies rendered as the API
// renders them (http/views.h), a task run on the engine thread, a flush.
#pragma once
#include "engine/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/book_desks.h"
#include "http/views.h"
#include "journal/journal.h"
#include "sim/sim_engine_cost.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"

namespace inplay {
namespace engine_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'800'000'000'000'000'000;
constexpr auto kWait = 5s;  // bound on every wait: a hang fails, never blocks

inline Odds odds(const char* s) {
  Odds o;
  EXPECT_TRUE(Odds::parse(s, o)) << s;
  return o;
}

// Collects outcomes, rendered as the API renders them, from the engine thread.
class Replies {
 public:
  OutcomeFn fn(Engine& engine) {
    return [this, &engine](const Outcome& o) {
      Reply r = render(o, engine.state());
      std::lock_guard<std::mutex> g(mu_);
      got_.push_back(std::move(r));
      cv_.notify_all();
    };
  }
  // Waits (bounded) for at least n replies.
  bool wait(size_t n) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, kWait, [&] { return got_.size() >= n; });
  }
  size_t count() {
    std::lock_guard<std::mutex> g(mu_);
    return got_.size();
  }
  Reply at(size_t i) {
    std::lock_guard<std::mutex> g(mu_);
    return got_.at(i);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Reply> got_;
};

// Event 1 (EPL, football): market 101 (1011, 1012, 1013).
// Event 2 (EPL, football): market 201 (2011, 2012).
inline void build(Book& book, Nanos staleness) {
  book.add_event(Event{1, "football", "EPL", "Arsenal", "Chelsea", 0, EventState::kPreMatch, {}});
  book.add_event(Event{2, "football", "EPL", "Liverpool", "Everton", 0, EventState::kPreMatch, {}});
  Market m;
  m.staleness_limit = staleness;
  m.id = 101;
  m.event_id = 1;
  book.add_market(m);
  m.id = 201;
  m.event_id = 2;
  book.add_market(m);
  for (uint64_t id : {1011, 1012, 1013}) book.add_selection(Selection{id, 101, "x", {}});
  for (uint64_t id : {2011, 2012}) book.add_selection(Selection{id, 201, "x", {}});
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir = fs::temp_directory_path() /
          ("inplay_engine_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(dir);
  }
  void TearDown() override {
    shutdown();
    desks.reset();
    engine.reset();
    journal.reset();
    fs::remove_all(dir);
  }

  void open() {
    Journal::Options jo;
    jo.dir = dir;
    jo.fsync = FsyncPolicy::kNone;
    journal = Journal::open(jo);
    engine = std::make_unique<Engine>(cfg, clock, *journal, metrics);
    desks = std::make_unique<BookDesks>(*engine, tracer);
    build(engine->state().book, staleness);
  }
  void start() {
    journal->start();
    engine->start();
  }
  void shutdown() {
    if (engine) engine->stop();
    if (journal) journal->stop();
  }

  // Runs f on the engine thread and returns its result (bounded wait).
  template <class F>
  auto on_engine(F f) -> decltype(f()) {
    using R = decltype(f());
    auto p = std::make_shared<std::promise<R>>();
    auto fut = p->get_future();
    bool queued = engine->submit([p, f]() mutable {
      if constexpr (std::is_void_v<R>) {
        f();
        p->set_value();
      } else {
        p->set_value(f());
      }
    });
    if (!queued) throw std::runtime_error("engine queue refused the task");
    if (fut.wait_for(kWait) != std::future_status::ready)
      throw std::runtime_error("engine task did not run in time");
    return fut.get();
  }

  // Returns once every reply of every command submitted before has been
  // released (the barrier completes after all earlier journal records).
  void flush() {
    auto p = std::make_shared<std::promise<void>>();
    auto fut = p->get_future();
    on_engine([&, p] { engine->after_durable([p] { p->set_value(); }); });
    ASSERT_EQ(fut.wait_for(kWait), std::future_status::ready);
  }

  void advance_to(Nanos since_t0) {
    on_engine([&] { engine->advance(clock, from_ns(kT0) + since_t0); });
  }

  void price(uint64_t sel, const char* o) {
    auto r = on_engine([&] { return desks->markets.apply_price(sel, odds(o), to_ms(engine->clock().now())).ok(); });
    ASSERT_TRUE(r);
  }

  // The channel the fixture's commands act for (SEC-1).
  static constexpr const char* kChannel = "test";
  static AccountScope scope_of(const std::string& account) {
    return AccountScope::of_channel(kChannel, is_synthetic_account(account));
  }

  // Opens the account for kChannel (a repeat changes nothing); the answer:
  // true opened, false already the channel's, or the error.
  Result<bool> open_account(const std::string& account, const std::string& channel = kChannel) {
    auto p = std::make_shared<std::promise<Result<bool>>>();
    auto fut = p->get_future();
    OpenAccount o;
    o.account = account;
    o.channel = channel;
    o.actor = "test";
    o.done = [p](const Result<bool>& r) { p->set_value(r); };
    if (!desks->wallet.submit(std::move(o))) throw std::runtime_error("engine queue refused the open");
    if (fut.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("open did not answer in time");
    return fut.get();
  }

  // Opens the account (if it is not yet) and deposits into it.
  void deposit(const std::string& account, int64_t amount) {
    ASSERT_TRUE(open_account(account).ok());
    Replies box;
    MoveMoney r;
    r.scope = scope_of(account);
    r.idem_key = "test:deposit:" + account + std::to_string(amount);
    r.account = account;
    r.user_mask = "masked";
    r.amount = amount;
    r.currency = Currency::of("GBP");
    r.reason = TransferReason::kDeposit;
    r.done = box.fn(*engine);
    ASSERT_TRUE(desks->wallet.submit(std::move(r)));
    ASSERT_TRUE(box.wait(1));
    ASSERT_EQ(box.at(0).status, 201) << box.at(0).body;
  }

  // Places a bet; the reply lands in `box`.
  bool place(Replies& box, const std::string& key, uint64_t sel, int64_t stake, const char* o,
             PriceChangePolicy policy = PriceChangePolicy::kNone, const std::string& account = "alice") {
    PlaceBet r;
    r.idem_key = "test:" + key;
    // The fingerprint stands for (method, path, body): derive it from the request.
    std::string body = account + "|" + std::to_string(sel) + "|" + std::to_string(stake) + "|" + o;
    for (size_t i = 0; i < body.size(); ++i) r.fingerprint[i % 16] ^= static_cast<uint8_t>(body[i] + i);
    r.account = account;
    r.scope = scope_of(account);
    r.user_mask = "masked";
    r.selection_id = sel;
    r.stake = stake;
    r.currency = Currency::of("GBP");
    r.odds = odds(o);
    r.policy = policy;
    r.gateway_start_ns = to_ns(clock.now());
    r.done = box.fn(*engine);
    return desks->bets.submit(std::move(r));
  }

  // Places a bet and waits for its reply.
  Reply bet(const std::string& key, uint64_t sel, int64_t stake, const char* o,
            PriceChangePolicy policy = PriceChangePolicy::kNone, const std::string& account = "alice") {
    Replies box;
    EXPECT_TRUE(place(box, key, sel, stake, o, policy, account));
    if (!box.wait(1)) {
      ADD_FAILURE() << "no reply to bet " << key;
      return Reply{0, ""};
    }
    return box.at(0);
  }

  static bool has(const Reply& r, const std::string& s) { return r.body.find(s) != std::string::npos; }

  fs::path dir;
  SimClock clock{from_ns(kT0)};
  MetricsRegistry metrics;
  Tracer tracer{10000};
  EngineConfig cfg;
  Nanos staleness{1500ms};
  // Destroyed in reverse order: the desks before the engine, the engine
  // before the journal it uses.
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<BookDesks> desks;
};

}  // namespace engine_test
}  // namespace inplay
