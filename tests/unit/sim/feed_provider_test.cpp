// FeedProvider (src/sim/feed_provider.h) over real loopback sockets with a
// fake time base: the documented messages and fields, alive every second,
// seq by one, goals (bet_stop, reopen), full time (ended, closed,
// settlement), recovery snapshots, every fault hook's visible effect,
// determinism for a seed, and the RealTimeDriver on a SimClock.
#include "sim/feed_provider.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/odds.h"

namespace inplay {
namespace {

constexpr int64_t kT0 = 1'764'270'000'000;

// A plain POSIX client reading newline-delimited lines.
class LineClient {
 public:
  explicit LineClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~LineClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  void send(const std::string& s) { ASSERT_EQ(::write(fd_, s.data(), s.size()), (ssize_t)s.size()); }

  // Reads until done(lines) or timeout; returns what was read.
  std::vector<std::string> read_until(const std::function<bool(const std::vector<std::string>&)>& done,
                                      int timeout_ms = 3000) {
    std::vector<std::string> out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done(out)) {
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count());
      if (left <= 0 || !fill(left, out)) break;
    }
    return out;
  }
  // Everything that arrives until the line is quiet for quiet_ms.
  std::vector<std::string> drain(int quiet_ms = 200) {
    std::vector<std::string> out;
    while (fill(quiet_ms, out)) {
    }
    return out;
  }
  // True if the server closed the connection within timeout_ms.
  bool eof(int timeout_ms = 3000) {
    std::vector<std::string> sink;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  // One read; false on timeout or EOF.
  bool fill(int timeout_ms, std::vector<std::string>& out) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[65536];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    partial_.append(buf, static_cast<size_t>(n));
    size_t pos;
    while ((pos = partial_.find('\n')) != std::string::npos) {
      out.push_back(partial_.substr(0, pos));
      partial_.erase(0, pos + 1);
    }
    return true;
  }
  int fd_ = -1;
  std::string partial_;
};

struct Msg {
  std::string type, producer, schema, raw;
  uint64_t seq = 0, event_id = 0;
  int64_t ts = 0;
};

Msg parse(const std::string& line) {
  simdjson::dom::parser p;
  simdjson::dom::element d = p.parse(line);
  Msg m;
  m.raw = line;
  m.type = std::string(std::string_view(d["type"]));
  m.producer = std::string(std::string_view(d["producer"]));
  m.schema = std::string(std::string_view(d["schema"]));
  m.seq = uint64_t(d["seq"]);
  m.ts = int64_t(d["ts"]);
  m.event_id = uint64_t(d["event_id"]);
  return m;
}

std::vector<Msg> parse_all(const std::vector<std::string>& lines) {
  std::vector<Msg> out;
  for (const std::string& l : lines) out.push_back(parse(l));
  return out;
}

std::vector<Msg> of_type(const std::vector<Msg>& ms, const std::string& type) {
  std::vector<Msg> out;
  for (const Msg& m : ms) {
    if (m.type == type) out.push_back(m);
  }
  return out;
}

void wait_clients(const FeedProvider& p, size_t n) {
  for (int i = 0; i < 300 && p.client_count() != n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(p.client_count(), n);
}

FeedProviderConfig config(std::string producer = "sim-primary") {
  FeedProviderConfig c;
  c.producer = std::move(producer);
  c.seed = 5;
  c.matches = {SimMatchConfig{1, "EPL", 1.5, 1.1, kT0 + 60'000},
               SimMatchConfig{6, "Championship", 1.3, 1.2, kT0 + 60'000}};
  return c;
}

// Fast matches: 90 minutes in 9 s, 1 s break; markets reopen 1 s after a goal.
FeedProviderConfig fast_config() {
  FeedProviderConfig c = config();
  c.timing.half_ms = 4500;
  c.timing.half_time_ms = 1000;
  c.reopen_after_goal_ms = 1000;
  c.refresh_ms = 2000;
  c.results_confirm_after_ms = 1000;
  c.matches = {SimMatchConfig{1, "EPL", 2.5, 2.0, kT0 + 1000}};
  return c;
}

// A started provider with one connected client.
struct Rig {
  explicit Rig(FeedProviderConfig c) : provider(std::move(c)) {
    port = provider.start();
    client = std::make_unique<LineClient>(port);
    wait_clients(provider, 1);
  }
  // Reads until the line with the provider's last seq (no faults on).
  std::vector<Msg> collect() {
    uint64_t last = provider.last_seq();
    auto lines = client->read_until([&](const std::vector<std::string>& ls) {
      return !ls.empty() && parse(ls.back()).seq == last;
    });
    return parse_all(lines);
  }
  FeedProvider provider;
  uint16_t port = 0;
  std::unique_ptr<LineClient> client;
};

bool consecutive(const std::vector<Msg>& ms, uint64_t first) {
  for (size_t i = 0; i < ms.size(); ++i) {
    if (ms[i].seq != first + i) return false;
  }
  return true;
}

TEST(FeedProvider, AliveEverySecondWithSeqByOne) {
  Rig r(config());
  EXPECT_NE(r.port, 0);
  for (int64_t t = kT0; t <= kT0 + 3050; t += 100) r.provider.tick(t);
  std::vector<Msg> ms = r.collect();
  ASSERT_FALSE(ms.empty());
  EXPECT_TRUE(consecutive(ms, 1));
  std::vector<Msg> alive = of_type(ms, "alive");
  ASSERT_EQ(alive.size(), 4u);
  for (size_t i = 0; i < alive.size(); ++i) {
    EXPECT_EQ(alive[i].ts, kT0 + 1000 * static_cast<int64_t>(i));
    EXPECT_EQ(alive[i].event_id, 0u);
    EXPECT_EQ(alive[i].producer, "sim-primary");
    EXPECT_EQ(alive[i].schema, "1.0");
    EXPECT_NE(alive[i].raw.find("\"subscribed\":true"), std::string::npos);
  }
}

TEST(FeedProvider, OddsChangeHasTheDocumentedFields) {
  Rig r(config());
  r.provider.tick(kT0);
  std::vector<Msg> ms = r.collect();
  std::vector<Msg> odds = of_type(ms, "odds_change");
  ASSERT_EQ(odds.size(), 2u);  // one per event, all its markets
  const std::regex decimal(R"(^\d+\.\d{2}$)");
  std::map<uint64_t, std::vector<uint64_t>> seen;  // market -> selections
  for (const Msg& m : odds) {
    simdjson::dom::parser p;
    simdjson::dom::element d = p.parse(m.raw);
    EXPECT_EQ(m.ts, kT0);
    std::string_view league = d["league"];
    EXPECT_EQ(league, m.event_id == 1 ? "EPL" : "Championship");
    for (simdjson::dom::element mk : d["markets"].get_array()) {
      uint64_t mid = mk["market_id"];
      EXPECT_EQ(mid / 100, m.event_id);
      EXPECT_EQ(std::string_view(mk["status"]), "open");
      double implied = 0;
      for (simdjson::dom::element o : mk["outcomes"].get_array()) {
        uint64_t sid = o["selection_id"];
        std::string odds_text{std::string_view(o["odds"])};
        EXPECT_TRUE(std::regex_match(odds_text, decimal)) << odds_text;
        Odds parsed;
        ASSERT_TRUE(Odds::parse(odds_text, parsed)) << odds_text;
        implied += 1.0 / std::stod(odds_text);
        seen[mid].push_back(sid);
      }
      EXPECT_NEAR(implied, 1.0, 0.02) << mid;  // fair prices: no margin
    }
  }
  for (uint64_t e : {1u, 6u}) {
    uint64_t b = e * 100;
    EXPECT_EQ(seen[b + 1], (std::vector<uint64_t>{(b + 1) * 10 + 1, (b + 1) * 10 + 2, (b + 1) * 10 + 3}));
    EXPECT_EQ(seen[b + 2], (std::vector<uint64_t>{(b + 2) * 10 + 1, (b + 2) * 10 + 2}));
    EXPECT_EQ(seen[b + 3], (std::vector<uint64_t>{(b + 3) * 10 + 1, (b + 3) * 10 + 2}));
  }
  // Pre-match prices do not move: the next odds_change comes with the refresh.
  r.provider.tick(kT0 + 1000);
  EXPECT_TRUE(of_type(r.collect(), "odds_change").empty());
  r.provider.tick(kT0 + 5000);
  EXPECT_EQ(of_type(r.collect(), "odds_change").size(), 2u);
}

TEST(FeedProvider, AWholeMatchGoalsFullTimeAndSettlement) {
  Rig r(fast_config());
  for (int64_t t = kT0; t <= kT0 + 13'000; t += 100) r.provider.tick(t);
  std::vector<Msg> ms = r.collect();
  EXPECT_TRUE(consecutive(ms, 1));
  // The same seed and event id predict the match.
  FeedProviderConfig c = fast_config();
  GoalModelParams gp;
  gp.lambda_home = 2.5;
  gp.lambda_away = 2.0;
  MatchSim sim(MatchSimConfig{gp, kT0 + 1000, c.timing, mix_seed(c.seed, 1)});
  sim.advance_to(kT0 + 13'000);
  int goals = sim.score().home + sim.score().away;
  ASSERT_GT(goals, 0) << "pick a seed with goals";
  EXPECT_EQ(r.provider.score(1), sim.score());
  EXPECT_EQ(r.provider.phase(1), MatchPhase::kEnded);

  std::vector<Msg> fixture = of_type(ms, "fixture_change");
  ASSERT_EQ(fixture.size(), 2u);
  EXPECT_NE(fixture[0].raw.find("\"change\":\"started\""), std::string::npos);
  EXPECT_NE(fixture[0].raw.find("\"kickoff\":" + std::to_string(kT0 + 1000)), std::string::npos);
  EXPECT_EQ(fixture[0].ts, kT0 + 1000);
  EXPECT_NE(fixture[1].raw.find("\"change\":\"ended\""), std::string::npos);
  EXPECT_EQ(fixture[1].ts, kT0 + 11'000);

  std::vector<Msg> stops = of_type(ms, "bet_stop");
  EXPECT_EQ(static_cast<int>(stops.size()), goals);
  for (const Msg& s : stops) {
    EXPECT_NE(s.raw.find("\"market_ids\":[101,102,103],\"reason\":\"goal\""), std::string::npos) << s.raw;
  }
  // After each bet_stop the markets reopen with an odds_change, 1 s later.
  for (const Msg& s : stops) {
    auto reopen = std::find_if(ms.begin(), ms.end(), [&](const Msg& m) {
      return m.seq > s.seq && m.type == "odds_change" && m.raw.find("\"status\":\"open\"") != std::string::npos;
    });
    if (s.ts + 1000 < kT0 + 11'000) {
      ASSERT_NE(reopen, ms.end());
      EXPECT_GE(reopen->ts, s.ts + 1000);
      EXPECT_LE(reopen->ts, s.ts + 1100);
    }
  }
  // In play prices move far more often than the refresh interval.
  int in_play_odds = 0;
  for (const Msg& m : ms) {
    if (m.type == "odds_change" && m.ts > kT0 + 1000 && m.ts < kT0 + 11'000) ++in_play_odds;
  }
  EXPECT_GT(in_play_odds, 10);

  // Full time: markets closed, then the winners; nothing for the event after.
  auto ended = std::find_if(ms.begin(), ms.end(), [](const Msg& m) {
    return m.type == "fixture_change" && m.raw.find("ended") != std::string::npos;
  });
  ASSERT_TRUE(ended + 2 < ms.end());
  EXPECT_EQ(ended[1].type, "odds_change");
  EXPECT_NE(ended[1].raw.find(R"({"market_id":101,"status":"closed","outcomes":[]})"), std::string::npos);
  EXPECT_EQ(ended[2].type, "bet_settlement");
  MatchScore s = sim.score();
  uint64_t w1 = s.home > s.away ? 1011 : s.home == s.away ? 1012 : 1013;
  uint64_t w2 = s.home + s.away > 2.5 ? 1021 : 1022;
  uint64_t w3 = s.home > 0 && s.away > 0 ? 1031 : 1032;
  // A live result at the whistle, the confirmed one a second later: every
  // selection's outcome, on the final score.
  auto winners_of = [&](const std::string& raw, std::string_view certainty) {
    simdjson::dom::parser p;
    simdjson::dom::element d = p.parse(raw);
    EXPECT_EQ(std::string_view(d["certainty"]), certainty);
    EXPECT_EQ(int64_t(d["score"]["home"]), s.home);
    EXPECT_EQ(int64_t(d["score"]["away"]), s.away);
    std::vector<uint64_t> winners;
    size_t outcomes = 0;
    for (simdjson::dom::element mk : d["markets"].get_array())
      for (simdjson::dom::element o : mk["outcomes"].get_array()) {
        ++outcomes;
        if (std::string_view(o["result"]) == "won") winners.push_back(uint64_t(o["selection_id"]));
      }
    EXPECT_EQ(outcomes, 7u);
    return winners;
  };
  EXPECT_EQ(winners_of(ended[2].raw, "live"), (std::vector<uint64_t>{w1, w2, w3}));
  std::vector<std::string> confirmed;
  for (auto it = ended + 3; it != ms.end(); ++it) {
    if (it->type == "bet_settlement") confirmed.push_back(it->raw);
    else EXPECT_EQ(it->type, "alive");
  }
  ASSERT_EQ(confirmed.size(), 1u);
  EXPECT_EQ(winners_of(confirmed[0], "confirmed"), (std::vector<uint64_t>{w1, w2, w3}));
}

// Issue 14: markets beyond the standard three, priced off the score grid;
// a first-half market closes at half time and is settled then, on the
// half-time score, and left out of the full-time result.
TEST(FeedProvider, MoreMarketsArePricedAndFirstHalfOnesSettleAtHalfTime) {
  FeedProviderConfig c = fast_config();
  c.matches[0].more_markets = {
      SimMarketSpec{104, BetMarket::kAsianHandicap, Line{-1}, false, {{1041, "home"}, {1042, "away"}}},
      SimMarketSpec{107, BetMarket::kDoubleChance, Line{}, false,
                    {{1071, "home_draw"}, {1072, "home_away"}, {1073, "draw_away"}}},
      SimMarketSpec{110, BetMarket::kMatchResult, Line{}, true, {{1101, "home"}, {1102, "draw"}, {1103, "away"}}}};
  Rig r(c);
  for (int64_t t = kT0; t <= kT0 + 13'000; t += 100) r.provider.tick(t);
  std::vector<Msg> ms = r.collect();
  EXPECT_TRUE(consecutive(ms, 1));

  // The first prices: every market, fair odds whose implied probabilities
  // sum to 1 (2 for double chance) up to the hundredths' rounding.
  simdjson::dom::parser p;
  std::map<uint64_t, double> implied;
  simdjson::dom::element first = p.parse(of_type(ms, "odds_change").at(0).raw);
  for (simdjson::dom::element mk : first["markets"].get_array()) {
    double sum = 0;
    for (simdjson::dom::element o : mk["outcomes"].get_array())
      sum += 1.0 / std::stod(std::string(std::string_view(o["odds"])));
    implied[uint64_t(mk["market_id"])] = sum;
  }
  ASSERT_EQ(implied.size(), 6u);
  EXPECT_NEAR(implied[104], 1.0, 0.02);
  EXPECT_NEAR(implied[107], 2.0, 0.03);
  EXPECT_NEAR(implied[110], 1.0, 0.03);

  std::vector<Msg> results = of_type(ms, "bet_settlement");
  ASSERT_EQ(results.size(), 3u);  // half time (confirmed), full time live and confirmed
  simdjson::dom::element ht = p.parse(results[0].raw);
  EXPECT_EQ(std::string_view(ht["certainty"]), "confirmed");
  EXPECT_TRUE(ht["score"].error() == simdjson::NO_SUCH_FIELD);
  const Score half{int(int64_t(ht["first_half_score"]["home"])), int(int64_t(ht["first_half_score"]["away"]))};
  simdjson::dom::array ht_markets = ht["markets"].get_array();
  ASSERT_EQ(ht_markets.size(), 1u);
  EXPECT_EQ(uint64_t(ht_markets.at(0)["market_id"]), 110u);
  const uint64_t ht_winner = half.home > half.away ? 1101 : half.home == half.away ? 1102 : 1103;
  for (simdjson::dom::element o : ht_markets.at(0)["outcomes"].get_array())
    EXPECT_EQ(std::string_view(o["result"]) == "won", uint64_t(o["selection_id"]) == ht_winner);
  // Nothing offers the first-half market open after its result.
  for (const Msg& m : ms)
    if (m.seq > results[0].seq && m.type == "odds_change")
      EXPECT_EQ(m.raw.find(R"({"market_id":110,"status":"open")"), std::string::npos) << m.raw;
  // The full-time results: every other market, not the first-half one.
  const std::string ft(results[2].raw);
  EXPECT_EQ(ft.find("\"market_id\":110"), std::string::npos);
  EXPECT_NE(ft.find("\"market_id\":104"), std::string::npos);
  EXPECT_NE(ft.find("\"market_id\":107"), std::string::npos);
  const MatchScore fin = r.provider.score(1);
  EXPECT_GE(fin.home, half.home);
  EXPECT_GE(fin.away, half.away);
}

TEST(FeedProvider, DecidedMarketsAreSuspendedNotOfferedAtTheLimits) {
  Rig r(fast_config());
  for (int64_t t = kT0; t <= kT0 + 10'900; t += 100) r.provider.tick(t);
  MatchScore s = r.provider.score(1);
  for (const std::string& line : r.provider.snapshot_lines()) {
    simdjson::dom::parser p;
    simdjson::dom::element d = p.parse(line);
    for (simdjson::dom::element mk : d["markets"].get_array()) {
      uint64_t id = mk["market_id"];
      std::string_view status = mk["status"];
      if (id == 102 && s.home + s.away >= 3) {
        EXPECT_EQ(status, "suspended");
      }
      if (id == 103 && s.home > 0 && s.away > 0) {
        EXPECT_EQ(status, "suspended");
      }
    }
  }
}

TEST(FeedProvider, RecoveryRequestGetsEveryMarketThenSnapshotComplete) {
  Rig r(config());
  r.provider.tick(kT0);
  uint64_t before = r.collect().back().seq;
  r.client->send("{\"type\":\"recovery_request\",\"request_id\":7}\n");
  std::vector<std::string> lines;
  int64_t t = kT0;
  // The request is read on the I/O thread; it is answered on the next tick.
  for (int i = 0; i < 200; ++i) {
    r.provider.tick(t += 10);
    auto got = r.client->read_until([](const std::vector<std::string>& ls) { return !ls.empty(); }, 20);
    lines.insert(lines.end(), got.begin(), got.end());
    if (!lines.empty() && parse(lines.back()).type == "snapshot_complete") break;
  }
  std::vector<Msg> ms = parse_all(lines);
  ASSERT_FALSE(ms.empty());
  EXPECT_TRUE(consecutive(ms, before + 1));
  ASSERT_EQ(ms.back().type, "snapshot_complete");
  EXPECT_EQ(ms.back().event_id, 0u);
  EXPECT_NE(ms.back().raw.find("\"request_id\":7"), std::string::npos);
  std::set<uint64_t> markets;
  for (const Msg& m : of_type(ms, "odds_change")) {
    simdjson::dom::parser p;
    simdjson::dom::element d = p.parse(m.raw);
    for (simdjson::dom::element mk : d["markets"].get_array()) {
      markets.insert(uint64_t(mk["market_id"]));
      EXPECT_GT(mk["outcomes"].get_array().size(), 0u);
    }
  }
  EXPECT_EQ(markets, (std::set<uint64_t>{101, 102, 103, 601, 602, 603}));
  // Garbage and other requests are ignored.
  r.client->send("not json\n{\"type\":\"hello\"}\n");
  r.provider.tick(t + 2000);
  for (const Msg& m : r.collect()) EXPECT_NE(m.type, "snapshot_complete");
}

TEST(FeedProvider, SnapshotLinesUseNothingUp) {
  FeedProvider p(config());
  p.tick(kT0);
  uint64_t seq = p.last_seq();
  std::vector<std::string> lines = p.snapshot_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(p.last_seq(), seq);
  Msg m = parse(lines[0]);
  EXPECT_EQ(m.type, "odds_change");
  EXPECT_EQ(m.seq, seq + 1);
  EXPECT_EQ(parse(lines[1]).seq, seq + 2);
  EXPECT_EQ(lines[0].back(), '\n');
}

// Runs ticks every 100 ms for `ms` and returns the seqs received.
std::vector<uint64_t> seqs_over(Rig& r, int64_t from, int64_t ms) {
  for (int64_t t = from; t < from + ms; t += 100) r.provider.tick(t);
  std::vector<uint64_t> out;
  for (const Msg& m : parse_all(r.client->drain())) out.push_back(m.seq);
  return out;
}

TEST(FeedProvider, DropLeavesASeqGap) {
  Rig r(config());
  r.provider.set_drop(0.3);
  std::vector<uint64_t> s = seqs_over(r, kT0, 20'000);
  ASSERT_GT(s.size(), 5u);
  bool gap = false;
  for (size_t i = 1; i < s.size(); ++i) {
    EXPECT_GT(s[i], s[i - 1]);
    gap |= s[i] > s[i - 1] + 1;
  }
  EXPECT_TRUE(gap);
  EXPECT_LT(s.size(), r.provider.last_seq());
}

TEST(FeedProvider, DuplicateRepeatsASeq) {
  Rig r(config());
  r.provider.set_duplicate(0.5);
  std::vector<uint64_t> s = seqs_over(r, kT0, 10'000);
  int repeats = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    EXPECT_GE(s[i], s[i - 1]);
    repeats += s[i] == s[i - 1];
  }
  EXPECT_GT(repeats, 0);
  EXPECT_EQ(std::set<uint64_t>(s.begin(), s.end()).size(), r.provider.last_seq());
}

TEST(FeedProvider, ReorderSwapsNeighbours) {
  Rig r(config());
  r.provider.set_reorder(0.4);
  std::vector<uint64_t> s = seqs_over(r, kT0, 10'000);
  int decreases = 0;
  for (size_t i = 1; i < s.size(); ++i) decreases += s[i] < s[i - 1];
  EXPECT_GT(decreases, 0);
  std::set<uint64_t> unique(s.begin(), s.end());
  EXPECT_EQ(unique.size(), s.size());                  // nothing repeated
  EXPECT_GE(unique.size() + 1, r.provider.last_seq());  // at most one still held
}

TEST(FeedProvider, StallSendsNothingThenResumes) {
  Rig r(config());
  std::vector<uint64_t> before = seqs_over(r, kT0, 2000);
  ASSERT_FALSE(before.empty());
  r.provider.set_stall(true);
  EXPECT_TRUE(seqs_over(r, kT0 + 2000, 5000).empty());  // no alive either
  r.provider.set_stall(false);
  r.provider.tick(kT0 + 7000);
  std::vector<Msg> after = r.collect();
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after.front().seq, before.back() + 1);  // nothing produced while stalled
  EXPECT_FALSE(of_type(after, "alive").empty());
  EXPECT_EQ(after.front().ts, kT0 + 7000);
}

TEST(FeedProvider, DisconnectClosesAndReconnectWorks) {
  Rig r(config());
  r.provider.tick(kT0);
  r.collect();
  r.provider.disconnect_clients();
  EXPECT_TRUE(r.client->eof());
  wait_clients(r.provider, 0);
  r.client = std::make_unique<LineClient>(r.port);
  ASSERT_TRUE(r.client->ok());
  wait_clients(r.provider, 1);
  r.provider.tick(kT0 + 1000);
  std::vector<Msg> ms = r.collect();
  ASSERT_FALSE(of_type(ms, "alive").empty());
}

TEST(FeedProvider, SchemaSkewVersionOnlyOnTheChosenLeague) {
  Rig r(config());
  r.provider.set_schema_skew(SchemaSkew{{"EPL"}, SkewMode::kVersion, "2.0", "outcome"});
  r.provider.tick(kT0);
  std::vector<Msg> ms = r.collect();
  int skewed = 0;
  for (const Msg& m : ms) {
    if (m.event_id == 1) {
      EXPECT_EQ(m.schema, "2.0") << m.raw;
      ++skewed;
    } else {
      EXPECT_EQ(m.schema, "1.0") << m.raw;  // Championship, alive
    }
  }
  EXPECT_GT(skewed, 0);
  r.provider.set_schema_skew({});
  r.provider.tick(kT0 + 5000);
  for (const Msg& m : r.collect()) EXPECT_EQ(m.schema, "1.0");
}

TEST(FeedProvider, SchemaSkewRenamesAFieldOnlyOnTheChosenLeague) {
  Rig r(config());
  r.provider.set_schema_skew(SchemaSkew{{"EPL"}, SkewMode::kRenameField, "2.0", "outcome"});
  r.provider.tick(kT0);
  std::vector<Msg> odds = of_type(r.collect(), "odds_change");
  ASSERT_EQ(odds.size(), 2u);
  for (const Msg& m : odds) {
    EXPECT_EQ(m.schema, "1.0");
    bool renamed = m.raw.find("\"outcome\":[") != std::string::npos;
    bool normal = m.raw.find("\"outcomes\":[") != std::string::npos;
    EXPECT_EQ(renamed, m.event_id == 1) << m.raw;
    EXPECT_EQ(normal, m.event_id != 1) << m.raw;
  }
}

TEST(FeedProvider, AddedLatencyHoldsMessagesUntilALaterTick) {
  Rig r(config());
  r.provider.set_added_latency(500, 0);
  r.provider.tick(kT0);
  EXPECT_TRUE(r.client->drain(150).empty());
  r.provider.tick(kT0 + 400);
  EXPECT_TRUE(r.client->drain(150).empty());
  r.provider.tick(kT0 + 500);
  std::vector<Msg> ms = r.collect();
  ASSERT_FALSE(ms.empty());
  EXPECT_EQ(ms.front().seq, 1u);
  EXPECT_EQ(ms.front().ts, kT0);  // ts is not moved: the book sees the delay
}

TEST(FeedProvider, JitterKeepsOrder) {
  Rig r(config());
  r.provider.set_added_latency(100, 900);
  std::vector<uint64_t> s = seqs_over(r, kT0, 10'000);
  ASSERT_GT(s.size(), 5u);
  for (size_t i = 1; i < s.size(); ++i) EXPECT_EQ(s[i], s[i - 1] + 1);
}

TEST(FeedProvider, OwnLatencyStampsAndDelays) {
  FeedProviderConfig c = config();
  c.latency_ms = 200;
  Rig r(c);
  r.provider.tick(kT0);
  EXPECT_TRUE(r.client->drain(150).empty());
  r.provider.tick(kT0 + 200);
  std::vector<Msg> ms = r.collect();
  ASSERT_FALSE(ms.empty());
  EXPECT_EQ(ms.front().ts, kT0 + 200);
}

// Same seed, same ticks, same faults: the same bytes on the wire.
TEST(FeedProvider, DeterministicForASeed) {
  auto stream = [](FeedProviderConfig c) {
    Rig r(std::move(c));
    r.provider.set_drop(0.1);
    r.provider.set_duplicate(0.1);
    for (int64_t t = kT0; t <= kT0 + 13'000; t += 100) r.provider.tick(t);
    return r.client->drain();
  };
  FeedProviderConfig c = fast_config();
  c.noise = 0.02;
  std::vector<std::string> a = stream(c), b = stream(c);
  EXPECT_GT(a.size(), 50u);
  EXPECT_EQ(a, b);
  c.seed = 6;
  EXPECT_NE(stream(c), a);
}

// Primary and backup share the world (same goals) but their noise differs.
TEST(FeedProvider, ProvidersShareTheMatchButNotTheNoise) {
  FeedProviderConfig a = fast_config(), b = fast_config();
  b.producer = "sim-backup";
  a.noise = b.noise = 0.02;
  FeedProvider pa(a), pb(b);
  for (int64_t t = kT0; t <= kT0 + 5000; t += 100) {
    pa.tick(t);
    pb.tick(t);
  }
  EXPECT_EQ(pa.score(1), pb.score(1));
  auto prices = [](const std::string& line) {
    simdjson::dom::parser p;
    simdjson::dom::element d = p.parse(line);
    std::vector<double> out;
    for (simdjson::dom::element mk : d["markets"].get_array()) {
      for (simdjson::dom::element o : mk["outcomes"].get_array()) {
        out.push_back(std::stod(std::string(std::string_view(o["odds"]))));
      }
    }
    return out;
  };
  std::vector<double> x = prices(pa.snapshot_lines()[0]), y = prices(pb.snapshot_lines()[0]);
  ASSERT_EQ(x.size(), y.size());
  EXPECT_NE(x, y);
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] < 900) {
      EXPECT_NEAR(x[i] / y[i], 1.0, 0.05);
    }
  }
}

TEST(RealTimeDriver, TicksFromTheInjectedClock) {
  SimClock clock(from_ns(kT0 * 1'000'000));
  Rig r(config());
  RealTimeDriver driver(r.provider, clock, std::chrono::milliseconds(5));
  driver.start();
  auto first = r.client->read_until([](const std::vector<std::string>& ls) {
    for (const auto& l : ls) {
      if (parse(l).type == "alive") return true;
    }
    return false;
  });
  ASSERT_FALSE(first.empty());
  clock.advance(std::chrono::seconds(1));
  auto second = r.client->read_until([](const std::vector<std::string>& ls) {
    for (const auto& l : ls) {
      if (parse(l).type == "alive") return true;
    }
    return false;
  });
  driver.stop();
  std::vector<Msg> alive = of_type(parse_all(second), "alive");
  ASSERT_EQ(alive.size(), 1u);
  EXPECT_EQ(alive[0].ts, kT0 + 1000);
}

}  // namespace
}  // namespace inplay
