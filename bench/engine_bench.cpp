// Engine benchmarks: bet placements per second through the single-writer
// engine alone (no network): the bench thread plays the HTTP threads,
// handing PlaceBetRequests over the bounded queue; the engine thread runs
// idempotency, risk, wallet reserve, applies and journals each decision.
// Journal on /dev/shm with fsync off (stated in docs/benchmarks.md).
//
//   build/engine_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <string_view>
#include <thread>

#include "app/book_desks.h"
#include "app/config.h"
#include "app/book_start.h"
#include "app/demo.h"
#include "app/runtime.h"
#include "core/siphash.h"
#include "engine/engine.h"
#include "http/views.h"
#include "journal/journal.h"
#include "feed/fixture_prices.h"
#include "telemetry/log.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"

using namespace inplay;

namespace {

struct Rig {
  static constexpr const char* kChannel = "bench";  // owns the rig's accounts
  std::filesystem::path dir;
  RealClock clock;
  MetricsRegistry metrics;
  Tracer tracer{200000};
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<BookDesks> desks;
  std::unique_ptr<FixturePrices> prices;
  std::vector<std::pair<uint64_t, Odds>> selections;
  std::vector<std::string> accounts;
  std::atomic<uint64_t> replies{0};

  Rig() {
    log::set_sink([](std::string_view) {});
    dir = fmt::format("/dev/shm/inplay-engine-bench-{}", getpid());
    std::filesystem::remove_all(dir);
    Config cfg = demo_config(DemoTokens{});
    place_fixtures(cfg, to_ms(clock.now()));
    cfg.engine.limits.max_stake_minor = 1'000'000'000;
    cfg.engine.limits.max_account_market_minor = INT64_MAX / 4;
    cfg.engine.limits.max_market_liability_minor = INT64_MAX / 4;
    cfg.engine.queue_capacity = 1 << 16;
    Journal::Options jo;
    jo.dir = dir / "journal";
    jo.fsync = FsyncPolicy::kNone;
    jo.wake_on_append = false;
    journal = Journal::open(jo);
    engine = std::make_unique<Engine>(cfg.engine, clock, *journal, metrics);
    desks = std::make_unique<BookDesks>(*engine, tracer);
    build_book(cfg, engine->state().book);
    std::vector<std::pair<uint64_t, Odds>> opening;
    for (auto& e : cfg.events)
      for (auto& m : e.markets)
        for (auto& s : m.selections) {
          opening.emplace_back(s.id, s.odds);
          if (e.state == EventState::kPreMatch) selections.emplace_back(s.id, s.odds);
        }
    prices = std::make_unique<FixturePrices>(desks->markets, opening, 0.0, 1);
    prices->open();
    prices->schedule(std::chrono::milliseconds(200));
    journal->start();
    engine->start();
    for (int i = 0; i < 1000; ++i) {
      accounts.push_back(fmt::format("bench-{}", i));
      OpenAccount o;  // a deposit needs an open account (SEC-1); taken first, in order
      o.account = accounts.back();
      o.channel = kChannel;
      desks->wallet.submit(std::move(o));
      MoveMoney r;
      r.idem_key = "fund:" + accounts.back();
      r.account = accounts.back();
      r.scope = AccountScope::of_channel(kChannel);
      r.amount = 1'000'000'000'000;
      r.currency = cfg.engine.currency;
      r.done = [this](const Outcome&) { replies.fetch_add(1); };
      desks->wallet.submit(std::move(r));
    }
    wait(1000);
  }
  ~Rig() {
    engine->stop();
    journal->stop();
    prices.reset();
    desks.reset();
    std::filesystem::remove_all(dir);
  }
  // Open bets, read on the engine thread (the state is its alone).
  size_t open_bets() {
    std::promise<size_t> p;
    auto f = p.get_future();
    while (!engine->submit([&] { p.set_value(engine->state().bets.size()); })) std::this_thread::yield();
    return f.get();
  }
  void wait(uint64_t n) {
    while (replies.load(std::memory_order_acquire) < n) std::this_thread::yield();
  }
  PlaceBet make(uint64_t n) {
    PlaceBet r;
    r.idem_key = fmt::format("bench:{}", n);
    r.fingerprint[0] = static_cast<uint8_t>(n);
    const auto& [sel, odds] = selections[n % selections.size()];
    r.account = accounts[(n / selections.size()) % accounts.size()];
    r.scope = AccountScope::of_channel(kChannel);
    r.user_mask = "u_bench";
    r.selection_id = sel;
    r.stake = 100;
    r.currency = Currency::of("GBP");
    r.odds = odds;
    r.policy = PriceChangePolicy::kAny;
    r.gateway = TraceContext{tracer.new_trace_id(), tracer.new_span_id(), 1};
    r.gateway_start_ns = to_ns(clock.now());
    // The reply is rendered as the API renders it (http/views.h): the
    // engine thread's work per bet is what it is behind HTTP.
    r.done = [this](const Outcome& o) {
      benchmark::DoNotOptimize(render(o, engine->state()));
      replies.fetch_add(1, std::memory_order_release);
    };
    return r;
  }
};

// CPU time (ns) of this process's threads named `name`, from their
// schedstat: the tracer's drain thread does the store work the engine hands
// over, so it is reported beside the engine thread's own.
int64_t threads_cpu_ns(std::string_view name) {
  int64_t total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string c;
    if (!std::getline(comm, c) || c != name) continue;
    std::ifstream stat(task.path() / "schedstat");
    int64_t ns = 0;
    if (stat >> ns) total += ns;
  }
  return total;
}

long rss_bytes() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

void BM_EnginePlaceBet(benchmark::State& state) {
  Rig rig;
  uint64_t n = 0, base = rig.replies.load();
  int64_t cpu0 = rig.engine->thread_cpu_ns();
  int64_t drain0 = threads_cpu_ns("trace-drain");
  for (auto _ : state) {
    // Queue full: back off as a shed client would, instead of spinning on the lock.
    while (!rig.desks->bets.submit(rig.make(n))) std::this_thread::sleep_for(std::chrono::microseconds(50));
    ++n;
  }
  rig.wait(base + n);
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["bets_per_s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  state.counters["accepted"] = static_cast<double>(rig.open_bets());
  // The engine thread's own CPU time per bet: what one core can do for the
  // decision loop, apart from the producer and journal threads it shares
  // the machine's two cores with.
  state.counters["engine_cpu_ns_per_bet"] =
      static_cast<double>(rig.engine->thread_cpu_ns() - cpu0) / static_cast<double>(n);
  // What the trace store costs, off the engine thread (0 with telemetry
  // compiled out: no bet spans reach it). The last few hundred bets' spans
  // may still be in the inbox: a rounding error over 500,000.
  state.counters["drain_cpu_ns_per_bet"] =
      static_cast<double>(threads_cpu_ns("trace-drain") - drain0) / static_cast<double>(n);
}
BENCHMARK(BM_EnginePlaceBet)->Iterations(500000)->UseRealTime()->Unit(benchmark::kNanosecond);

// Memory per open bet: RSS growth over 1,000,000 accepted bets, divided by
// the bets (includes the bet, its exposure share and its idempotency record
// with the stored response, which lives for the key's TTL).
void BM_MemoryPerOpenBet(benchmark::State& state) {
  for (auto _ : state) {
    Rig rig;
    uint64_t base = rig.replies.load();
    const uint64_t n = 1'000'000;
    long before = rss_bytes();
    for (uint64_t i = 0; i < n; ++i)
      while (!rig.desks->bets.submit(rig.make(i))) std::this_thread::sleep_for(std::chrono::microseconds(50));
    rig.wait(base + n);
    long after = rss_bytes();
    state.counters["bytes_per_open_bet"] = static_cast<double>(after - before) / n;
    state.counters["open_bets"] = static_cast<double>(rig.open_bets());
  }
}
// One repetition only: a second run in the same process reuses the freed heap
// and would show no RSS growth.
BENCHMARK(BM_MemoryPerOpenBet)->Iterations(1)->Repetitions(1)->Unit(benchmark::kMillisecond);

// What a key costs the idempotency store per hash, on the keys a book sees
// ("<caller>:<Idempotency-Key>": a short client key, a UUID): libstdc++'s
// unseeded std::hash (the first store), the keyed SipHash-1-3 that placed
// keys in the index while the store kept their text, and the 128-bit
// SipHash-2-4 digest that the store keeps now instead of the text (one per
// begin() and one per complete(): two per bet).
enum class KeyHash { kStd, kSip13, kSip24Wide };
void BM_IdempotencyKeyHash(benchmark::State& state, KeyHash kind, const char* key) {
  const SipKey k = SipKey::random();
  std::string buf(key);
  uint64_t h = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(buf.data());
    switch (kind) {
      case KeyHash::kStd: h ^= std::hash<std::string_view>{}(buf); break;
      case KeyHash::kSip13: h ^= siphash13(k, buf); break;
      case KeyHash::kSip24Wide: h ^= siphash24_128(k, buf).hi; break;
    }
  }
  benchmark::DoNotOptimize(h);
}
constexpr const char* kShortKey = "web:bettor-42-000017";
constexpr const char* kUuidKey = "web:2f1c7a9e-5b3d-4e8f-9a61-0c7d2b4e8f13";
BENCHMARK_CAPTURE(BM_IdempotencyKeyHash, std_short, KeyHash::kStd, kShortKey);
BENCHMARK_CAPTURE(BM_IdempotencyKeyHash, sip13_short, KeyHash::kSip13, kShortKey);
BENCHMARK_CAPTURE(BM_IdempotencyKeyHash, sip24_128_short, KeyHash::kSip24Wide, kShortKey);
BENCHMARK_CAPTURE(BM_IdempotencyKeyHash, std_uuid, KeyHash::kStd, kUuidKey);
BENCHMARK_CAPTURE(BM_IdempotencyKeyHash, sip13_uuid, KeyHash::kSip13, kUuidKey);
BENCHMARK_CAPTURE(BM_IdempotencyKeyHash, sip24_128_uuid, KeyHash::kSip24Wide, kUuidKey);

}  // namespace

BENCHMARK_MAIN();
