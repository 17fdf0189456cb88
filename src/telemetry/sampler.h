// TraceSampler: which finished traces the Tracer keeps (issue 4: telemetry
// complete and cheap). Set on the Tracer (Tracer::set_sampler); it sees
// every finished span and passes on only the spans of kept traces, so the
// store and the OTLP exporter hold what matters and little else.
//
// Head: the bulk is kept with probability `ratio`, decided from the trace id
// alone as OpenTelemetry's TraceIdRatioBased does (bytes 8..15 of the id,
// read big-endian, below ratio * 2^64), so every service with the same ratio
// takes the same decision for the same trace. A caller's traceparent with
// the sampled flag clear is a head "drop" (tail rules still apply).
//
// Tail: whatever the head said, a trace is kept when, once whole,
//   - any span has `error` set                            reason "error"
//   - any span carries synthetic="true"                   reason "synthetic"
//   - its duration (last end - first start) is over
//     slow_trace_ns                                       reason "slow"
//   - or over the running p99 of the durations the
//     sampler has seen (RunningP99)                       reason "slow_p99"
//   - it was claimed as a histogram exemplar, or as an
//     error, before its spans arrived (claim_exemplar)     reason "exemplar" / "error"
// Otherwise it is kept by the head ("ratio") or dropped ("ratio" or
// "parent_unsampled"). Every decision is counted once per trace.
//
// A trace arrives in pieces: the engine hands a bet's spans over in one go
// when the decision is durable, and the HTTP layer its gateway span (the
// trace's local root, which ends last) right after. Pieces without the local
// root are parked until it comes, so the whole trace is judged at once; a
// piece of an already decided trace follows that decision. The park is
// bounded (max_parked_traces): past it the oldest parked trace is judged
// with what it has.
//
// Thread-safe: one mutex for the park and the decisions (the Tracer's
// draining thread holds it while it admits), and a second, short one for the
// claims, so the engine's claim_exemplar never waits behind an admit. The
// work per trace is one pass over its spans.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "telemetry/trace.h"

namespace inplay {

class Counter;
class Histogram;

// Why a trace was kept or dropped (the `reason` label of
// traces_sampled_total; the `decision` label follows from it).
enum class SampleReason : uint8_t {
  kRatio,            // kept by the head ratio
  kError,            // a span with error, or a rejected bet
  kSynthetic,        // synthetic="true" (probes, game days)
  kSlow,             // duration over slow_trace_ns
  kSlowP99,          // duration over the running p99
  kExemplar,         // the trace became a histogram exemplar
  kDroppedRatio,     // dropped by the head ratio
  kDroppedUnsampled, // dropped: the caller's traceparent said not sampled
  kCount
};
inline constexpr size_t kSampleReasonCount = static_cast<size_t>(SampleReason::kCount);
bool sample_reason_kept(SampleReason r);
// The label values: decision "kept" | "dropped", reason "ratio", "error", ...
const char* sample_reason_label(SampleReason r);
const char* sample_decision_label(SampleReason r);

// A cheap running p99 of durations (ns): a log-linear histogram (8 buckets
// per power of two, so a value is known to within 12.5%) whose counts are
// halved each time `window` observations have accumulated, so it follows
// the recent traffic. value() is the upper bound of the bucket holding the
// 99th percentile, recomputed every 16 observations. Not thread-safe.
class RunningP99 {
 public:
  explicit RunningP99(uint64_t window = 10000);
  void observe(int64_t ns);
  int64_t value() const { return p99_; }  // 0 until something is seen
  uint64_t observed() const { return observed_; }  // lifetime count

  static constexpr int kSubBits = 3;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = kSub * (64 - kSubBits);
  static int bucket_of(int64_t ns);
  static int64_t upper_bound(int bucket);

 private:
  void recompute();
  uint64_t window_;
  std::array<uint32_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  uint64_t observed_ = 0;
  uint32_t since_recompute_ = 0;
  int64_t p99_ = 0;
};

struct SamplerOptions {
  double ratio = 1.0;                       // telemetry.sample_ratio, 0..1
  int64_t slow_trace_ns = 10'000'000'000;   // telemetry.slow_trace_ms; 0: off
  bool slow_p99 = true;                     // telemetry.slow_p99
  uint64_t p99_min_traces = 100;            // the p99 rule waits for this many traces
  int64_t exemplar_refresh_ns = 10'000'000'000;  // telemetry.exemplar_refresh_ms
  size_t max_parked_traces = 4096;
  size_t decision_memory = 16384;           // recent decisions remembered for late pieces
};

class TraceSampler {
 public:
  // counters[r], if set, counts decisions with reason r (runtime binds them
  // to traces_sampled_total{decision,reason}).
  using Counters = std::array<Counter*, kSampleReasonCount>;
  explicit TraceSampler(SamplerOptions options = {}, Counters counters = {});

  // The head decision alone: flags bit 0 clear is a drop; otherwise the ratio.
  bool head(const TraceId& id, uint8_t flags) const;
  static bool ratio_keeps(const TraceId& id, double ratio);

  // For a histogram whose exemplars must resolve to kept traces (the
  // accept-latency histogram, observed once per bet before its spans are
  // handed over). True when the trace will be kept, so the caller may store
  // it as the bucket's exemplar: it is a rejected bet (`error`, kept as
  // such), the head keeps it, or the bucket's exemplar is absent or older
  // than exemplar_refresh_ns (then the trace is kept for that reason, which
  // keeps every bucket's exemplar fresh). False: observe without exemplar.
  bool claim_exemplar(const TraceContext& trace, bool error, const Histogram& h, int64_t value,
                      int64_t now_ns);

  // Takes finished spans (one or more traces, in pieces) and returns the
  // spans to store now: those of kept traces, parked pieces included.
  std::vector<Span> admit(std::vector<Span>&& spans);
  // The same, appending to out; spans is left holding moved-from spans (the
  // Tracer's drain, which reuses both buffers).
  void admit_into(std::vector<Span>& spans, std::vector<Span>& out);

  uint64_t decisions(SampleReason r) const { return counts_[static_cast<size_t>(r)].load(std::memory_order_relaxed); }
  uint64_t kept() const;
  uint64_t dropped() const;
  int64_t p99_ns() const;  // the running estimate (0 before anything is seen)
  size_t parked() const;
  const SamplerOptions& options() const { return opt_; }

 private:
  struct Parked {
    std::vector<Span> spans;
    uint64_t order;
  };
  // Judges a whole trace, remembers and counts the decision. mu_ held.
  bool decide_locked(const TraceId& id, const std::vector<Span>& spans);
  SampleReason take_forced(const TraceId& id);  // kCount if none
  void remember_locked(const TraceId& id, bool kept);
  void force(const TraceId& id, SampleReason r);
  void admit_trace_locked(std::vector<Span>&& piece, std::vector<Span>& out);
  void unpark_oldest_locked(std::vector<Span>& out);
  void count(SampleReason r);

  SamplerOptions opt_;
  Counters counters_;
  std::array<std::atomic<uint64_t>, kSampleReasonCount> counts_{};
  mutable std::mutex mu_;
  RunningP99 p99_;
  std::unordered_map<TraceId, Parked, TraceIdHash> parked_;
  std::deque<std::pair<TraceId, uint64_t>> parked_order_;  // may hold stale entries
  uint64_t next_order_ = 0;
  std::unordered_map<TraceId, bool, TraceIdHash> decided_;  // true: kept
  std::deque<TraceId> decided_order_;
  std::mutex forced_mu_;  // guards forced_ and forced_order_; taken after mu_
  std::unordered_map<TraceId, SampleReason, TraceIdHash> forced_;
  std::deque<TraceId> forced_order_;
};

}  // namespace inplay
