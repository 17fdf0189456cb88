// Metrics: counters, gauges and histograms with labels, rendered as
// Prometheus text exposition format 0.0.4 or OpenMetrics 1.0 (with
// exemplars, _created and # UNIT; see docs/observability.md).
//
// Contract: families are registered once (at start-up, any thread) in a
// MetricsRegistry. A family hands out series by label values; the returned
// reference is stable for the registry's lifetime, so hot paths bind a series
// once and then record with a relaxed atomic add (no lock, no allocation).
// Looking up a series by labels takes a lock (cold path). Rendering can run
// on any thread while recording goes on.
//
// Histograms take values in the family's base unit as integers (nanoseconds
// for *_seconds families: rendered in seconds) against fixed bucket bounds,
// and keep per bucket the last exemplar (trace id, value, time) seen.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
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

class Histogram {
 public:
  // bounds: ascending upper bounds in the base unit (e.g. ns); +Inf implied.
  explicit Histogram(const std::vector<int64_t>* bounds);
  void observe(int64_t v);
  // Records and keeps (trace_id, v, time_ns) as the bucket's exemplar.
  void observe(int64_t v, const std::array<uint8_t, 16>& trace_id, int64_t time_ns);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  int64_t sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t bucket_count(size_t i) const;  // non-cumulative, i <= bounds.size()
  // Value at quantile q in [0,1] estimated from the buckets (upper bound of
  // the bucket that holds it); 0 if empty.
  int64_t quantile(double q) const;
  Exemplar exemplar(size_t bucket) const;
  const std::vector<int64_t>& bounds() const { return *bounds_; }

 private:
  size_t bucket_of(int64_t v) const;
  const std::vector<int64_t>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> sum_{0};
  mutable std::mutex exemplar_mu_;
  std::vector<Exemplar> exemplars_;
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
}  // namespace metrics_detail

template <class S>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         metrics_detail::FamilyHooks* hooks = nullptr)
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), hooks_(hooks) {}
  // Stable reference; creates the series on first use. Cardinality guard:
  // once the family holds max_series() label sets, a new label set folds
  // into the series whose label values are all "other" (created if need be)
  // and the registry counts the fold in metrics_series_folded_total{family}.
  template <class... Args>
  S& with(const LabelValues& values, Args&&... args) {
    S* s = nullptr;
    {
      std::lock_guard<std::mutex> g(mu_);
      auto it = index_.find(values);
      if (it != index_.end()) return *it->second.series;
      if (labels_.empty() || index_.size() < max_series()) {
        return add(values, std::forward<Args>(args)...);
      }
      LabelValues other(values.size(), kFoldedLabelValue);
      auto ot = index_.find(other);
      s = ot != index_.end() ? ot->second.series : &add(other, std::forward<Args>(args)...);
    }
    if (hooks_) hooks_->on_fold(name_);
    return *s;
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
  // Snapshot of (labels, series*) for rendering.
  std::vector<std::pair<LabelValues, const S*>> series() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<std::pair<LabelValues, const S*>> out;
    for (auto& [k, v] : index_) out.emplace_back(k, v.series);
    return out;
  }
  struct View {
    LabelValues labels;
    const S* series;
    int64_t created_ns;  // 0 = unknown
  };
  // Snapshot with creation times, for OpenMetrics.
  std::vector<View> views() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<View> out;
    out.reserve(index_.size());
    for (auto& [k, v] : index_) out.push_back(View{k, v.series, v.created_ns});
    return out;
  }

 private:
  struct Slot {
    S* series;
    int64_t created_ns;
  };
  template <class... Args>
  S& add(const LabelValues& values, Args&&... args) {  // mu_ held
    series_.emplace_back(std::forward<Args>(args)...);
    index_.emplace(values, Slot{&series_.back(), hooks_ ? hooks_->now_ns() : 0});
    return series_.back();
  }
  std::string name_, help_;
  std::vector<std::string> labels_;
  metrics_detail::FamilyHooks* hooks_;
  std::atomic<size_t> max_series_{0};
  mutable std::mutex mu_;
  std::deque<S> series_;  // deque: stable addresses
  std::map<LabelValues, Slot> index_;
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
  // Histogram series of a family (binds its bounds). The family must come
  // from a live MetricsRegistry; throws std::invalid_argument otherwise or
  // when values.size() differs from the family's label count.
  static Histogram& series(Family<Histogram>& f, const LabelValues& values);

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
