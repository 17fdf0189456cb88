// The war room's cost on the engine thread (issue 6: "stay responsive with
// 1,000 markets in the book and 10 updates per second per market"):
//  - one snapshot (WarRoom::tick): the top five by liability over every
//    market of the book (O(markets)), the five rows, the 15-minute chart ring
//    (900 points with exemplar ids) rendered as JSON, once a second;
//  - one bet decision fed to the per-market activity (MarketActivity), the
//    per-bet cost the war room adds to the bet path.
//
//   build/warroom_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <unistd.h>

#include "app/book_desks.h"
#include "app/config.h"
#include "app/demo.h"
#include "app/runtime.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "telemetry/log.h"
#include "warroom/market_activity.h"
#include "warroom/war_room.h"

using namespace inplay;

namespace {

constexpr int64_t kT0 = 1'800'000'000'000'000'000;

// A book of `events` in-play football events with three markets each (the
// simulated world's layout), every selection priced, and liability on a
// third of the markets.
struct Book {
  explicit Book(int events) {
    log::set_sink([](std::string_view) {});
    dir = std::filesystem::temp_directory_path() / ("warroom-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    Journal::Options jo;
    jo.dir = dir;
    jo.fsync = FsyncPolicy::kNone;
    journal = Journal::open(jo);
    engine = std::make_unique<Engine>(EngineConfig{}, clock, *journal, metrics);
    desks = std::make_unique<BookDesks>(*engine, tracer);
    Config cfg;
    for (int i = 0; i < events; ++i) {
      EventConfig ev;
      ev.id = 1000 + static_cast<uint64_t>(i);
      ev.sport = "football";
      ev.league = i % 2 ? "EPL" : "Championship";
      ev.home = "Home" + std::to_string(i);
      ev.away = "Away" + std::to_string(i);
      ev.state = EventState::kInPlay;
      ev.markets = football_markets(ev.id, {Odds{21000}, Odds{34000}, Odds{36000}, Odds{19000}, Odds{19000},
                                            Odds{17000}, Odds{21000}});
      cfg.events.push_back(ev);
    }
    build_book(cfg, engine->state().book);
    BookState& s = engine->state();
    std::mt19937_64 rng(7);
    for (uint64_t eid : s.book.event_ids())
      for (uint64_t mid : s.book.event(eid)->markets) {
        ++markets;
        for (uint64_t sid : s.book.market(mid)->selections) s.book.apply_price(sid, Odds{20000}, 0, kT0);
        if (rng() % 3 == 0) s.exposure.add(0, s.book.market(mid)->selections[0], 1000 + rng() % 100000, Odds{20000});
      }
  }
  ~Book() {
    desks.reset();
    engine.reset();
    journal->stop();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  SimClock clock{from_ns(kT0)};
  MetricsRegistry metrics;
  Tracer tracer;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<BookDesks> desks;
  int markets = 0;
};

void BM_WarRoomSnapshot(benchmark::State& state) {
  Book b(static_cast<int>(state.range(0)));
  auto room = std::make_shared<WarRoom>(b.desks->bets, nullptr, nullptr);
  // A full 15-minute ring first, as on a book that has run a while.
  for (int i = 0; i < 900; ++i) {
    b.clock.advance(std::chrono::seconds(1));
    room->tick();
  }
  // Each iteration: a watched second, its chart point and its snapshot (a
  // room nobody watches skips the snapshot: war_room.h).
  WarRoom::Snapshot snap;
  for (auto _ : state) {
    b.clock.advance(std::chrono::seconds(1));
    room->tick();
    snap = room->build_now();
  }
  state.counters["markets"] = b.markets;
  state.counters["snapshot_bytes"] = static_cast<double>(snap->size());
}
// Arg: events (three markets each): 340 events = 1,020 markets.
BENCHMARK(BM_WarRoomSnapshot)->Arg(34)->Arg(340)->Arg(3400)->Unit(benchmark::kMicrosecond);

void BM_MarketActivityOneDecision(benchmark::State& state) {
  MarketActivity a;
  const uint64_t markets = static_cast<uint64_t>(state.range(0));
  int64_t t = kT0;
  uint64_t i = 0;
  for (auto _ : state) {
    ++i;
    t += 100'000;  // 10,000 decisions a second of book time
    a.on_decision(100001 + (i * 7919) % markets, t, static_cast<int64_t>(i % 300) * 1'000'000);
  }
  state.counters["markets"] = static_cast<double>(markets);
}
BENCHMARK(BM_MarketActivityOneDecision)->Arg(1020)->Arg(10200);

}  // namespace

BENCHMARK_MAIN();
