// Span attributes held inline, and the Tracer's hand-off: recording moves
// spans into an inbox; a drain (the drain thread, or any reader first)
// stores and exports them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/attributes.h"
#include "telemetry/trace.h"

namespace inplay {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs pairs(const SpanAttributes& a) {
  Pairs out;
  for (const auto& [k, v] : a) out.emplace_back(std::string(k), v);
  return out;
}

TEST(SpanAttributes, ReadAsStringsInTheOrderSet) {
  Span s;
  s.attr(attr::kUser, "u_0123456789abcdef");
  s.attr(attr::kSelection, int64_t{42});
  s.attr(attr::kMarketId, int64_t{-7});
  EXPECT_EQ(s.attributes.size(), 3u);
  EXPECT_EQ(pairs(s.attributes),
            (Pairs{{"user", "u_0123456789abcdef"}, {"selection", "42"}, {"market_id", "-7"}}));
  EXPECT_EQ(s.attributes[1].first, attr::kSelection);
  EXPECT_EQ(s.attributes[1].second, "42");
}

TEST(SpanAttributes, LongTextsAndManyValuesKeepTheirOrder) {
  Span s;
  std::vector<std::pair<std::string, std::string>> want;
  const std::string long_text(40, 'x');
  static const std::string keys[12] = {"k0", "k1", "k2", "k3", "k4",  "k5",
                                       "k6", "k7", "k8", "k9", "k10", "k11"};
  for (int i = 0; i < 12; ++i) {
    if (i == 3) {
      s.attr(keys[i], long_text);  // rendered at once: held ones go first
      want.emplace_back(keys[i], long_text);
    } else if (i % 2) {
      s.attr(keys[i], int64_t{i});
      want.emplace_back(keys[i], std::to_string(i));
    } else {
      s.attr(keys[i], "v" + std::to_string(i));
      want.emplace_back(keys[i], "v" + std::to_string(i));
    }
  }
  EXPECT_EQ(s.attributes.size(), 12u);
  EXPECT_EQ(pairs(s.attributes), want);
  // Reading renders; setting more after a read still appends in order.
  s.attr(attr::kBetId, int64_t{9});
  want.emplace_back("bet_id", "9");
  EXPECT_EQ(pairs(s.attributes), want);
}

TEST(SpanAttributes, ExtremeIntsRenderInDecimal) {
  Span s;
  s.attr(attr::kBetId, INT64_MIN);
  s.attr(attr::kEventId, INT64_MAX);
  s.attr(attr::kMarketId, int64_t{0});
  EXPECT_EQ(pairs(s.attributes), (Pairs{{"bet_id", "-9223372036854775808"},
                                        {"event_id", "9223372036854775807"},
                                        {"market_id", "0"}}));
}

TEST(SpanAttributes, ContainsComparesTextAndIntsWithoutRendering) {
  Span s;
  s.attr(attr::kSynthetic, "true");
  s.attr(attr::kJournalSeq, int64_t{42});
  EXPECT_TRUE(s.attributes.contains(attr::kSynthetic, "true"));
  EXPECT_FALSE(s.attributes.contains(attr::kSynthetic, "tru"));
  EXPECT_TRUE(s.attributes.contains(attr::kJournalSeq, "42"));
  EXPECT_FALSE(s.attributes.contains(attr::kJournalSeq, "4"));
  EXPECT_FALSE(s.attributes.contains(attr::kBetId, "42"));
  s.attributes.render();
  EXPECT_TRUE(s.attributes.contains(attr::kJournalSeq, "42"));
}

TEST(SpanAttributes, CopiesAndMovesCarryHeldAndRenderedValues) {
  Span a;
  a.attr(attr::kUser, "u_1");
  a.attributes.render();
  a.attr(attr::kBetId, int64_t{5});  // one rendered, one held
  Span copy = a;
  Span moved = std::move(a);
  const Pairs want{{"user", "u_1"}, {"bet_id", "5"}};
  EXPECT_EQ(pairs(copy.attributes), want);
  EXPECT_EQ(pairs(moved.attributes), want);
  EXPECT_TRUE(a.attributes.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  Span assigned;
  assigned.attr(attr::kOutcome, "old");
  assigned = copy;
  EXPECT_EQ(pairs(assigned.attributes), want);
}

TEST(Tracer, StartInBuildsTheSpanInPlace) {
  Tracer t(10);
  std::vector<Span> spans = Tracer::span_buffer(3);
  EXPECT_TRUE(spans.empty());
  EXPECT_GE(spans.capacity(), 3u);
  Span& root = t.start_in(spans, "gateway", TraceContext{}, 5);
  const TraceContext ctx = root.context();
  Span& child = t.start_in(spans, "risk", ctx, 6);
  EXPECT_EQ(spans.size(), 2u);
  EXPECT_EQ(child.trace_id, spans[0].trace_id);
  EXPECT_EQ(child.parent_id, spans[0].span_id);
  EXPECT_FALSE(child.local_root);
  EXPECT_EQ(child.name, "risk");
  EXPECT_EQ(child.start_ns, 6);
  t.record_all(std::move(spans));
  EXPECT_TRUE(spans.empty());  // NOLINT(bugprone-use-after-move): empty by contract
  EXPECT_EQ(t.trace(ctx.trace_id).size(), 2u);
}

TEST(Tracer, ReadersSeeWhatWasRecordedBeforeTheyWereCalled) {
  Tracer t(100000);
  constexpr int kThreads = 4, kPerThread = 3000;
  std::vector<std::thread> writers;
  for (int w = 0; w < kThreads; ++w) {
    writers.emplace_back([&t, w] {
      for (int i = 0; i < kPerThread; i += 3) {
        if (w % 2) {
          std::vector<Span> batch = Tracer::span_buffer(3);
          Span& root = t.start_in(batch, "gateway", TraceContext{}, i);
          const TraceContext ctx = root.context();
          t.start_in(batch, "risk", ctx, i).attr(attr::kBetId, int64_t{i});
          t.start_in(batch, "journal", ctx, i);
          t.record_all(std::move(batch));
        } else {
          for (int k = 0; k < 3; ++k) t.record(t.start("hop", TraceContext{}, i));
        }
      }
    });
  }
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      (void)t.span_count();
      t.for_each_trace([](const StoredSpan* const*, size_t) {});
    }
  });
  for (auto& w : writers) w.join();
  EXPECT_EQ(t.span_count(), static_cast<size_t>(kThreads * kPerThread));
  done = true;
  reader.join();
  EXPECT_EQ(t.trace_count(), static_cast<size_t>(kThreads / 2 * kPerThread / 3 + kThreads / 2 * kPerThread));
}

TEST(Tracer, TheDrainThreadExportsWithoutAnyReader) {
  Tracer t(100);
  std::atomic<size_t> exported{0};
  t.set_exporter([&](const std::vector<Span>& v) {
    for (const Span& s : v) EXPECT_EQ(s.attributes.size(), 1u);
    exported += v.size();
  });
  for (int i = 0; i < 10; ++i) {
    Span s = t.start("feed", TraceContext{}, i);
    s.attr(attr::kFeed, "primary");
    t.record(std::move(s));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (exported.load() < 10 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(exported.load(), 10u);
  t.set_exporter({});
}

TEST(Tracer, AnIdleDrainThreadStillExportsTheNextSpan) {
  Tracer t(100);
  std::atomic<size_t> exported{0};
  t.set_exporter([&](const std::vector<Span>& v) { exported += v.size(); });
  auto wait_for = [&](size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (exported.load() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return exported.load();
  };
  t.record(t.start("feed", TraceContext{}, 1));
  EXPECT_EQ(wait_for(1), 1u);
  // Long enough for the drain thread to go idle (kIdleAfterRounds quiet periods).
  std::this_thread::sleep_for(std::chrono::milliseconds(Tracer::kIdleAfterRounds * Tracer::kDrainEveryMs * 3));
  t.record(t.start("feed", TraceContext{}, 2));
  EXPECT_EQ(wait_for(2), 2u);
  t.set_exporter({});
}

TEST(Tracer, SetExporterFlushesWhatWasRecordedToTheOldSink) {
  Tracer t(1000);
  std::atomic<size_t> old_sink{0}, new_sink{0};
  t.set_exporter([&](const std::vector<Span>& v) { old_sink += v.size(); });
  for (int i = 0; i < 200; ++i) t.record(t.start("feed", TraceContext{}, i));
  t.set_exporter([&](const std::vector<Span>& v) { new_sink += v.size(); });
  EXPECT_EQ(old_sink.load(), 200u);  // nothing in flight once it returns
  t.record(t.start("feed", TraceContext{}, 1000));
  t.set_exporter({});
  EXPECT_EQ(old_sink.load(), 200u);
  EXPECT_EQ(new_sink.load(), 1u);
}

// Copies handed out are rendered; a walk over the store reads the stored,
// packed spans (visit, contains, find): the same values in the same order,
// and a second walk sees the same.
TEST(Tracer, HandedOutSpansAreRenderedAndAWalkReadsWithoutRendering) {
  Tracer t(100);
  Span s = t.start("risk", TraceContext{}, 1);
  const TraceId id = s.trace_id;
  s.attr(attr::kSelection, int64_t{7});
  s.attr(attr::kLeague, "EPL");
  s.attr(attr::kSelection, int64_t{-9223372036854775807 - 1});
  t.record(std::move(s));
  auto spans = t.trace(id);
  ASSERT_EQ(spans.size(), 1u);
  ASSERT_EQ(spans[0].attributes.size(), 3u);
  EXPECT_EQ(spans[0].attributes[0].second, "7");
  EXPECT_EQ(spans[0].attributes[2].second, "-9223372036854775808");
  for (int walk = 0; walk < 2; ++walk)
    t.for_each_trace([&](const StoredSpan* const* stored, size_t n) {
      ASSERT_EQ(n, 1u);
      std::vector<std::pair<std::string, std::string>> seen;
      stored[0]->visit(
          [&](std::string_view k, std::string_view v) { seen.emplace_back(std::string(k), std::string(v)); });
      ASSERT_EQ(seen.size(), 3u);
      for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(seen[i].first, spans[0].attributes[i].first);
        EXPECT_EQ(seen[i].second, spans[0].attributes[i].second);
      }
      EXPECT_TRUE(stored[0]->contains(attr::kLeague, "EPL"));
      EXPECT_FALSE(stored[0]->contains(attr::kLeague, "Serie A"));
      char buf[20];
      EXPECT_EQ(stored[0]->find(attr::kSelection, buf), "7");  // the first of two
      EXPECT_EQ(stored[0]->find(attr::kLeague, buf), "EPL");
      EXPECT_FALSE(stored[0]->find(attr::kUser, buf));
    });
}

// The trace index against a model: spans of a few hundred traces, recorded
// in a random order into a small store, many times round the ring. Each
// trace's stored spans are exactly the model's (eviction oldest first).
TEST(Tracer, TheTraceIndexMatchesAModelAcrossEvictions) {
  constexpr size_t kCap = 64;
  Tracer t(kCap);
  std::vector<TraceId> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(t.new_trace_id());
  std::mt19937 rng(11);
  std::deque<size_t> model;  // trace index of each stored span, oldest first
  for (int i = 0; i < 20000; ++i) {
    const size_t k = rng() % (i < 10000 ? ids.size() : 40);  // later: fewer, longer traces
    t.record(t.start("hop", TraceContext{ids[k], t.new_span_id(), 1, true}, i));
    model.push_back(k);
    if (model.size() > kCap) model.pop_front();
    if (i % 997 == 0 || i == 19999) {
      std::map<size_t, size_t> want;
      for (size_t m : model) ++want[m];
      ASSERT_EQ(t.trace_count(), want.size()) << i;
      for (size_t j = 0; j < ids.size(); ++j) {
        auto w = want.find(j);
        ASSERT_EQ(t.trace(ids[j]).size(), w == want.end() ? 0u : w->second) << i << " " << j;
      }
    }
  }
  EXPECT_EQ(t.evicted(), 20000u - kCap);
}

}  // namespace
}  // namespace inplay
