// Metrics: counters, gauges and histograms with labels, rendered as
// Prometheus text exposition format 0.0.4.
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

template <class S>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels)
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}
  // Stable reference; creates the series on first use.
  template <class... Args>
  S& with(const LabelValues& values, Args&&... args) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = index_.find(values);
    if (it != index_.end()) return *it->second;
    series_.emplace_back(std::forward<Args>(args)...);
    index_.emplace(values, &series_.back());
    return series_.back();
  }
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  // Snapshot of (labels, series*) for rendering.
  std::vector<std::pair<LabelValues, const S*>> series() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<std::pair<LabelValues, const S*>> out;
    for (auto& [k, v] : index_) out.emplace_back(k, v);
    return out;
  }

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  mutable std::mutex mu_;
  std::deque<S> series_;  // deque: stable addresses
  std::map<LabelValues, S*> index_;
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

  // Prometheus text format 0.0.4, families in registration order.
  std::string render_prometheus() const;

 private:
  struct Entry;
  mutable std::mutex mu_;
  std::deque<Entry> entries_;
};

// Default latency bounds: 50us .. 10s, roughly x2 steps, in ns.
std::vector<int64_t> default_latency_bounds_ns();

}  // namespace inplay
