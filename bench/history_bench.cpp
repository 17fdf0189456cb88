// History projection benchmark (issue 20 item 3, "Numbers"): journal records
// projected per second into each history store, SQLite and PostgreSQL, from
// one journal on disk.
//
// Untimed set-up, once: a journal (fsync none) of 1,000 deposits and then
// bets from those accounts, 50,000 records in all. Timed, per iteration: a
// HistoryProjection on an emptied store catching up the whole journal in
// batches of 10,000 records (one transaction each, as the runtime does),
// audit rows included (a bet: the bet, two legs, an audit entry), reading
// the journal included. records_per_s is the figure to compare.
//
// PostgreSQL runs only with INPLAY_BENCH_PG_DSN set (a database the bench
// may drop and create its tables in), e.g. a server started as in TOOLING.md:
//   INPLAY_BENCH_PG_DSN="host=127.0.0.1 port=5433 user=postgres dbname=postgres" \
//     build/history_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "journal/events.h"
#include "journal/journal.h"
#include "projection/history_projection.h"
#include "projection/postgres_history.h"
#include "projection/sqlite_history.h"

using namespace inplay;
namespace fs = std::filesystem;

namespace {

constexpr int kAccounts = 1000;
constexpr int kRecords = 50000;
constexpr int64_t kT0 = 1'800'000'000'000'000'000;

const fs::path& bench_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("inplay_history_bench_" + std::to_string(::getpid()));
  return dir;
}

uint64_t append(Journal& j, const BookEvent& e) {
  std::string payload;
  encode_event(e, payload);
  return j.append(static_cast<uint16_t>(event_type(e)), payload, {});
}

// The journal, written once per process.
const fs::path& journal_dir() {
  static const fs::path dir = [] {
    fs::path d = bench_dir() / "journal";
    fs::remove_all(d);
    Journal::Options o;
    o.dir = d;
    o.fsync = FsyncPolicy::kNone;
    auto j = Journal::open(o);
    j->start();
    for (int a = 0; a < kAccounts; ++a)
      append(*j, MoneyMoved{"acct-" + std::to_string(a), 1'000'000, TransferReason::kDeposit, kT0, {},
                            IdemTag{"d" + std::to_string(a), {}}});
    for (int i = kAccounts; i < kRecords; ++i) {
      BetAccepted b;
      b.bet_id = static_cast<uint64_t>(i);
      b.account = "acct-" + std::to_string(i % kAccounts);
      b.selection_id = 1011 + i % 3;
      b.stake = 100 + i % 50;
      b.odds = 25000;
      b.odds_requested = 25000;
      b.placed_ns = b.accepted_ns = kT0 + i;
      b.idem = IdemTag{"b" + std::to_string(i), {}};
      append(*j, b);
    }
    j->stop();
    return d;
  }();
  return dir;
}

void run(benchmark::State& state, const std::function<std::unique_ptr<HistoryStore>()>& fresh_store) {
  const fs::path& journal = journal_dir();
  for (auto _ : state) {
    state.PauseTiming();
    auto store = fresh_store();
    state.ResumeTiming();
    ProjectionOptions o;
    o.audit_mask = [](std::string_view a) { return "u_" + std::string(a); };  // audit rows, as the runtime writes
    HistoryProjection p(std::move(store), journal, "EUR", o);
    if (p.catch_up() != kRecords) state.SkipWithError("not every record projected");
  }
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(kRecords) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

void BM_HistorySqlite(benchmark::State& state) {
  const fs::path db = bench_dir() / "book.sqlite";
  run(state, [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    return open_sqlite_history(db);
  });
}
BENCHMARK(BM_HistorySqlite)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_HistoryPostgres(benchmark::State& state) {
  const char* dsn = std::getenv("INPLAY_BENCH_PG_DSN");
  if (!dsn) {
    state.SkipWithError("INPLAY_BENCH_PG_DSN is not set");
    for (auto _ : state) {
    }
    return;
  }
  run(state, [&] {
    PGconn* c = PQconnectdb(dsn);
    PQclear(PQexec(c, "DROP TABLE IF EXISTS meta, bets, ledger_entries, settlements, accounts, payments, audit"));
    PQfinish(c);
    return open_postgres_history(dsn);
  });
}
BENCHMARK(BM_HistoryPostgres)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove_all(bench_dir(), ec);  // the journal and the SQLite file
  return 0;
}
