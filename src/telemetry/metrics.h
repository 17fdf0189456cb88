// Metrics: counters, gauges and histograms with labels, rendered as
// Prometheus text exposition format 0.0.4 or OpenMetrics 1.0 (with
// exemplars, _created and # UNIT; see docs/observability.md).
//
// Contract: families are registered once (at start-up, any thread) in a
// MetricsRegistry. A family hands out series by label values; the returned
// reference is stable for the registry's lifetime, so hot paths bind a series
// once and then record with relaxed atomic adds (no lock, no allocation).
// Looking up a series that exists is lock-free too (a hash of the label
// values into an index that only grows; no vector is built when the values
// come as a braced list); creating a series takes the family's lock.
// Rendering can run on any thread while recording goes on.
//
// Histograms take values in the family's base unit as integers (nanoseconds
// for *_seconds families: rendered in seconds). A series counts each value
// in a log-linear fine bucket (HDR-style, see log_linear below): quantile()
// and the windowed helpers answer from those within a relative error of
// 1/64 over 0 .. 2^44 ns (about 4.9 hours). The family's fixed bucket bounds,
// which /metrics shows with per bucket the last exemplar (trace id, value,
// time), are derived from the fine counts exactly (BucketLayout), so the
// exposition is what counting by bounds would give. observe() is wait-free:
// two relaxed atomic adds (a third for a value in a fine bucket that a bound
// cuts), plus, with an exemplar, one compare-and-swap and relaxed stores.
// A histogram series holds ~10 KB of counters (1,280 fine buckets).
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace inplay {

using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void add(int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

struct Exemplar {
  std::array<uint8_t, 16> trace_id{};
  int64_t value = 0;
  int64_t time_ns = 0;
  bool present = false;
};

// Log-linear ("HDR") bucketing of non-negative integers, the fine buckets of
// every Histogram. Values below 2 * kSubBuckets each have their own bucket
// (exact); above, each power of two [2^e, 2^(e+1)) splits into kSubBuckets
// buckets of width 2^(e - kSubBucketBits). Negative values count as 0;
// values of 2^kRangeBits and more clamp into the top bucket.
//
// Error bound: a bucket's representative value (bucket_value, its midpoint
// rounded down) is within kRelativeError = 1/(2 * kSubBuckets) = 1/64 of
// every value the bucket holds, relative to that value. So quantile() below
// returns a value within 1/64 of the exact order statistic of the recorded
// values (same rank, ceil(q * n)), unless that value was clamped.
//
// Windowed quantiles (e.g. the SLO evaluator's per-second deltas): read
// Histogram::fine_counts() every period, keep delta(now, before) per period,
// merge() the deltas of a window and ask quantile() of the merged counts.
namespace log_linear {
inline constexpr int kSubBucketBits = 5;
inline constexpr size_t kSubBuckets = size_t{1} << kSubBucketBits;  // 32 per power of two
inline constexpr int kRangeBits = 44;                                // 2^44 ns ~ 4.9 h
inline constexpr int64_t kMaxTracked = (int64_t{1} << kRangeBits) - 1;
inline constexpr size_t kBuckets = (kRangeBits - kSubBucketBits + 1) * kSubBuckets;  // 1280
inline constexpr double kRelativeError = 1.0 / (2 * kSubBuckets);

// Bucket index of v: one count-leading-zeros, no loop, no branch.
constexpr size_t bucket_of(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(std::clamp<int64_t>(v, 0, kMaxTracked));
  const int shift = std::bit_width(u | kSubBuckets) - 1 - kSubBucketBits;  // >= 0
  return static_cast<size_t>(shift) * kSubBuckets + static_cast<size_t>(u >> shift);
}
// Smallest value of bucket i, and its width (values lower .. lower+width-1).
constexpr int64_t bucket_width(size_t i) {
  return int64_t{1} << (std::max<size_t>(i / kSubBuckets, 1) - 1);
}
constexpr int64_t bucket_lower(size_t i) {
  const size_t shift = std::max<size_t>(i / kSubBuckets, 1) - 1;
  return static_cast<int64_t>((i - shift * kSubBuckets) << shift);
}
// The value a bucket stands for: its midpoint (rounded down).
constexpr int64_t bucket_value(size_t i) { return bucket_lower(i) + (bucket_width(i) - 1) / 2; }

// Value at quantile q in [0,1] (NaN counts as 0) of fine counts indexed by
// bucket (at most kBuckets of them; a shorter vector is fine): the
// bucket_value of the bucket holding rank ceil(q * total). 0 if empty.
int64_t quantile(std::span<const uint64_t> counts, double q);
// now - before, bucket by bucket (both from fine_counts() of one series;
// a bucket that went down, which a live series never does, gives 0).
std::vector<uint64_t> delta(std::span<const uint64_t> now, std::span<const uint64_t> before);
// into += from, bucket by bucket (into grows to from's size if shorter).
void merge(std::vector<uint64_t>& into, std::span<const uint64_t> from);
}  // namespace log_linear

// Where the values of each fine bucket go among a family's rendered bucket
// bounds (Prometheus "le": rendered bucket i holds bounds[i-1] < v <=
// bounds[i]). Most fine buckets lie inside one rendered bucket, so a
// histogram counts only the fine bucket and derives the rendered counts when
// read; the few fine buckets that a bound cuts are marked kSplit and their
// values are also counted by rendered bucket. Built once per family.
class BucketLayout {
 public:
  static constexpr uint16_t kSplit = 0xffff;
  static constexpr size_t kMaxBounds = kSplit - 1;
  // bounds: strictly ascending, at most kMaxBounds; must outlive the layout.
  explicit BucketLayout(const std::vector<int64_t>* bounds);
  const std::vector<int64_t>& bounds() const { return *bounds_; }
  // The rendered bucket of every value of fine bucket f, or kSplit.
  uint16_t rendered_of_fine(size_t f) const { return map_[f]; }
  size_t rendered_of(int64_t v) const {
    const auto& b = *bounds_;
    return static_cast<size_t>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
  }

 private:
  const std::vector<int64_t>* bounds_;
  std::array<uint16_t, log_linear::kBuckets> map_;
};

class Histogram {
 public:
  // Shares a family's layout (the registry's way: the layout and its bounds
  // outlive every series of the family).
  explicit Histogram(const BucketLayout* layout);
  // bounds: ascending upper bounds in the base unit (e.g. ns); +Inf implied.
  // Builds its own layout; the vector must outlive the histogram.
  explicit Histogram(const std::vector<int64_t>* bounds);
  void observe(int64_t v) {
    const size_t f = log_linear::bucket_of(v);
    fine_[f].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    if (layout_->rendered_of_fine(f) == BucketLayout::kSplit)
      split_[layout_->rendered_of(v)].fetch_add(1, std::memory_order_relaxed);
  }
  // Records and keeps (trace_id, v, time_ns) as the rendered bucket's
  // exemplar. When two threads write the same bucket's exemplar at once, one
  // of the two exemplars is kept (the counts are always exact).
  void observe(int64_t v, const std::array<uint8_t, 16>& trace_id, int64_t time_ns) {
    const size_t f = log_linear::bucket_of(v);
    fine_[f].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    size_t b = layout_->rendered_of_fine(f);
    if (b == BucketLayout::kSplit) {
      b = layout_->rendered_of(v);
      split_[b].fetch_add(1, std::memory_order_relaxed);
    }
    exemplars_[b].store(trace_id, v, time_ns);
  }
  // Exact number of observations (the sum of the fine counts).
  uint64_t count() const;
  int64_t sum() const { return sum_.load(std::memory_order_relaxed); }
  // Non-cumulative count of rendered bucket i (i <= bounds.size(), the last
  // is +Inf; 0 beyond). Each call reads every fine count: to read them all,
  // bucket_counts() does it once.
  uint64_t bucket_count(size_t i) const;
  // out = the non-cumulative counts of all rendered buckets (resized to
  // bounds.size() + 1), from one pass over the fine counts.
  void bucket_counts(std::vector<uint64_t>& out) const;
  // Value at quantile q in [0,1] from the fine buckets, within
  // log_linear::kRelativeError (1/64) of the exact order statistic of rank
  // ceil(q * count()); 0 if empty. Reads the counts without a lock or a copy.
  int64_t quantile(double q) const;
  // The fine counts (log_linear::kBuckets of them, index = bucket) as of
  // now: for windowed quantiles with log_linear::delta/merge/quantile.
  std::vector<uint64_t> fine_counts() const;
  Exemplar exemplar(size_t bucket) const;
  const std::vector<int64_t>& bounds() const { return layout_->bounds(); }

 private:
  // One bucket's last exemplar, written without a lock: a sequence number,
  // odd while a writer fills the fields, lets readers retry a torn read and
  // lets a second writer that finds it odd give way (its exemplar is dropped).
  class ExemplarSlot {
   public:
    void store(const std::array<uint8_t, 16>& trace_id, int64_t v, int64_t time_ns) {
      uint64_t s = seq_.load(std::memory_order_relaxed);
      if ((s & 1) || !seq_.compare_exchange_strong(s, s + 1, std::memory_order_relaxed)) return;
      // Orders the odd sequence number before the fields for a reader that
      // sees any of them (it then re-reads the sequence and retries).
      std::atomic_thread_fence(std::memory_order_release);
      uint64_t id[2];
      std::memcpy(id, trace_id.data(), sizeof id);
      id_[0].store(id[0], std::memory_order_relaxed);
      id_[1].store(id[1], std::memory_order_relaxed);
      value_.store(v, std::memory_order_relaxed);
      time_ns_.store(time_ns, std::memory_order_relaxed);
      seq_.store(s + 2, std::memory_order_release);
    }
    Exemplar load() const;

   private:
    std::atomic<uint64_t> seq_{0};  // 0: never written
    std::atomic<uint64_t> id_[2]{};
    std::atomic<int64_t> value_{0};
    std::atomic<int64_t> time_ns_{0};
  };

  explicit Histogram(std::unique_ptr<const BucketLayout> own);

  std::unique_ptr<const BucketLayout> own_layout_;  // when built from bounds
  const BucketLayout* layout_;
  std::unique_ptr<std::atomic<uint64_t>[]> fine_;   // log_linear::kBuckets
  std::unique_ptr<std::atomic<uint64_t>[]> split_;  // bounds.size() + 1: values of cut fine buckets
  std::atomic<int64_t> sum_{0};
  std::unique_ptr<ExemplarSlot[]> exemplars_;  // bounds.size() + 1
};

// Default cap on the series of one family (cardinality guard).
inline constexpr size_t kDefaultMaxSeries = 1000;
// The label value every label of a folded series takes.
inline constexpr const char* kFoldedLabelValue = "other";

namespace metrics_detail {
// What a family asks of its registry, on the cold path only (series creation).
class FamilyHooks {
 public:
  virtual ~FamilyHooks() = default;
  virtual int64_t now_ns() const = 0;  // series creation time; 0 = unknown
  virtual size_t default_max_series() const = 0;
  // Called (without the family's lock held) each time a lookup folds.
  virtual void on_fold(const std::string& family) = 0;
};

// What a new series is built from: nothing, or a histogram family's bounds.
template <class S>
struct SeriesSeed {
  void add_to(std::deque<S>& d, const std::string&) const { d.emplace_back(); }
};
template <>
struct SeriesSeed<Histogram> {
  const BucketLayout* layout = nullptr;  // owned by the registry
  void add_to(std::deque<Histogram>& d, const std::string& family) const;  // throws without one
};

// The label sets of one family, each mapped to its series. find() runs on
// any thread without a lock, concurrently with insert(); insert(), size()
// and ordered() need the family's lock. The hash index only grows (old
// tables are kept until the index dies), so a reader never sees freed memory.
class LabelIndex {
 public:
  struct Slot {
    uint64_t hash;
    std::string key;  // the label values flattened (length-prefixed): one compare, no pointer chase
    void* series;
    int64_t created_ns;  // 0 = unknown
  };
  using Ordered = std::map<LabelValues, Slot>;  // render order: by label values

  LabelIndex();
  ~LabelIndex();
  LabelIndex(const LabelIndex&) = delete;
  LabelIndex& operator=(const LabelIndex&) = delete;

  const Slot* find(std::span<const std::string> values) const;
  const Slot* find(std::span<const std::string_view> values) const;
  // values must not be present yet.
  void insert(LabelValues values, void* series, int64_t created_ns);
  const Slot* find_locked(const LabelValues& values) const;
  size_t size() const { return ordered_.size(); }
  const Ordered& ordered() const { return ordered_; }

 private:
  struct Table;
  template <class V>
  const Slot* find_in(std::span<const V> values) const;
  void place(const Table& t, const Ordered::value_type* node) const;

  Ordered ordered_;
  std::atomic<const Table*> table_;
  std::vector<std::unique_ptr<Table>> tables_;  // every generation, newest last
};
}  // namespace metrics_detail

template <class S>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         metrics_detail::FamilyHooks* hooks = nullptr, metrics_detail::SeriesSeed<S> seed = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        hooks_(hooks),
        seed_(seed) {}
  // Stable reference; creates the series on first use. Cardinality guard:
  // once the family holds max_series() label sets, a new label set folds
  // into the series whose label values are all "other" (created if need be)
  // and the registry counts the fold in metrics_series_folded_total{family}.
  // A label set seen before resolves without a lock; the braced-list form
  // (with({a, b})) builds no vector to do so.
  S& with(const LabelValues& values) {
    if (auto* s = index_.find(std::span<const std::string>(values))) return *static_cast<S*>(s->series);
    return with_slow(values);
  }
  S& with(std::initializer_list<std::string_view> values) {
    if (auto* s = index_.find(std::span<const std::string_view>(values.begin(), values.size())))
      return *static_cast<S*>(s->series);
    return with_slow(LabelValues(values.begin(), values.end()));
  }
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  // Series cap of this family; 0 (the default) takes the registry's.
  void set_max_series(size_t n) { max_series_.store(n, std::memory_order_relaxed); }
  size_t max_series() const {
    size_t n = max_series_.load(std::memory_order_relaxed);
    if (n) return n;
    return hooks_ ? hooks_->default_max_series() : kDefaultMaxSeries;
  }
  size_t size() const {
    std::lock_guard<std::mutex> g(mu_);
    return index_.size();
  }
  // Snapshot of (labels, series*) for rendering, ordered by label values.
  std::vector<std::pair<LabelValues, const S*>> series() const {
    std::vector<std::pair<LabelValues, const S*>> out;
    for_each([&](const LabelValues& lv, const S& s, int64_t) { out.emplace_back(lv, &s); });
    return out;
  }
  struct View {
    LabelValues labels;
    const S* series;
    int64_t created_ns;  // 0 = unknown
  };
  // Snapshot with creation times, for OpenMetrics.
  std::vector<View> views() const {
    std::vector<View> out;
    for_each([&](const LabelValues& lv, const S& s, int64_t created) { out.push_back(View{lv, &s, created}); });
    return out;
  }
  // fn(labels, series, created_ns) for every series, ordered by label
  // values, under the family's lock (lookups of existing series go on; new
  // series wait): fn must be quick and must not look up this family.
  template <class Fn>
  void for_each(Fn&& fn) const {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& [lv, slot] : index_.ordered())
      fn(lv, *static_cast<const S*>(slot.series), slot.created_ns);
  }

 private:
  S& with_slow(const LabelValues& values) {
    S* s = nullptr;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (auto* slot = index_.find_locked(values)) return *static_cast<S*>(slot->series);
      if (labels_.empty() || index_.size() < max_series()) return add(values);
      LabelValues other(values.size(), kFoldedLabelValue);
      auto* ot = index_.find_locked(other);
      s = ot ? static_cast<S*>(ot->series) : &add(other);
    }
    if (hooks_) hooks_->on_fold(name_);
    return *s;
  }
  S& add(const LabelValues& values) {  // mu_ held
    seed_.add_to(series_, name_);
    index_.insert(values, &series_.back(), hooks_ ? hooks_->now_ns() : 0);
    return series_.back();
  }
  std::string name_, help_;
  std::vector<std::string> labels_;
  metrics_detail::FamilyHooks* hooks_;
  metrics_detail::SeriesSeed<S> seed_;
  std::atomic<size_t> max_series_{0};
  mutable std::mutex mu_;
  std::deque<S> series_;  // deque: stable addresses
  metrics_detail::LabelIndex index_;
};

enum class Unit { kNone, kSeconds };  // kSeconds: values are ns, rendered as s

class MetricsRegistry {
 public:
  // Out of line: Entry is private and complete only in metrics.cpp.
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registering a name again with the same type, labels (and bounds/unit for
  // histograms) returns the existing family; a clash throws
  // std::invalid_argument, as do invalid metric or label names.
  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
  // bounds in the base unit (ns when unit is kSeconds).
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<std::string> labels,
                               std::vector<int64_t> bounds, Unit unit);
  // Histogram series of a family: Family::with plus a check of the label
  // count (std::invalid_argument when values.size() differs from it, or when
  // the family does not come from a MetricsRegistry).
  static Histogram& series(Family<Histogram>& f, const LabelValues& values) {
    check_label_count(f, values.size());
    return f.with(values);
  }
  static Histogram& series(Family<Histogram>& f, std::initializer_list<std::string_view> values) {
    check_label_count(f, values.size());
    return f.with(values);
  }

  // Families whose value is read at scrape time (e.g. process metrics). A
  // counter's name should end in _total. Registering a name again replaces
  // the function if the type matches; a clash throws std::invalid_argument.
  void gauge_fn(std::string name, std::string help, std::function<double()> fn);
  void counter_fn(std::string name, std::string help, std::function<double()> fn);

  // Creation time of new series (ns since the epoch), for OpenMetrics
  // _created. Set once at start-up by the owner of the Clock (nothing here
  // reads a system clock); series created before have no _created.
  void set_time_source(std::function<int64_t()> now_ns);
  // Default series cap of families that set none (0 restores the default).
  void set_default_max_series(size_t n);

  // Prometheus text format 0.0.4, families in registration order.
  std::string render_prometheus() const;
  // OpenMetrics 1.0 text: counters as <family>_total, # UNIT, _created,
  // exemplars on histogram buckets, "# EOF" at the end.
  std::string render_openmetrics() const;

 private:
  struct Entry;
  class Hooks;
  static void check_label_count(const Family<Histogram>& f, size_t n) {
    if (n != f.labels().size()) throw_label_count(f);
  }
  [[noreturn]] static void throw_label_count(const Family<Histogram>& f);
  std::unique_ptr<Hooks> hooks_;  // outlives the families (declared first)
  mutable std::mutex mu_;
  std::deque<Entry> entries_;
};

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_threads and process_start_time_seconds, read from /proc at each
// scrape (telemetry/process_metrics.cpp).
void register_process_metrics(MetricsRegistry& r);

// Content negotiation for GET /metrics: true when `accept` asks for
// application/openmetrics-text (version 1.0.0 or unversioned) with a q at
// least that of text/plain.
bool accepts_openmetrics(std::string_view accept);
inline constexpr const char* kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";
inline constexpr const char* kPrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Default latency bounds: 50us .. 10s, roughly x2 steps, in ns.
std::vector<int64_t> default_latency_bounds_ns();

}  // namespace inplay
