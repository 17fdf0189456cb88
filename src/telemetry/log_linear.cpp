// The log_linear helpers for windowed quantiles and BucketLayout
// (telemetry/log_linear.h).
#include "telemetry/log_linear.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace inplay {

// --------------------------------------------------------------- log_linear

namespace log_linear {

static_assert(bucket_of(0) == 0 && bucket_of(-5) == 0 && bucket_of(63) == 63);
static_assert(bucket_of(64) == 64 && bucket_of(65) == 64 && bucket_of(66) == 65);
static_assert(bucket_of(kMaxTracked) == kBuckets - 1);
static_assert(bucket_of(std::numeric_limits<int64_t>::max()) == kBuckets - 1);
static_assert(bucket_lower(kBuckets - 1) + bucket_width(kBuckets - 1) - 1 == kMaxTracked);
static_assert(bucket_lower(bucket_of(1'000'000)) <= 1'000'000 &&
              1'000'000 < bucket_lower(bucket_of(1'000'000)) + bucket_width(bucket_of(1'000'000)));

int64_t quantile(std::span<const uint64_t> counts, double q) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  if (total == 0) return 0;
  q = std::clamp(std::isnan(q) ? 0.0 : q, 0.0, 1.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t seen = 0;
  const size_t n = std::min(counts.size(), kBuckets);
  for (size_t i = 0; i < n; ++i) {
    seen += counts[i];
    if (seen >= rank) return bucket_value(i);
  }
  return bucket_value(n - 1);  // counts beyond kBuckets: the top bucket
}

std::vector<uint64_t> delta(std::span<const uint64_t> now, std::span<const uint64_t> before) {
  std::vector<uint64_t> out(now.begin(), now.end());
  for (size_t i = 0; i < out.size() && i < before.size(); ++i)
    out[i] = out[i] >= before[i] ? out[i] - before[i] : 0;
  return out;
}

void merge(std::vector<uint64_t>& into, std::span<const uint64_t> from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i) into[i] += from[i];
}

}  // namespace log_linear

// ------------------------------------------------------------- BucketLayout

BucketLayout::BucketLayout(const std::vector<int64_t>* bounds) : bounds_(bounds) {
  if (bounds->size() > kMaxBounds) throw std::invalid_argument("too many histogram bounds");
  // Rendered buckets are monotone in the value: a fine bucket is whole when
  // its lowest and highest values (clamped ones included) land in the same.
  for (size_t f = 0; f < log_linear::kBuckets; ++f) {
    const int64_t lo = f == 0 ? std::numeric_limits<int64_t>::min() : log_linear::bucket_lower(f);
    const int64_t hi = f + 1 == log_linear::kBuckets
                           ? std::numeric_limits<int64_t>::max()
                           : log_linear::bucket_lower(f) + log_linear::bucket_width(f) - 1;
    const size_t r = rendered_of(lo);
    map_[f] = r == rendered_of(hi) ? static_cast<uint16_t>(r) : kSplit;
  }
}

}  // namespace inplay
