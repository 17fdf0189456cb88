// Settlement benchmark (issue 14, "Numbers"): the engine thread's cost of
// settling N open bets on one market once its result is in.
//
// Untimed set-up, per repetition: a BookState with one in-play event, one
// match-result market (3 selections), 5,000 funded accounts and N
// BetAccepted events applied (accounts round-robin, selections in turn),
// then the MarketSettled header (home won). Timed, as the engine thread
// does it (settle/settle_desk.cpp drive + commit_batch, engine/engine.cpp
// commit): SettlementBook::plan for the market, then for every BetPostings
// batch (8,192 bets) the copy commit_batch hands the engine,
// BookState::apply and the journal encoding (encode_event) of the record.
// Not timed: the journal write and fsync (another thread), the settle.bet
// spans (only when the market's settlement is traced), metrics counters and
// the engine's after-durable hand-over between batches.
//
//   build/settle_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <time.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/odds.h"
#include "engine/book_state.h"
#include "journal/events.h"

using namespace inplay;

namespace {

constexpr uint64_t kMarket = 101;
constexpr uint64_t kSelections[] = {1011, 1012, 1013};
constexpr int kAccounts = 5000;
constexpr int64_t kT0 = 1'800'000'000'000'000'000;

// This thread's CPU time: the engine's own time, apart from what the other
// engineers' builds take from the two cores (wall time is what is reported
// first; this is the figure that holds on a loaded machine).
double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::unique_ptr<BookState> open_book(int64_t n_bets) {
  auto s = std::make_unique<BookState>(Currency::of("GBP"), 3'600'000'000'000);
  s->book.add_event(Event{1, "football", "EPL", "Arsenal", "Chelsea", 0, EventState::kInPlay, {}});
  Market m;
  m.id = kMarket;
  m.event_id = 1;
  s->book.add_market(m);
  const char* names[] = {"home", "draw", "away"};
  for (int i = 0; i < 3; ++i) s->book.add_selection(Selection{kSelections[i], kMarket, names[i], {}});
  std::vector<std::string> accounts;
  for (int i = 0; i < kAccounts; ++i) {
    accounts.push_back(fmt::format("punter-{}", i));
    MoneyMoved d;
    d.account = accounts.back();
    d.amount = 1'000'000'000'000;
    d.at_ns = kT0;
    s->apply(d);
  }
  const int32_t odds[] = {21000, 34000, 36000};  // 2.10, 3.40, 3.60
  for (int64_t i = 0; i < n_bets; ++i) {
    BetAccepted b;
    b.bet_id = static_cast<uint64_t>(i + 1);
    b.account = accounts[i % kAccounts];
    b.selection_id = kSelections[i % 3];
    b.stake = 100 + i % 900;
    b.odds = b.odds_requested = odds[i % 3];
    b.placed_ns = kT0 + i * 1000;
    b.accepted_ns = b.placed_ns + 5;
    s->apply(b);
  }
  MarketSettled r;
  r.market_id = kMarket;
  r.version = 1;
  r.certainty = 2;
  for (uint64_t sid : kSelections) r.outcomes.push_back(SettledOutcome{sid, sid == kSelections[0], 0, 10000});
  r.source = "feed:bench";
  r.reason = "result";
  r.at_ns = kT0 + n_bets * 1000 + 1;
  s->apply(r);
  return s;
}

void BM_SettleMarket(benchmark::State& state) {
  const int64_t n = state.range(0);
  uint64_t settled = 0;
  double seconds = 0, cpu_seconds = 0;
  std::string scratch;
  for (auto _ : state) {
    std::unique_ptr<BookState> s = open_book(n);
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_s();
    std::vector<BetPostings> plan = s->settlement.plan(kMarket, s->bets, kT0 + n * 1000 + 2);
    for (BetPostings& p : plan) {
      BookEvent e{BetPostings(p)};  // commit_batch hands the engine a copy
      s->apply(e);
      scratch.clear();
      encode_event(e, scratch);
      benchmark::DoNotOptimize(scratch.data());
      settled += p.bets.size();
    }
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu_seconds += thread_cpu_s() - c0;
    state.SetIterationTime(dt);
    seconds += dt;
    if (s->open_bets != 0) state.SkipWithError("bets left open");
  }
  state.SetItemsProcessed(static_cast<int64_t>(settled));
  state.counters["bets_settled"] = static_cast<double>(settled);
  state.counters["bets_per_s"] = static_cast<double>(settled) / seconds;
  state.counters["ms_per_1M_bets"] = seconds * 1e3 * 1e6 / static_cast<double>(settled);
  state.counters["cpu_ms_per_1M_bets"] = cpu_seconds * 1e3 * 1e6 / static_cast<double>(settled);
}
BENCHMARK(BM_SettleMarket)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
