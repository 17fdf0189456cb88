// Histogram: log-linear fine buckets, the rendered Prometheus buckets
// derived from them, exemplars (telemetry/metrics.h; the bucketing is
// telemetry/log_linear.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <thread>

#include "telemetry/metrics.h"

namespace inplay {

// ---------------------------------------------------------------- Histogram

Histogram::Histogram(const BucketLayout* layout)
    : layout_(layout),
      fine_(new std::atomic<uint64_t>[log_linear::kBuckets]()),
      split_(new std::atomic<uint64_t>[layout->bounds().size() + 1]()),
      exemplars_(new metrics_detail::ExemplarSlot[layout->bounds().size() + 1]) {}

Histogram::Histogram(const std::vector<int64_t>* bounds)
    : Histogram(std::make_unique<const BucketLayout>(bounds)) {}

Histogram::Histogram(std::unique_ptr<const BucketLayout> own) : Histogram(own.get()) {
  own_layout_ = std::move(own);
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (size_t f = 0; f < log_linear::kBuckets; ++f) n += fine_[f].load(std::memory_order_relaxed);
  return n;
}

void Histogram::bucket_counts(std::vector<uint64_t>& out) const {
  const size_t n = layout_->bounds().size() + 1;
  out.assign(n, 0);
  for (size_t f = 0; f < log_linear::kBuckets; ++f) {
    const uint16_t r = layout_->rendered_of_fine(f);
    if (r != BucketLayout::kSplit) out[r] += fine_[f].load(std::memory_order_relaxed);
  }
  for (size_t i = 0; i < n; ++i) out[i] += split_[i].load(std::memory_order_relaxed);
}

uint64_t Histogram::bucket_count(size_t i) const {
  if (i > layout_->bounds().size()) return 0;
  std::vector<uint64_t> c;
  bucket_counts(c);
  return c[i];
}

int64_t Histogram::quantile(double q) const {
  // Two passes over the live counts instead of a copy: counts only grow, so
  // the second pass reaches the rank taken from the first.
  uint64_t total = 0;
  for (size_t i = 0; i < log_linear::kBuckets; ++i) total += fine_[i].load(std::memory_order_relaxed);
  if (total == 0) return 0;
  q = std::clamp(std::isnan(q) ? 0.0 : q, 0.0, 1.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t seen = 0;
  for (size_t i = 0; i < log_linear::kBuckets; ++i) {
    seen += fine_[i].load(std::memory_order_relaxed);
    if (seen >= rank) return log_linear::bucket_value(i);
  }
  return log_linear::bucket_value(log_linear::kBuckets - 1);
}

std::vector<uint64_t> Histogram::fine_counts() const {
  std::vector<uint64_t> out(log_linear::kBuckets);
  for (size_t i = 0; i < out.size(); ++i) out[i] = fine_[i].load(std::memory_order_relaxed);
  return out;
}

Exemplar Histogram::exemplar(size_t bucket) const {
  if (bucket > layout_->bounds().size()) return Exemplar{};
  return exemplars_[bucket].load();
}

Exemplar metrics_detail::ExemplarSlot::load() const {
  for (;;) {
    const uint64_t s1 = seq_.load(std::memory_order_acquire);
    if (s1 == 0) return Exemplar{};
    if (s1 & 1) {  // a writer is filling the fields: let it finish
      std::this_thread::yield();
      continue;
    }
    uint64_t id[2] = {id_[0].load(std::memory_order_relaxed), id_[1].load(std::memory_order_relaxed)};
    Exemplar x;
    x.value = value_.load(std::memory_order_relaxed);
    x.time_ns = time_ns_.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq_.load(std::memory_order_relaxed) != s1) continue;  // torn: read again
    std::memcpy(x.trace_id.data(), id, sizeof id);
    x.present = true;
    return x;
  }
}

}  // namespace inplay
