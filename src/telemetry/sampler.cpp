#include "telemetry/sampler.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <iterator>

#include "telemetry/attributes.h"
#include "telemetry/metrics.h"

namespace inplay {

namespace {

struct ReasonInfo {
  const char* label;
  bool kept;
};
constexpr std::array<ReasonInfo, kSampleReasonCount> kReasons{{
    {"ratio", true},
    {"error", true},
    {"synthetic", true},
    {"slow", true},
    {"slow_p99", true},
    {"exemplar", true},
    {"ratio", false},
    {"parent_unsampled", false},
}};

// What one pass over a trace's spans says about it.
struct TraceFacts {
  int64_t duration_ns = 0;
  bool error = false;
  bool synthetic = false;
  bool unsampled = false;
};

TraceFacts facts_of(const std::vector<Span>& spans) {
  TraceFacts f;
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const Span& s : spans) {
    first = std::min(first, s.start_ns);
    last = std::max(last, s.end_ns);
    f.error |= s.error;
    f.unsampled |= (s.flags & 1) == 0;
    f.synthetic |= s.attributes.contains(attr::kSynthetic, "true");
  }
  if (last > first) f.duration_ns = last - first;
  return f;
}

}  // namespace

bool sample_reason_kept(SampleReason r) { return kReasons[static_cast<size_t>(r)].kept; }
const char* sample_reason_label(SampleReason r) { return kReasons[static_cast<size_t>(r)].label; }
const char* sample_decision_label(SampleReason r) { return sample_reason_kept(r) ? "kept" : "dropped"; }

// ---------------------------------------------------------------- RunningP99

RunningP99::RunningP99(uint64_t window) : window_(std::max<uint64_t>(window, 100)) {}

int RunningP99::bucket_of(int64_t ns) {
  if (ns < kSub) return ns < 0 ? 0 : static_cast<int>(ns);
  const int e = std::bit_width(static_cast<uint64_t>(ns)) - 1;  // floor(log2), >= kSubBits
  const int mant = static_cast<int>((static_cast<uint64_t>(ns) >> (e - kSubBits)) & (kSub - 1));
  return kSub * (e - kSubBits + 1) + mant;
}

int64_t RunningP99::upper_bound(int bucket) {
  if (bucket < kSub) return bucket;
  const int e = bucket / kSub + kSubBits - 1;
  const uint64_t mant = static_cast<uint64_t>(bucket % kSub);
  const uint64_t top = ((kSub + mant + 1) << (e - kSubBits)) - 1;
  return top > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(top);
}

void RunningP99::observe(int64_t ns) {
  ++counts_[bucket_of(ns)];
  ++total_;
  ++observed_;
  if (total_ >= 2 * window_) {  // decay: the older half of the evidence fades
    total_ = 0;
    for (auto& c : counts_) total_ += (c >>= 1);
  }
  if (++since_recompute_ >= 16 || observed_ <= 16) recompute();
}

void RunningP99::recompute() {
  since_recompute_ = 0;
  if (total_ == 0) return;
  const uint64_t rank = total_ - total_ / 100;  // ceil(0.99 * total) for total >= 1
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[b];
    if (seen >= rank) {
      p99_ = upper_bound(b);
      return;
    }
  }
}

// -------------------------------------------------------------- TraceSampler

TraceSampler::TraceSampler(SamplerOptions options, Counters counters)
    : opt_(options), counters_(counters) {
  opt_.max_parked_traces = std::max<size_t>(opt_.max_parked_traces, 1);
  opt_.decision_memory = std::max<size_t>(opt_.decision_memory, 1);
}

bool TraceSampler::ratio_keeps(const TraceId& id, double ratio) {
  if (ratio >= 1.0) return true;
  if (!(ratio > 0.0)) return false;
  uint64_t x = 0;
  for (size_t i = 8; i < 16; ++i) x = x << 8 | id[i];
  const auto bound = static_cast<uint64_t>(std::ldexp(ratio, 64));  // < 2^64 as ratio < 1
  return x < bound;
}

bool TraceSampler::head(const TraceId& id, uint8_t flags) const {
  return (flags & 1) != 0 && ratio_keeps(id, opt_.ratio);
}

bool TraceSampler::claim_exemplar(const TraceContext& trace, bool error, const Histogram& h,
                                  int64_t value, int64_t now_ns) {
  if (error) {
    force(trace.trace_id, SampleReason::kError);
    return true;
  }
  if (head(trace.trace_id, trace.flags)) return true;
  const auto& b = h.bounds();
  const size_t bucket = static_cast<size_t>(std::lower_bound(b.begin(), b.end(), value) - b.begin());
  const Exemplar ex = h.exemplar(bucket);
  if (ex.present && now_ns - ex.time_ns < opt_.exemplar_refresh_ns) return false;
  force(trace.trace_id, SampleReason::kExemplar);
  return true;
}

std::vector<Span> TraceSampler::admit(std::vector<Span>&& spans) {
  std::vector<Span> out;
  admit_into(spans, out);
  return out;
}

void TraceSampler::admit_into(std::vector<Span>& spans, std::vector<Span>& out) {
  if (spans.empty()) return;
  std::lock_guard<std::mutex> g(mu_);
  // Usually one trace; split by trace id, keeping each piece's order.
  size_t i = 0;
  while (i < spans.size()) {
    size_t j = i + 1;
    while (j < spans.size() && spans[j].trace_id == spans[i].trace_id) ++j;
    std::vector<Span> piece(std::make_move_iterator(spans.begin() + i),
                            std::make_move_iterator(spans.begin() + j));
    admit_trace_locked(std::move(piece), out);
    i = j;
  }
  while (parked_.size() > opt_.max_parked_traces || parked_order_.size() > 2 * opt_.max_parked_traces)
    unpark_oldest_locked(out);
}

void TraceSampler::admit_trace_locked(std::vector<Span>&& piece, std::vector<Span>& out) {
  const TraceId id = piece.front().trace_id;
  if (auto d = decided_.find(id); d != decided_.end()) {  // a late piece follows its trace
    if (d->second) std::move(piece.begin(), piece.end(), std::back_inserter(out));
    return;
  }
  const bool whole = std::any_of(piece.begin(), piece.end(), [](const Span& s) { return s.local_root; });
  auto p = parked_.find(id);
  if (!whole) {
    if (p == parked_.end()) {
      parked_.emplace(id, Parked{std::move(piece), next_order_});
      parked_order_.emplace_back(id, next_order_++);
    } else {
      std::move(piece.begin(), piece.end(), std::back_inserter(p->second.spans));
    }
    return;
  }
  std::vector<Span> trace;
  if (p != parked_.end()) {
    trace = std::move(p->second.spans);
    parked_.erase(p);
    std::move(piece.begin(), piece.end(), std::back_inserter(trace));
  } else {
    trace = std::move(piece);
  }
  if (decide_locked(id, trace)) std::move(trace.begin(), trace.end(), std::back_inserter(out));
}

void TraceSampler::unpark_oldest_locked(std::vector<Span>& out) {
  auto [id, order] = parked_order_.front();
  parked_order_.pop_front();
  auto p = parked_.find(id);
  if (p == parked_.end() || p->second.order != order) return;  // decided meanwhile
  std::vector<Span> trace = std::move(p->second.spans);
  parked_.erase(p);
  if (decide_locked(id, trace)) std::move(trace.begin(), trace.end(), std::back_inserter(out));
}

bool TraceSampler::decide_locked(const TraceId& id, const std::vector<Span>& spans) {
  const TraceFacts f = facts_of(spans);
  const SampleReason forced = take_forced(id);
  const bool slow = opt_.slow_trace_ns > 0 && f.duration_ns > opt_.slow_trace_ns;
  const bool over_p99 =
      opt_.slow_p99 && p99_.observed() >= opt_.p99_min_traces && f.duration_ns > p99_.value();
  p99_.observe(f.duration_ns);

  SampleReason r;
  if (f.error || forced == SampleReason::kError) r = SampleReason::kError;
  else if (f.synthetic) r = SampleReason::kSynthetic;
  else if (slow) r = SampleReason::kSlow;
  else if (over_p99) r = SampleReason::kSlowP99;
  else if (forced == SampleReason::kExemplar) r = SampleReason::kExemplar;
  else if (f.unsampled) r = SampleReason::kDroppedUnsampled;
  else if (ratio_keeps(id, opt_.ratio)) r = SampleReason::kRatio;
  else r = SampleReason::kDroppedRatio;

  count(r);
  const bool keep = sample_reason_kept(r);
  remember_locked(id, keep);
  return keep;
}

void TraceSampler::remember_locked(const TraceId& id, bool kept) {
  if (decided_.insert_or_assign(id, kept).second) decided_order_.push_back(id);
  while (decided_order_.size() > opt_.decision_memory) {
    decided_.erase(decided_order_.front());
    decided_order_.pop_front();
  }
}

SampleReason TraceSampler::take_forced(const TraceId& id) {
  std::lock_guard<std::mutex> g(forced_mu_);
  auto it = forced_.find(id);
  if (it == forced_.end()) return SampleReason::kCount;
  const SampleReason r = it->second;
  forced_.erase(it);
  return r;
}

void TraceSampler::force(const TraceId& id, SampleReason r) {
  std::lock_guard<std::mutex> g(forced_mu_);
  auto [it, fresh] = forced_.try_emplace(id, r);
  if (!fresh) {
    if (r == SampleReason::kError) it->second = r;  // error outranks exemplar
    return;
  }
  forced_order_.push_back(id);
  while (forced_order_.size() > opt_.decision_memory) {
    forced_.erase(forced_order_.front());
    forced_order_.pop_front();
  }
}

void TraceSampler::count(SampleReason r) {
  const size_t i = static_cast<size_t>(r);
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  if (counters_[i]) counters_[i]->inc();
}

uint64_t TraceSampler::kept() const {
  uint64_t n = 0;
  for (size_t i = 0; i < kSampleReasonCount; ++i)
    if (kReasons[i].kept) n += counts_[i].load(std::memory_order_relaxed);
  return n;
}

uint64_t TraceSampler::dropped() const {
  uint64_t n = 0;
  for (size_t i = 0; i < kSampleReasonCount; ++i)
    if (!kReasons[i].kept) n += counts_[i].load(std::memory_order_relaxed);
  return n;
}

int64_t TraceSampler::p99_ns() const {
  std::lock_guard<std::mutex> g(mu_);
  return p99_.value();
}

size_t TraceSampler::parked() const {
  std::lock_guard<std::mutex> g(mu_);
  return parked_.size();
}

}  // namespace inplay
