#include "telemetry/sampler.h"

#include <gtest/gtest.h>

#include <random>

#include "telemetry/attributes.h"
#include "telemetry/metrics.h"

namespace inplay {
namespace {

constexpr int64_t kMs = 1000000;

// A trace id whose low 8 bytes (big-endian) are `low`.
TraceId id_with_low(uint64_t low, uint8_t high = 0x11) {
  TraceId id{};
  id.fill(high);
  for (int i = 15; i >= 8; --i) {
    id[i] = static_cast<uint8_t>(low & 0xff);
    low >>= 8;
  }
  return id;
}

// A whole bet-shaped trace: a gateway root, risk and journal children.
std::vector<Span> bet_trace(Tracer& t, int64_t start, int64_t duration, uint8_t flags = 1) {
  TraceContext caller{t.new_trace_id(), t.new_span_id(), flags, false};
  Span gw = t.start("gateway", caller, start);
  Span risk = t.start("risk", gw.context(), start + 1);
  risk.end_ns = start + 2;
  Span journal = t.start("journal", gw.context(), start + 2);
  journal.end_ns = start + duration - 1;
  gw.end_ns = start + duration;
  std::vector<Span> v;
  v.push_back(std::move(risk));
  v.push_back(std::move(journal));
  v.push_back(std::move(gw));
  return v;
}

SamplerOptions ratio(double r) {
  SamplerOptions o;
  o.ratio = r;
  o.slow_trace_ns = 0;
  o.slow_p99 = false;
  return o;
}

TEST(Sampler, RatioComparesTheLowEightBytesToRatioTimes2To64) {
  EXPECT_TRUE(TraceSampler::ratio_keeps(id_with_low(0), 1e-9));
  EXPECT_FALSE(TraceSampler::ratio_keeps(id_with_low(0), 0.0));
  EXPECT_TRUE(TraceSampler::ratio_keeps(id_with_low(~0ull), 1.0));
  EXPECT_FALSE(TraceSampler::ratio_keeps(id_with_low(~0ull), 0.999999));
  EXPECT_TRUE(TraceSampler::ratio_keeps(id_with_low(0x7fffffffffffffffull), 0.5));
  EXPECT_FALSE(TraceSampler::ratio_keeps(id_with_low(0x8000000000000000ull), 0.5));
  // 0.1 as a double is 0x1.999999999999ap-4, so the bound is 0x1999999999999a00.
  EXPECT_TRUE(TraceSampler::ratio_keeps(id_with_low(0x1999999999999a00ull - 1), 0.1));
  EXPECT_FALSE(TraceSampler::ratio_keeps(id_with_low(0x1999999999999a00ull), 0.1));
  // The high bytes play no part: the decision is the same in every service.
  EXPECT_EQ(TraceSampler::ratio_keeps(id_with_low(42, 0x00), 0.3), TraceSampler::ratio_keeps(id_with_low(42, 0xff), 0.3));
}

TEST(Sampler, RatioKeepsAboutThatShareOfRandomTraces) {
  Tracer t(10);
  TraceSampler s(ratio(0.1));
  int kept = 0;
  for (int i = 0; i < 20000; ++i) kept += s.head(t.new_trace_id(), 1);
  EXPECT_GT(kept, 1700);
  EXPECT_LT(kept, 2300);
}

TEST(Sampler, HeadOnlyTracesAreKeptOrDroppedByRatioAndCounted) {
  Tracer t(10);
  Counter kept_ratio, dropped_ratio;
  TraceSampler::Counters c{};
  c[static_cast<size_t>(SampleReason::kRatio)] = &kept_ratio;
  c[static_cast<size_t>(SampleReason::kDroppedRatio)] = &dropped_ratio;
  TraceSampler all(ratio(1.0), c), none(ratio(0.0), c);
  EXPECT_EQ(all.admit(bet_trace(t, 0, 10)).size(), 3u);
  EXPECT_TRUE(none.admit(bet_trace(t, 0, 10)).empty());
  EXPECT_EQ(all.decisions(SampleReason::kRatio), 1u);
  EXPECT_EQ(none.decisions(SampleReason::kDroppedRatio), 1u);
  EXPECT_EQ(kept_ratio.value(), 1u);
  EXPECT_EQ(dropped_ratio.value(), 1u);
  EXPECT_EQ(none.kept(), 0u);
  EXPECT_EQ(none.dropped(), 1u);
}

TEST(Sampler, AnUnsampledParentIsAHeadDropButTailRulesStillKeep) {
  Tracer t(10);
  TraceSampler s(ratio(1.0));
  EXPECT_FALSE(s.head(t.new_trace_id(), 0));
  EXPECT_TRUE(s.admit(bet_trace(t, 0, 10, /*flags=*/0)).empty());
  EXPECT_EQ(s.decisions(SampleReason::kDroppedUnsampled), 1u);
  auto failed = bet_trace(t, 0, 10, 0);
  failed[0].error = true;
  EXPECT_EQ(s.admit(std::move(failed)).size(), 3u);
  EXPECT_EQ(s.decisions(SampleReason::kError), 1u);
}

TEST(Sampler, KeepsEveryTraceWithAnErrorSpan) {
  Tracer t(10);
  TraceSampler s(ratio(0.0));
  for (int i = 0; i < 50; ++i) {
    auto tr = bet_trace(t, 0, 10);
    tr[i % 3].error = true;
    EXPECT_EQ(s.admit(std::move(tr)).size(), 3u);
  }
  EXPECT_EQ(s.decisions(SampleReason::kError), 50u);
}

TEST(Sampler, KeepsSyntheticTraces) {
  Tracer t(10);
  TraceSampler s(ratio(0.0));
  auto tr = bet_trace(t, 0, 10);
  tr[2].attr(attr::kSynthetic, "true");
  EXPECT_EQ(s.admit(std::move(tr)).size(), 3u);
  auto not_synthetic = bet_trace(t, 0, 10);
  not_synthetic[2].attr(attr::kSynthetic, "false");
  EXPECT_TRUE(s.admit(std::move(not_synthetic)).empty());
  EXPECT_EQ(s.decisions(SampleReason::kSynthetic), 1u);
}

TEST(Sampler, KeepsTracesOverTheSlowThreshold) {
  Tracer t(10);
  SamplerOptions o = ratio(0.0);
  o.slow_trace_ns = 100 * kMs;
  TraceSampler s(o);
  EXPECT_TRUE(s.admit(bet_trace(t, 5, 100 * kMs)).empty());  // at the threshold: not over it
  EXPECT_EQ(s.admit(bet_trace(t, 5, 100 * kMs + 1)).size(), 3u);
  EXPECT_EQ(s.decisions(SampleReason::kSlow), 1u);
}

TEST(Sampler, KeepsTracesOverTheRunningP99OnceItHasSeenEnough) {
  Tracer t(10);
  SamplerOptions o = ratio(0.0);
  o.slow_p99 = true;
  o.p99_min_traces = 100;
  TraceSampler s(o);
  // Before 100 traces, the p99 rule is off.
  EXPECT_TRUE(s.admit(bet_trace(t, 0, 500 * kMs)).empty());
  for (int i = 0; i < 300; ++i) s.admit(bet_trace(t, 0, (1 + i % 10) * kMs));
  EXPECT_GE(s.p99_ns(), 10 * kMs);
  EXPECT_LT(s.p99_ns(), 12 * kMs);
  EXPECT_EQ(s.admit(bet_trace(t, 0, 40 * kMs)).size(), 3u);
  EXPECT_EQ(s.decisions(SampleReason::kSlowP99), 1u);
  EXPECT_TRUE(s.admit(bet_trace(t, 0, 5 * kMs)).empty());
}

TEST(Sampler, ClaimedExemplarsAreKeptAndKeepEveryBucketFresh) {
  Tracer t(10);
  SamplerOptions o = ratio(0.0);
  o.exemplar_refresh_ns = 1000 * kMs;
  TraceSampler s(o);
  const std::vector<int64_t> bounds{1 * kMs, 10 * kMs};
  Histogram h(&bounds);
  auto observe = [&](std::vector<Span>& tr, int64_t value, int64_t now, bool error = false) {
    TraceContext ctx = tr.back().context();  // the gateway's
    bool claimed = s.claim_exemplar(ctx, error, h, value, now);
    if (claimed) h.observe(value, ctx.trace_id, now);
    else h.observe(value);
    return claimed;
  };
  // The first in a bucket becomes its exemplar, and is kept for that.
  auto first = bet_trace(t, 0, 10);
  const TraceId first_id = first[0].trace_id;
  EXPECT_TRUE(observe(first, 500000, 0));
  EXPECT_EQ(s.admit(std::move(first)).size(), 3u);
  EXPECT_EQ(s.decisions(SampleReason::kExemplar), 1u);
  EXPECT_EQ(h.exemplar(0).trace_id, first_id);
  // Another in the same bucket while the exemplar is fresh: dropped, and
  // the exemplar still points at a kept trace.
  auto second = bet_trace(t, 0, 10);
  EXPECT_FALSE(observe(second, 600000, 500 * kMs));
  EXPECT_TRUE(s.admit(std::move(second)).empty());
  EXPECT_EQ(h.exemplar(0).trace_id, first_id);
  // Another bucket has no exemplar yet.
  auto other = bet_trace(t, 0, 10);
  EXPECT_TRUE(observe(other, 5 * kMs, 500 * kMs));
  EXPECT_EQ(s.admit(std::move(other)).size(), 3u);
  // Past the refresh interval the bucket takes a new one.
  auto later = bet_trace(t, 0, 10);
  EXPECT_TRUE(observe(later, 700000, 1000 * kMs));
  EXPECT_EQ(s.admit(std::move(later)).size(), 3u);
  EXPECT_EQ(s.decisions(SampleReason::kExemplar), 3u);
  // A rejected bet is claimed as an error even without an error span.
  auto rejected = bet_trace(t, 0, 10);
  EXPECT_TRUE(observe(rejected, 600000, 1000 * kMs, /*error=*/true));
  EXPECT_EQ(s.admit(std::move(rejected)).size(), 3u);
  EXPECT_EQ(s.decisions(SampleReason::kError), 1u);
}

TEST(Sampler, HeadKeptTracesMayBeExemplarsWithoutForcing) {
  Tracer t(10);
  TraceSampler s(ratio(1.0));
  const std::vector<int64_t> bounds{kMs};
  Histogram h(&bounds);
  auto tr = bet_trace(t, 0, 10);
  EXPECT_TRUE(s.claim_exemplar(tr.back().context(), false, h, 5, 0));
  EXPECT_EQ(s.admit(std::move(tr)).size(), 3u);
  EXPECT_EQ(s.decisions(SampleReason::kRatio), 1u);
  EXPECT_EQ(s.decisions(SampleReason::kExemplar), 0u);
}

TEST(Sampler, PiecesWaitForTheLocalRootAndLatePiecesFollowTheDecision) {
  Tracer t(10);
  SamplerOptions o = ratio(0.0);
  o.slow_trace_ns = 100 * kMs;
  TraceSampler s(o);
  // The engine's spans come first (short), the gateway (the root) after: the
  // whole trace is slow, so all of it is kept.
  auto tr = bet_trace(t, 0, 200 * kMs);
  Span gw = std::move(tr.back());
  tr.pop_back();
  tr[1].end_ns = 3;  // the engine part alone is fast
  EXPECT_TRUE(s.admit(std::move(tr)).empty());
  EXPECT_EQ(s.parked(), 1u);
  EXPECT_EQ(s.kept() + s.dropped(), 0u);
  const TraceId id = gw.trace_id;
  std::vector<Span> root;
  root.push_back(std::move(gw));
  auto out = s.admit(std::move(root));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(s.parked(), 0u);
  EXPECT_EQ(s.decisions(SampleReason::kSlow), 1u);
  // A late piece of the kept trace is kept, without a second decision.
  Span late = t.start("audit", out.back().context(), 5);
  std::vector<Span> piece;
  piece.push_back(std::move(late));
  EXPECT_EQ(s.admit(std::move(piece)).size(), 1u);
  EXPECT_EQ(s.kept(), 1u);
  // A late piece of a dropped trace is dropped.
  auto fast = bet_trace(t, 0, 10);
  Span fast_root = fast.back();
  EXPECT_TRUE(s.admit(std::move(fast)).empty());
  std::vector<Span> late_fast;
  late_fast.push_back(t.start("late", fast_root.context(), 20));
  EXPECT_TRUE(s.admit(std::move(late_fast)).empty());
  EXPECT_EQ(s.dropped(), 1u);
  EXPECT_EQ(s.parked(), 0u);
  (void)id;
}

TEST(Sampler, TheParkIsBoundedAndJudgesTheOldestWithWhatItHas) {
  Tracer t(10);
  SamplerOptions o = ratio(0.0);
  o.max_parked_traces = 2;
  TraceSampler s(o);
  std::vector<TraceId> ids;
  for (int i = 0; i < 3; ++i) {
    auto tr = bet_trace(t, 0, 10);
    tr.pop_back();  // no root: parked
    if (i == 0) tr[0].error = true;
    ids.push_back(tr[0].trace_id);
    auto out = s.admit(std::move(tr));
    if (i < 2) {
      EXPECT_TRUE(out.empty());
    } else {
      ASSERT_EQ(out.size(), 2u);  // the oldest, judged (an error: kept) to make room
      EXPECT_EQ(out[0].trace_id, ids[0]);
    }
  }
  EXPECT_EQ(s.parked(), 2u);
  EXPECT_EQ(s.decisions(SampleReason::kError), 1u);
}

TEST(Sampler, TracerStoresAndExportsOnlyKeptTraces) {
  Tracer t(100);
  auto s = std::make_shared<TraceSampler>(ratio(0.0));
  t.set_sampler(s);
  size_t exported = 0;
  t.set_exporter([&](const std::vector<Span>& v) { exported += v.size(); });
  ASSERT_EQ(t.sampler(), s.get());
  auto ok = bet_trace(t, 0, 10);
  auto bad = bet_trace(t, 0, 10);
  bad[0].error = true;
  const TraceId ok_id = ok[0].trace_id, bad_id = bad[0].trace_id;
  for (auto* tr : {&ok, &bad}) {
    Span gw = std::move(tr->back());
    tr->pop_back();
    t.record_all(std::move(*tr));
    EXPECT_EQ(t.span_count(), tr == &ok ? 0u : 0u);  // parked until the gateway
    t.record(std::move(gw));
  }
  EXPECT_TRUE(t.trace(ok_id).empty());
  EXPECT_EQ(t.trace(bad_id).size(), 3u);
  EXPECT_EQ(t.span_count(), 3u);
  EXPECT_EQ(exported, 3u);
}

TEST(Sampler, SpansInheritFlagsAndKnowTheirLocalRoot) {
  Tracer t(10);
  auto remote = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(remote && !remote->local);
  Span gw = t.start("gateway", *remote, 1);
  EXPECT_TRUE(gw.local_root);
  EXPECT_EQ(gw.flags, 0);
  EXPECT_EQ(format_traceparent(gw.context()).substr(53), "00");  // propagated, not forced to 01
  Span child = t.start("risk", gw.context(), 2);
  EXPECT_FALSE(child.local_root);
  EXPECT_EQ(child.flags, 0);
  Span fresh = t.start("gateway", TraceContext{}, 1);
  EXPECT_TRUE(fresh.local_root);
  EXPECT_EQ(fresh.flags, 1);
}

TEST(RunningP99, BucketsBoundTheirValuesWithinAnEighth) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{8}, int64_t{9}, int64_t{1000},
                    int64_t{123456789}, int64_t{1} << 40, INT64_MAX}) {
    const int b = RunningP99::bucket_of(v);
    ASSERT_LT(b, RunningP99::kBuckets) << v;
    EXPECT_GE(RunningP99::upper_bound(b), v) << v;
    if (b > 0) {
      EXPECT_LT(RunningP99::upper_bound(b - 1), v) << v;
    }
    EXPECT_LE(static_cast<double>(RunningP99::upper_bound(b)), static_cast<double>(v) * 1.125 + 1) << v;
  }
}

TEST(RunningP99, TracksThe99thPercentileAndFollowsAShift) {
  RunningP99 p(1000);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> fast(1, 1000000);  // up to 1 ms
  for (int i = 0; i < 5000; ++i) p.observe(fast(rng));
  EXPECT_GT(p.value(), 970000);
  EXPECT_LT(p.value(), 1130000);
  std::uniform_int_distribution<int64_t> slow(1, 100000000);  // up to 100 ms
  for (int i = 0; i < 20000; ++i) p.observe(slow(rng));
  EXPECT_GT(p.value(), 90000000);
  EXPECT_EQ(p.observed(), 25000u);
}

}  // namespace
}  // namespace inplay
