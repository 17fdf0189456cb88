// NOT API. Internals of telemetry/metrics.h that its inline code and the
// Family template need complete, so they are in a header; nothing outside
// src/telemetry should name them (they change without notice).
//
// - ExemplarSlot: one rendered bucket's last exemplar, written lock-free
//   by Histogram::observe() on any thread, read by rendering.
// - FamilyHooks: what a Family asks of its MetricsRegistry (cold path).
// - SeriesSeed: what a Family builds a new series from.
// - LabelIndex: a Family's series by label values; lookups run lock-free
//   on any thread while a series is added under the family's lock.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace inplay {

// The public alias of telemetry/metrics.h, repeated (a redeclaration is
// allowed) because the index is keyed by it.
using LabelValues = std::vector<std::string>;

struct Exemplar;
class Histogram;
class BucketLayout;

namespace metrics_detail {

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

}  // namespace inplay
