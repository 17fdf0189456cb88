#include "telemetry/trace.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "telemetry/attributes.h"

namespace inplay {
namespace {

constexpr std::string_view kGood = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(Traceparent, RoundTrips) {
  auto ctx = parse_traceparent(kGood);
  ASSERT_TRUE(ctx.has_value());
  EXPECT_TRUE(ctx->valid());
  EXPECT_EQ(to_hex(ctx->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(to_hex(ctx->span_id), "00f067aa0ba902b7");
  EXPECT_EQ(ctx->flags, 1);
  EXPECT_EQ(format_traceparent(*ctx), kGood);

  auto unsampled = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_EQ(unsampled->flags, 0);
}

TEST(Traceparent, RejectsMalformed) {
  const std::string good(kGood);
  auto with = [&](size_t pos, char c) {
    std::string s = good;
    s[pos] = c;
    return s;
  };
  const std::vector<std::string> bad = {
      "",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // unknown version
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper-case trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",  // upper-case span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",  // upper-case flags
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero span id
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",   // short trace id
      "00-4bf92f3577b34da6a3ce929d0e0e47361-00f067aa0ba902b7-01", // long trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",   // short span id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",   // short flags
      good + "-extra",                                            // v00 has no suffix
      good + " ",
      " " + good.substr(1),
      with(2, '_'), with(35, '.'), with(52, ' '),                 // bad separators
      with(10, 'g'), with(40, 'z'), with(54, 'x'),                // non-hex
  };
  for (const auto& s : bad) EXPECT_FALSE(parse_traceparent(s).has_value()) << "'" << s << "'";
}

TEST(Traceparent, ParseTraceIdAcceptsEitherCase) {
  TraceId id{};
  ASSERT_TRUE(parse_trace_id("4BF92F3577B34DA6A3CE929D0E0E4736", id));
  EXPECT_EQ(to_hex(id), "4bf92f3577b34da6a3ce929d0e0e4736");
  TraceId keep = id;
  EXPECT_FALSE(parse_trace_id("4bf92f3577b34da6a3ce929d0e0e473", id));
  EXPECT_FALSE(parse_trace_id("4bf92f3577b34da6a3ce929d0e0e473g", id));
  EXPECT_EQ(id, keep);  // untouched on failure
}

TEST(Tracer, LinksParentAndChild) {
  Tracer t(100);
  Span root = t.start("gateway", TraceContext{}, 1000);
  EXPECT_TRUE(root.context().valid());
  EXPECT_EQ(root.parent_id, SpanId{});
  Span child = t.start("risk", root.context(), 2000);
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_EQ(child.parent_id, root.span_id);
  EXPECT_NE(child.span_id, root.span_id);
  EXPECT_EQ(child.name, "risk");
  EXPECT_EQ(child.start_ns, 2000);

  // Joining a caller's traceparent.
  auto remote = parse_traceparent(kGood);
  Span joined = t.start("gateway", *remote, 5);
  EXPECT_EQ(joined.trace_id, remote->trace_id);
  EXPECT_EQ(joined.parent_id, remote->span_id);

  Span other = t.start("gateway", TraceContext{}, 1);
  EXPECT_NE(other.trace_id, root.trace_id);
}

TEST(Tracer, UnknownTraceIsEmpty) {
  Tracer t(10);
  t.record(t.start("feed", TraceContext{}, 1));
  EXPECT_TRUE(t.trace(t.new_trace_id()).empty());
  EXPECT_TRUE(t.trace(TraceId{}).empty());
}

TEST(Tracer, TraceFindsRecordedSpans) {
  Tracer t(100);
  Span root = t.start("gateway", TraceContext{}, 100);
  const TraceId id = root.trace_id;
  Span risk = t.start("risk", root.context(), 200);
  risk.attr(attr::kJournalSeq, int64_t{42});
  Span wallet = t.start("wallet", risk.context(), 300);
  wallet.attr(attr::kPspRoute, "card");
  t.record(std::move(wallet));
  t.record(t.start("feed", TraceContext{}, 150));
  t.record(std::move(risk));
  t.record(std::move(root));
  auto spans = t.trace(id);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].name, "gateway");
  EXPECT_EQ(spans[1].name, "risk");
  EXPECT_EQ(spans[2].name, "wallet");
  EXPECT_EQ(spans[1].parent_id, spans[0].span_id);
  EXPECT_EQ(spans[2].parent_id, spans[1].span_id);
  ASSERT_EQ(spans[1].attributes.size(), 1u);
  EXPECT_EQ(spans[1].attributes[0].first, attr::kJournalSeq);
  EXPECT_EQ(spans[1].attributes[0].second, "42");
  EXPECT_EQ(t.evicted(), 0u);
}

TEST(Tracer, EvictsOldestOverCapacity) {
  Tracer t(4);
  Span a = t.start("a", TraceContext{}, 1);
  const TraceId ta = a.trace_id;
  Span a2 = t.start("a2", a.context(), 2);
  t.record(std::move(a));
  t.record(std::move(a2));
  std::vector<TraceId> later;
  for (int i = 0; i < 3; ++i) {
    Span s = t.start("b", TraceContext{}, 10 + i);
    later.push_back(s.trace_id);
    t.record(std::move(s));
  }
  EXPECT_EQ(t.evicted(), 1u);
  auto left = t.trace(ta);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].name, "a2");
  t.record(t.start("c", TraceContext{}, 20));
  EXPECT_EQ(t.evicted(), 2u);
  EXPECT_TRUE(t.trace(ta).empty());
  for (auto& id : later) EXPECT_EQ(t.trace(id).size(), 1u);
  // Wrap around the ring several times: the store stays bounded and consistent.
  for (int i = 0; i < 50; ++i) t.record(t.start("d", TraceContext{}, 100 + i));
  EXPECT_EQ(t.evicted(), 52u);
  for (auto& id : later) EXPECT_TRUE(t.trace(id).empty());
}

TEST(Tracer, IdsAreUniqueAcrossThreads) {
  Tracer t(1000);
  std::vector<SpanId> a, b;
  std::thread ta([&] { for (int i = 0; i < 10000; ++i) a.push_back(t.new_span_id()); });
  std::thread tb([&] { for (int i = 0; i < 10000; ++i) b.push_back(t.new_span_id()); });
  ta.join();
  tb.join();
  std::set<SpanId> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 20000u);
  EXPECT_EQ(all.count(SpanId{}), 0u);
}

TEST(Tracer, ConcurrentRecordAndRead) {
  Tracer t(256);
  Span root = t.start("root", TraceContext{}, 0);
  auto ctx = root.context();
  auto work = [&] {
    for (int i = 0; i < 5000; ++i) {
      Span s = t.start("hop", ctx, i);
      s.attr(attr::kBetId, "b");
      t.record(std::move(s));
      if (i % 100 == 0) (void)t.trace(ctx.trace_id);
    }
  };
  std::thread x(work), y(work);
  x.join();
  y.join();
  EXPECT_EQ(t.trace(ctx.trace_id).size(), 256u);
  EXPECT_EQ(t.evicted(), 10000u - 256u);
}

}  // namespace
}  // namespace inplay
