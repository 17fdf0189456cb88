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
// in a log-linear fine bucket (HDR-style, telemetry/log_linear.h): quantile()
// and the windowed helpers answer from those within a relative error of
// 1/64 over 0 .. 2^44 ns (about 4.9 hours). The family's fixed bucket bounds,
// which /metrics shows with per bucket the last exemplar (trace id, value,
// time), are derived from the fine counts exactly (BucketLayout), so the
// exposition is what counting by bounds would give. observe() is wait-free:
// two relaxed atomic adds (a third for a value in a fine bucket that a bound
// cuts), plus, with an exemplar, one compare-and-swap and relaxed stores.
// A histogram series holds ~10 KB of counters (1,280 fine buckets).
//
// Internals the inline code needs (ExemplarSlot, LabelIndex, ...) are in
// telemetry/metrics_detail.h, which is not API.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/log_linear.h"
#include "telemetry/metrics_detail.h"

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
  explicit Histogram(std::unique_ptr<const BucketLayout> own);

  std::unique_ptr<const BucketLayout> own_layout_;  // when built from bounds
  const BucketLayout* layout_;
  std::unique_ptr<std::atomic<uint64_t>[]> fine_;   // log_linear::kBuckets
  std::unique_ptr<std::atomic<uint64_t>[]> split_;  // bounds.size() + 1: values of cut fine buckets
  std::atomic<int64_t> sum_{0};
  std::unique_ptr<metrics_detail::ExemplarSlot[]> exemplars_;  // bounds.size() + 1
};

// Default cap on the series of one family (cardinality guard).
inline constexpr size_t kDefaultMaxSeries = 1000;
// The label value every label of a folded series takes.
inline constexpr const char* kFoldedLabelValue = "other";

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
