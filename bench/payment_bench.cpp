// Payments benchmark (issue 16, "Numbers"): deposits through the payment
// desk and a PSP route's client to the simulated PSP over real HTTP on
// loopback, in one process: the engine with its journal (fsync none: the
// disk is not what is measured), the desks, a PspClient, a PspServer whose
// own latency is `latency_ms`.
//
//   BM_DepositsAtRate/<per_s>/<latency_ms>  deposits offered open loop at
//       per_s for 3 s; every one must be authorised (anything else fails
//       the run). Counters: done/s, p50 and p99 of submit-to-answer (ms),
//       psp_ms (the PSP's own latency), engine_us (engine-thread CPU per
//       deposit: the desk, the journal record, the reply) and process_us
//       (CPU of the whole process per deposit — engine, journal, client
//       workers AND the simulated PSP's server and callbacks: an upper
//       bound on the book's own cost).
//
//   build/payment_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "app/book_desks.h"
#include "app/psp_client.h"
#include "journal/journal.h"
#include "sim/psp_server.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"

using namespace inplay;

namespace {

int64_t process_cpu_ns() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000'000LL + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000LL;
}

void BM_DepositsAtRate(benchmark::State& st) {
  const int64_t per_s = st.range(0);
  const int64_t latency_ms = st.range(1);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("inplay-payment-bench-{}", ::getpid());
  std::filesystem::remove_all(dir);
  for (auto _ : st) {
    PspServer psp("psp-a", "bench-secret-0123456789abcdef0123", 1);
    psp.start();
    psp.apply(PspFaultPatch{.latency_ms = latency_ms});
    MetricsRegistry metrics;
    Tracer tracer(100000);
    SimClock clock{from_ns(1'800'000'000'000'000'000)};
    Journal::Options jo;
    jo.dir = dir;
    jo.fsync = FsyncPolicy::kNone;
    auto journal = Journal::open(jo);
    EngineConfig cfg;
    auto engine = std::make_unique<Engine>(cfg, clock, *journal, metrics);
    auto desks = std::make_unique<BookDesks>(*engine, tracer);
    PspRouteTerms terms;
    terms.name = "psp-a";
    terms.threads = 64;
    PspClient client(terms, psp.url(), metrics);
    client.start();
    desks->payments.set_routes({&client}, "psp-a", [](std::string_view) { return std::string("u_bench"); });
    journal->start();
    engine->start();
    constexpr int kAccounts = 100;
    for (int i = 0; i < kAccounts; ++i) {
      OpenAccount o;
      o.account = fmt::format("punter-{}", i);
      o.channel = "bench";
      o.actor = "bench";
      desks->wallet.submit(std::move(o));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    const int64_t n = per_s * 3;
    std::vector<int64_t> took(static_cast<size_t>(n), -1);
    std::atomic<int64_t> done{0}, bad{0};
    const int64_t cpu0 = process_cpu_ns(), eng0 = engine->thread_cpu_ns();
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < n; ++i) {
      std::this_thread::sleep_until(t0 + std::chrono::nanoseconds(i * 1'000'000'000 / per_s));
      RequestPayment r;
      r.idem_key = fmt::format("bench:{}", i);
      r.fingerprint[0] = 1;
      r.account = fmt::format("punter-{}", i % kAccounts);
      r.scope = AccountScope::of_channel("bench");
      r.user_mask = "u_bench";
      r.amount = 1000;
      r.currency = Currency::of("GBP");
      r.kind = TransferReason::kDeposit;
      const int64_t sent = monotonic_ns();
      Engine* e = engine.get();
      r.done = [&, i, sent, e](const Outcome& o) {
        const PaymentRef* p = std::get_if<PaymentRef>(&o);
        const Payment* pay = p ? e->state().payments.find(p->payment_id) : nullptr;
        if (!pay || pay->status != PaymentStatus::kAuthorised) bad.fetch_add(1);
        took[static_cast<size_t>(i)] = monotonic_ns() - sent;
        done.fetch_add(1);
      };
      if (!desks->payments.submit(std::move(r))) bad.fetch_add(1), done.fetch_add(1);
    }
    while (done.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int64_t cpu = process_cpu_ns() - cpu0, eng = engine->thread_cpu_ns() - eng0;
    engine->stop();
    journal->stop();
    client.stop();
    psp.stop();
    desks.reset();
    engine.reset();
    journal.reset();
    std::filesystem::remove_all(dir);
    if (bad.load()) {
      st.SkipWithError(fmt::format("{} of {} deposits were not authorised", bad.load(), n).c_str());
      return;
    }
    std::sort(took.begin(), took.end());
    st.counters["done_per_s"] = static_cast<double>(n) / secs;
    st.counters["p50_ms"] = static_cast<double>(took[static_cast<size_t>(n / 2)]) / 1e6;
    st.counters["p99_ms"] = static_cast<double>(took[static_cast<size_t>(n * 99 / 100)]) / 1e6;
    st.counters["psp_ms"] = static_cast<double>(latency_ms);
    st.counters["engine_us"] = static_cast<double>(eng) / 1e3 / static_cast<double>(n);
    st.counters["process_us"] = static_cast<double>(cpu) / 1e3 / static_cast<double>(n);
  }
}
BENCHMARK(BM_DepositsAtRate)->Args({1000, 5})->Args({1000, 50})->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
