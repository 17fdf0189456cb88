// Whole real streams through the adapter at full speed, checked against an
// independent scan of the same lines (simdjson DOM, prices via double and
// rounded to 1/10000, a different code path from the adapter's raw-text one).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "betfair_test_util.h"
#include "feed/betfair/market_cache.h"
#include "feed/betfair/ref_price.h"

namespace inplay::betfair {
namespace {

using RunnerId = std::pair<std::string, int64_t>;  // market, selection

// What the stream says, from the independent scan.
struct Expected {
  size_t messages = 0;
  std::map<RunnerId, int32_t> last_ltp;                     // scaled
  std::map<std::string, std::vector<std::pair<size_t, std::string>>> status_changes;  // (msg, to)
  std::map<std::string, size_t> open_to_suspended;
  std::map<std::string, size_t> first_in_play;              // 1-based message
  std::map<std::string, std::set<int64_t>> winners;         // final definition
  std::map<std::string, std::string> final_status;
  // Full ladders, rebuilt independently: (market, selection) -> price -> size.
  std::map<RunnerId, std::map<int32_t, double>> atb, atl;
};

int32_t scaled(double price) { return static_cast<int32_t>(std::llround(price * 10000)); }

class Scanner {
 public:
  void line(const std::string& text, size_t index) {
    simdjson::dom::element doc = parser_.parse(text);
    ++e.messages;
    simdjson::dom::array mcs;
    if (doc["mc"].get(mcs) != simdjson::SUCCESS) return;
    for (simdjson::dom::object mc : mcs) {
      std::string id{std::string_view(mc["id"])};
      bool img = false;
      if (mc["img"].get(img) != simdjson::SUCCESS) img = false;
      if (img) {
        for (auto* ladder : {&e.atb, &e.atl})
          for (auto it = ladder->begin(); it != ladder->end();)
            it = it->first.first == id ? ladder->erase(it) : std::next(it);
        for (auto it = e.last_ltp.begin(); it != e.last_ltp.end();)
          it = it->first.first == id ? e.last_ltp.erase(it) : std::next(it);
      }
      simdjson::dom::object def;
      if (mc["marketDefinition"].get(def) == simdjson::SUCCESS) {
        std::string status{std::string_view(def["status"])};
        std::string& prev = status_[id];
        if (status != prev) {
          if (prev == "OPEN" && status == "SUSPENDED") ++e.open_to_suspended[id];
          e.status_changes[id].emplace_back(index, status);
          prev = status;
        }
        e.final_status[id] = status;
        bool in_play = bool(def["inPlay"]);
        if (in_play && !e.first_in_play.count(id)) e.first_in_play[id] = index;
        std::set<int64_t> w;
        for (simdjson::dom::object r : simdjson::dom::array(def["runners"]))
          if (std::string_view(r["status"]) == "WINNER") w.insert(int64_t(r["id"]));
        e.winners[id] = w;
      }
      simdjson::dom::array rcs;
      if (mc["rc"].get(rcs) != simdjson::SUCCESS) continue;
      for (simdjson::dom::object rc : rcs) {
        RunnerId rid{id, int64_t(rc["id"])};
        double ltp = 0;
        if (rc["ltp"].get(ltp) == simdjson::SUCCESS && ltp != 0) e.last_ltp[rid] = scaled(ltp);
        for (auto [key, ladder] : {std::pair{"atb", &e.atb}, std::pair{"atl", &e.atl}}) {
          simdjson::dom::array levels;
          if (rc[key].get(levels) != simdjson::SUCCESS) continue;
          auto& m = (*ladder)[rid];
          for (simdjson::dom::array lv : levels) {
            double p = double(lv.at(0)), s = double(lv.at(1));
            if (s == 0) m.erase(scaled(p)); else m[scaled(p)] = s;
          }
        }
      }
    }
  }
  Expected e;

 private:
  simdjson::dom::parser parser_;
  std::map<std::string, std::string> status_;
};

struct Observed {
  std::map<std::string, std::vector<std::pair<size_t, std::string>>> status_changes;
  std::map<std::string, size_t> open_to_suspended;
  std::map<std::string, size_t> first_in_play;
  std::map<std::string, std::vector<int64_t>> suspension_pts;
};

void expect_ladders_equal(const MarketCache& c, const Expected& e, size_t at) {
  for (const auto& [rid, want] : e.atb) {
    const RunnerBook* r = c.market(rid.first)->runner(rid.second);
    ASSERT_NE(r, nullptr);
    std::map<int32_t, double> got;
    for (const auto& [p, s] : r->atb) got[p.scaled] = s;
    ASSERT_EQ(got, want) << "atb of " << rid.second << " after message " << at;
  }
  for (const auto& [rid, want] : e.atl) {
    const RunnerBook* r = c.market(rid.first)->runner(rid.second);
    ASSERT_NE(r, nullptr);
    std::map<int32_t, double> got;
    for (const auto& [p, s] : r->atl) got[p.scaled] = s;
    ASSERT_EQ(got, want) << "atl of " << rid.second << " after message " << at;
  }
}

struct RefStats {
  size_t open_messages = 0, mid = 0, ltp = 0, clamped = 0, none = 0;
  size_t in_play_runner_states = 0, in_play_priced = 0;
  size_t two_runner_books = 0, book_within_5pct = 0;  // in-play
  double worst_book = 1.0;
};

// Replays a recording: checks every message applies, compares with the scan
// (ladders every 500 messages and at the end), returns what was observed.
struct Replay {
  std::vector<std::string> lines;
  Expected expected;
  Observed observed;
  MarketCache cache;
  RefStats ref;

  explicit Replay(const std::string& file) : lines(test::read_lines(file)) {
    Scanner scan;
    for (size_t i = 0; i < lines.size(); ++i) scan.line(lines[i], i + 1);
    expected = std::move(scan.e);
  }

  void run(bool with_ref_stats = false) {
    cache.set_listener([&](const MarketEvent& ev) {
      const std::string& id = ev.market->id;
      if (ev.kind == MarketEvent::Kind::Status) {
        observed.status_changes[id].emplace_back(ev.message, std::string(to_string(ev.to)));
        if (ev.from == MarketStatus::Open && ev.to == MarketStatus::Suspended) {
          ++observed.open_to_suspended[id];
          observed.suspension_pts[id].push_back(ev.pt);
        }
      }
      if (ev.kind == MarketEvent::Kind::InPlay && ev.in_play && !observed.first_in_play.count(id))
        observed.first_in_play[id] = ev.message;
    });
    Scanner scan;  // a second scan in step, for ladder checkpoints
    for (size_t i = 0; i < lines.size(); ++i) {
      auto r = cache.apply(lines[i]);
      ASSERT_EQ(r.kind, ApplyResult::Kind::Applied) << "line " << i + 1 << ": " << r.error;
      scan.line(lines[i], i + 1);
      if ((i + 1) % 500 == 0) {
        expect_ladders_equal(cache, scan.e, i + 1);
        if (testing::Test::HasFatalFailure()) return;
      }
      if (with_ref_stats) sample_ref();
    }
    expect_ladders_equal(cache, expected, lines.size());
  }

  // ref_price for every runner of every OPEN market after each message.
  void sample_ref() {
    for (const auto& [id, m] : cache.markets()) {
      if (m.status != MarketStatus::Open) continue;
      ++ref.open_messages;
      double book = 0;
      size_t priced = 0, active = 0;
      for (const auto& r : m.runners) {
        if (r.status != RunnerStatus::Active) continue;
        ++active;
        auto p = ref_price(m, r);
        if (m.in_play) {
          ++ref.in_play_runner_states;
          ref.in_play_priced += p.has_value();
        }
        if (!p) {
          ++ref.none;
          continue;
        }
        ++priced;
        book += 10000.0 / p->price.scaled;
        switch (p->source) {
          case RefSource::Mid: ++ref.mid; break;
          case RefSource::Ltp: ++ref.ltp; break;
          case RefSource::LtpClamped: ++ref.clamped; break;
        }
      }
      if (m.in_play && active == 2 && priced == 2) {
        ++ref.two_runner_books;
        if (std::abs(book - 1) <= 0.05) ++ref.book_within_5pct;
        if (std::abs(book - 1) > std::abs(ref.worst_book - 1)) ref.worst_book = book;
      }
    }
  }

  // The checks shared by every recording.
  void check_against_stream() {
    const auto& st = cache.stats();
    EXPECT_EQ(st.messages, lines.size());
    EXPECT_EQ(st.mcm, expected.messages);
    EXPECT_EQ(st.errors, 0u);
    EXPECT_EQ(st.snapped_prices, 0u);  // every recorded price is exact text
    // Last traded prices.
    size_t checked = 0;
    for (const auto& [rid, want] : expected.last_ltp) {
      const MarketBook* m = cache.market(rid.first);
      ASSERT_NE(m, nullptr);
      const RunnerBook* r = m->runner(rid.second);
      ASSERT_NE(r, nullptr);
      ASSERT_TRUE(r->ltp.has_value());
      EXPECT_EQ(r->ltp->scaled, want) << "runner " << rid.second;
      ++checked;
    }
    EXPECT_GT(checked, 0u);
    // Status changes, in order and at the same message.
    for (const auto& [id, want] : expected.status_changes)
      EXPECT_EQ(observed.status_changes[id], want) << id;
    EXPECT_EQ(observed.open_to_suspended, expected.open_to_suspended);
    EXPECT_EQ(observed.first_in_play, expected.first_in_play);
    for (const auto& [id, want] : expected.winners) {
      auto w = cache.market(id)->winners();
      EXPECT_EQ(std::set<int64_t>(w.begin(), w.end()), want) << id;
      EXPECT_EQ(to_string(cache.market(id)->status), expected.final_status[id]);
    }
  }
};

double replay_rate(const std::vector<std::string>& lines, int rounds) {
  double best = 0;
  for (int k = 0; k < rounds; ++k) {
    MarketCache c;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& l : lines) c.apply(l);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, lines.size() / s);
  }
  return best;
}

TEST(BetfairReplay, CricketMatchOddsInPlay) {
  Replay rp("flumine/1.200806927");
  ASSERT_EQ(rp.lines.size(), 18529u);
  rp.run(/*with_ref_stats=*/true);
  ASSERT_FALSE(testing::Test::HasFatalFailure());
  rp.check_against_stream();

  const std::string id = "1.200806927";
  const MarketBook* m = rp.cache.market(id);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(rp.cache.stats().messages, 18529u);
  EXPECT_EQ(m->status, MarketStatus::Closed);
  EXPECT_TRUE(m->in_play);
  EXPECT_EQ(m->bet_delay, 5);
  EXPECT_EQ(m->market_type, "MATCH_ODDS");
  EXPECT_EQ(m->event_type_id, "4");  // cricket
  EXPECT_EQ(m->runners.size(), 2u);
  ASSERT_EQ(m->winners().size(), 1u);
  EXPECT_TRUE(ref_prices(*m).empty());  // closed: no reference
  EXPECT_EQ(rp.expected.open_to_suspended[id], 2u);
  ASSERT_TRUE(rp.expected.first_in_play.count(id));

  std::printf("[cricket %s] messages=%llu mc=%llu rc=%llu definitions=%llu images=%llu "
              "conflated=%llu errors=%llu\n",
              id.c_str(), (unsigned long long)rp.cache.stats().messages,
              (unsigned long long)rp.cache.stats().market_changes,
              (unsigned long long)rp.cache.stats().runner_changes,
              (unsigned long long)rp.cache.stats().definitions,
              (unsigned long long)rp.cache.stats().images,
              (unsigned long long)rp.cache.stats().conflated,
              (unsigned long long)rp.cache.stats().errors);
  std::printf("[cricket] status changes:");
  for (const auto& [msg, to] : rp.observed.status_changes[id]) std::printf(" #%zu->%s", msg, to.c_str());
  std::printf("\n[cricket] OPEN->SUSPENDED=%zu at pt", rp.observed.open_to_suspended[id]);
  for (auto pt : rp.observed.suspension_pts[id]) std::printf(" %lld", (long long)pt);
  std::printf("; inPlay from message #%zu; winner %lld; last ltp",
              rp.observed.first_in_play[id], (long long)m->winners()[0]);
  for (const auto& r : m->runners)
    std::printf(" %lld=%s", (long long)r.selection_id, r.ltp ? r.ltp->str().c_str() : "-");
  std::printf("\n[cricket] ref_price after each of %zu OPEN messages, per runner: mid=%zu ltp=%zu "
              "clamped=%zu none=%zu; in-play runner states priced %zu/%zu; in-play books "
              "(1/ref summed) within 5%% of 100%%: %zu/%zu, worst %.4f\n",
              rp.ref.open_messages, rp.ref.mid, rp.ref.ltp, rp.ref.clamped, rp.ref.none,
              rp.ref.in_play_priced, rp.ref.in_play_runner_states, rp.ref.book_within_5pct,
              rp.ref.two_runner_books, rp.ref.worst_book);
  // The reference is usable and sane in play: most runner states have one,
  // and for this two-runner market the implied chances add up to about 1.
  EXPECT_GT(rp.ref.mid, 0u);
  EXPECT_GE(rp.ref.in_play_priced * 100, rp.ref.in_play_runner_states * 90);
  EXPECT_GE(rp.ref.book_within_5pct * 1000, rp.ref.two_runner_books * 995);

  double rate = replay_rate(rp.lines, 3);
  std::printf("[cricket] full replay: %.0f messages/s (best of 3, %zu messages, %.1f ms)\n", rate,
              rp.lines.size(), 1000.0 * rp.lines.size() / rate);
}

TEST(BetfairReplay, GreyhoundWinMarket) {
  Replay rp("flumine/1.197931750");
  rp.run(true);
  ASSERT_FALSE(testing::Test::HasFatalFailure());
  rp.check_against_stream();
  const MarketBook* m = rp.cache.market("1.197931750");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, MarketStatus::Closed);
  EXPECT_EQ(m->market_type, "WIN");
  EXPECT_EQ(m->winners().size(), 1u);
  std::printf("[greyhound WIN] messages=%zu winner=%lld OPEN->SUSPENDED=%zu ref mid=%zu ltp=%zu "
              "clamped=%zu none=%zu\n",
              rp.lines.size(), (long long)m->winners()[0],
              rp.observed.open_to_suspended["1.197931750"], rp.ref.mid, rp.ref.ltp,
              rp.ref.clamped, rp.ref.none);
}

TEST(BetfairReplay, GreyhoundPlaceMarket) {
  Replay rp("flumine/1.197931751");
  rp.run(true);
  ASSERT_FALSE(testing::Test::HasFatalFailure());
  rp.check_against_stream();
  const MarketBook* m = rp.cache.market("1.197931751");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, MarketStatus::Closed);
  EXPECT_EQ(m->market_type, "PLACE");
  EXPECT_EQ(static_cast<int>(m->winners().size()), m->number_of_winners);
  std::printf("[greyhound PLACE] messages=%zu winners=%zu (numberOfWinners %d)\n",
              rp.lines.size(), m->winners().size(), m->number_of_winners);
}

TEST(BetfairReplay, HorseRaceHistoricBasic) {
  Replay rp("historicaldata_BASIC-1.132153978");
  rp.run(true);
  ASSERT_FALSE(testing::Test::HasFatalFailure());
  rp.check_against_stream();
  const MarketBook* m = rp.cache.market("1.132153978");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->status, MarketStatus::Closed);
  EXPECT_TRUE(m->in_play);
  EXPECT_EQ(m->winners().size(), 1u);
  size_t removed = 0;
  for (const auto& r : m->runners) removed += r.status == RunnerStatus::Removed;
  EXPECT_EQ(removed, 2u);  // 14 declared, 12 ran
  EXPECT_EQ(rp.ref.mid, 0u);  // BASIC data carries ltp only
  EXPECT_GT(rp.ref.ltp, 0u);
  std::printf("[horse BASIC] messages=%zu runners=%zu removed=%zu winner=%lld inPlay from #%zu "
              "OPEN->SUSPENDED=%zu\n",
              rp.lines.size(), m->runners.size(), removed, (long long)m->winners()[0],
              rp.observed.first_in_play["1.132153978"],
              rp.observed.open_to_suspended["1.132153978"]);
}

}  // namespace
}  // namespace inplay::betfair
