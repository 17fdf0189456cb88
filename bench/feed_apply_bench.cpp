// Odds in, end to end inside the book (issue 3 "Speed"):
//
//  BM_ParseAndApply: odds_change lines per second on one core, parsed by
//  FeedParser and applied by the FeedDesk (sequence check, cache, margin
//  pricing onto the ladder, one journaled MarketPriced per market), the
//  bench thread acting as the engine thread: it kicks the journal once per
//  64 lines, as the engine does per batch. Journal on /dev/shm, fsync off.
//
//  BM_BookLatencyAt10k: a TCP provider thread sends 10,000 odds_change
//  lines a second to a real TcpFeedClient; the engine thread applies them.
//  Reports the in-book latency (socket read to price live) p50/p99 from
//  odds_book_latency_seconds, whose buckets are 5/10/25/50/100/250 us...: a
//  quantile reads as its bucket's upper bound.
//
//   build/feed_apply_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "app/config.h"
#include "app/runtime.h"
#include "feed/feed_desk.h"
#include "feed/dead_letter.h"
#include "feed/feed_parser.h"
#include "feed/tcp_feed_client.h"
#include "telemetry/log.h"

namespace inplay {
namespace {

constexpr uint64_t kEvents = 200;

Config book_config() {
  Config c;
  for (uint64_t e = 1; e <= kEvents; ++e) {
    EventConfig ec;
    ec.id = e;
    ec.sport = "football";
    ec.league = e % 4 == 0 ? "EPL" : "Championship";
    ec.home = "H";
    ec.away = "A";
    uint64_t b = e * 100;
    ec.markets.push_back(MarketConfig{b + 1, MarketType::kMatchResult, 0,
                                      {{(b + 1) * 10 + 1, "home", Odds{20000}}, {(b + 1) * 10 + 2, "draw", Odds{35000}},
                                       {(b + 1) * 10 + 3, "away", Odds{40000}}}});
    ec.markets.push_back(MarketConfig{b + 2, MarketType::kTotalGoals, 25,
                                      {{(b + 2) * 10 + 1, "over", Odds{19000}}, {(b + 2) * 10 + 2, "under", Odds{21000}}}});
    ec.markets.push_back(MarketConfig{b + 3, MarketType::kBothTeamsToScore, 0,
                                      {{(b + 3) * 10 + 1, "yes", Odds{18000}}, {(b + 3) * 10 + 2, "no", Odds{22000}}}});
    c.events.push_back(ec);
  }
  return c;
}

// A recorded-like feed: each line re-prices one market with fair odds.
std::vector<std::string> feed_lines(size_t n, uint64_t first_seq) {
  std::mt19937_64 rng(7);
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t e = 1 + rng() % kEvents, k = 1 + rng() % 3;
    MarketOdds m{e * 100 + k, MarketStatus::kOpen, {}};
    double ph = 0.3 + (rng() % 300) / 1000.0;
    std::vector<double> p = k == 1 ? std::vector<double>{ph, 0.27, 1 - ph - 0.27} : std::vector<double>{ph + 0.1, 0.9 - ph};
    for (size_t s = 0; s < p.size(); ++s)
      m.outcomes.push_back(OutcomeOdds{m.market_id * 10 + s + 1, Odds{static_cast<int32_t>(10000.0 / p[s])}});
    OddsChange oc{"EPL", {m}};
    out.push_back(encode_feed_message(FeedMessage{
        Envelope{FeedMessageType::kOddsChange, "bench", "1.0", first_seq + i, 1800000000000, e}, oc}));
  }
  return out;
}

struct Rig {
  std::filesystem::path dir;
  RealClock clock;
  MetricsRegistry metrics;
  Tracer tracer{10000};
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<MarketDesk> markets;
  std::unique_ptr<FeedDesk> desk;

  Rig() {
    log::set_sink([](std::string_view) {});
    dir = fmt::format("/dev/shm/inplay-feed-bench-{}", getpid());
    std::filesystem::remove_all(dir);
    Journal::Options jo;
    jo.dir = dir;
    jo.fsync = FsyncPolicy::kNone;
    jo.wake_on_append = false;  // as the runtime opens it: the engine kicks once per batch
    journal = Journal::open(jo);
    engine = std::make_unique<Engine>(EngineConfig{}, clock, *journal, metrics);
    markets = std::make_unique<MarketDesk>(*engine);
    build_book(book_config(), engine->state().book);
    FeedConfig f;
    f.name = "bench";
    f.alive_timeout = std::chrono::hours(1);
    desk = std::make_unique<FeedDesk>(*markets, metrics, std::vector<FeedConfig>{f}, FeedDeskOptions{});
  }
  ~Rig() {
    engine->stop();
    journal->stop();
    desk.reset();
    markets.reset();
    std::filesystem::remove_all(dir);
  }
  // The single feed up, as after a recovery snapshot (bench thread = engine thread).
  void bring_up() {
    std::string req;
    desk->set_sender(0, [&req](std::string line) { req = line; });
    desk->on_connected(0);
    uint64_t id = std::stoull(req.substr(req.find("request_id\":") + 12));
    desk->on_message(0, FeedMessage{Envelope{FeedMessageType::kSnapshotComplete, "bench", "1.0", 1, 0, 0},
                                    SnapshotComplete{id}});
  }
};

void BM_ParseAndApply(benchmark::State& state) {
  Rig rig;
  rig.journal->start();
  rig.bring_up();
  auto lines = feed_lines(200000, 2);
  FeedParser parser({"1.0"});
  size_t i = 0;
  for (auto _ : state) {
    ParseResult r = parser.parse(lines[i % lines.size()]);
    if (i >= lines.size()) r.message().env.seq += i / lines.size() * lines.size();  // keep seq increasing
    rig.desk->on_message(0, std::move(r.message()));
    // The engine kicks the journal at the end of each batch it drains; under
    // a busy feed a batch holds many lines (64 here).
    if (++i % 64 == 0) rig.journal->kick();
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_ParseAndApply)->Iterations(200000)->Unit(benchmark::kNanosecond);

void BM_BookLatencyAt10k(benchmark::State& state) {
  for (auto _ : state) {
    Rig rig;
    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(lfd, 1);
    socklen_t len = sizeof a;
    ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
    FeedConfig fc;
    fc.name = "bench";
    fc.port = ntohs(a.sin_port);
    auto lines = feed_lines(30000, 1);
    std::atomic<bool> sent{false};
    std::thread provider([&] {
      int fd = ::accept(lfd, nullptr, nullptr);
      char buf[256];
      ::recv(fd, buf, sizeof buf, 0);  // the recovery request
      std::string snap = encode_feed_message(FeedMessage{
          Envelope{FeedMessageType::kSnapshotComplete, "bench", "1.0", 1, 0, 0}, SnapshotComplete{1}});
      snap.push_back('\n');
      ::send(fd, snap.data(), snap.size(), MSG_NOSIGNAL);
      // 10,000 lines a second: 10 every millisecond, for 3 s.
      auto t = std::chrono::steady_clock::now();
      for (size_t i = 0; i + 1 < lines.size(); i += 10) {
        std::string chunk;
        for (size_t k = i; k < i + 10 && k < lines.size(); ++k) {
          std::string l = lines[k];
          l.replace(l.find("\"seq\":") + 6, l.find(',', l.find("\"seq\":")) - l.find("\"seq\":") - 6,
                    std::to_string(k + 2));
          chunk += l;
          chunk.push_back('\n');
        }
        ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        t += std::chrono::milliseconds(1);
        std::this_thread::sleep_until(t);
      }
      sent = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      ::close(fd);
    });
    DeadLetterFile dl(rig.dir / "dl.jsonl");
    FeedCallbacks cb;
    Engine* engine = rig.engine.get();
    FeedDesk* desk = rig.desk.get();
    cb.connected = [engine, desk] { engine->submit([desk] { desk->on_connected(0); }); };
    cb.message = [engine, desk](FeedMessage&& m, int64_t read_ns) {
      auto s = std::make_shared<FeedMessage>(std::move(m));
      engine->submit([desk, s, read_ns] { desk->on_message(0, std::move(*s), read_ns); });
    };
    TcpFeedClient client(fc, cb, &dl, rig.clock);
    desk->set_sender(0, [&client](std::string line) { client.send(std::move(line)); });
    rig.journal->start();
    rig.engine->start();
    client.start();
    provider.join();
    client.stop();
    ::close(lfd);
    auto& h = MetricsRegistry::series(
        rig.metrics.histogram("odds_book_latency_seconds", "", {},
                              {5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
                               10000000, 50000000, 100000000},
                              Unit::kSeconds),
        {});
    state.counters["updates"] = static_cast<double>(h.count());
    state.counters["p50_us"] = h.quantile(0.50) / 1000.0;
    state.counters["p99_us"] = h.quantile(0.99) / 1000.0;
    state.counters["mean_us"] = h.count() ? static_cast<double>(h.sum()) / h.count() / 1000.0 : 0;
  }
}
BENCHMARK(BM_BookLatencyAt10k)->Iterations(1)->Repetitions(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace inplay

BENCHMARK_MAIN();
