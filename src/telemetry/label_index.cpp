// LabelIndex: the lock-free lookup of a family's series by label values
// (telemetry/metrics_detail.h).
#include <cstring>

#include "telemetry/metrics.h"

namespace inplay {

// -------------------------------------------------------------- LabelIndex

namespace metrics_detail {

namespace {

// Views and owned strings hash alike, so a braced list finds what a vector
// inserted.
template <class V>
uint64_t hash_label_values(std::span<const V> values) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ values.size();
  for (const V& v : values) {
    h ^= std::hash<std::string_view>{}(std::string_view(v));
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
}

// Each value as its length (7 bits a byte, low first) and its bytes.
std::string flatten(const LabelValues& values) {
  std::string out;
  for (const std::string& v : values) {
    for (size_t n = v.size(); ; n >>= 7) {
      out.push_back(static_cast<char>((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
      if (n <= 0x7f) break;
    }
    out += v;
  }
  return out;
}

template <class V>
bool same_values(std::string_view flat, std::span<const V> values) {
  size_t p = 0;
  for (const V& value : values) {
    const std::string_view v(value);
    size_t n = 0;
    for (int shift = 0;; shift += 7) {
      if (p >= flat.size()) return false;
      const auto byte = static_cast<unsigned char>(flat[p++]);
      n |= static_cast<size_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    if (n != v.size() || flat.size() - p < n || flat.compare(p, n, v) != 0) return false;
    p += n;
  }
  return p == flat.size();
}

constexpr size_t kFirstTableSize = 16;

}  // namespace

// Open addressing, linear probing, at most half full; slots go from null to
// a node once and never change again, so readers need no lock.
struct LabelIndex::Table {
  explicit Table(size_t n) : mask(n - 1), slots(new std::atomic<const Ordered::value_type*>[n]()) {}
  size_t mask;
  std::unique_ptr<std::atomic<const Ordered::value_type*>[]> slots;
};

LabelIndex::LabelIndex() {
  tables_.push_back(std::make_unique<Table>(kFirstTableSize));
  table_.store(tables_.back().get(), std::memory_order_release);
}

LabelIndex::~LabelIndex() = default;

template <class V>
const LabelIndex::Slot* LabelIndex::find_in(std::span<const V> values) const {
  const uint64_t h = hash_label_values(values);
  const Table* t = table_.load(std::memory_order_acquire);
  for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
    const Ordered::value_type* n = t->slots[i].load(std::memory_order_acquire);
    if (!n) return nullptr;
    if (n->second.hash == h && same_values(n->second.key, values)) return &n->second;
  }
}

const LabelIndex::Slot* LabelIndex::find(std::span<const std::string> values) const {
  return find_in(values);
}

const LabelIndex::Slot* LabelIndex::find(std::span<const std::string_view> values) const {
  return find_in(values);
}

const LabelIndex::Slot* LabelIndex::find_locked(const LabelValues& values) const {
  auto it = ordered_.find(values);
  return it == ordered_.end() ? nullptr : &it->second;
}

void LabelIndex::place(const Table& t, const Ordered::value_type* node) const {
  size_t i = node->second.hash & t.mask;
  while (t.slots[i].load(std::memory_order_relaxed)) i = (i + 1) & t.mask;
  t.slots[i].store(node, std::memory_order_release);
}

void LabelIndex::insert(LabelValues values, void* series, int64_t created_ns) {
  const uint64_t h = hash_label_values(std::span<const std::string>(values));
  std::string key = flatten(values);
  auto [it, added] = ordered_.emplace(std::move(values), Slot{h, std::move(key), series, created_ns});
  if (!added) return;
  const Table* t = table_.load(std::memory_order_relaxed);
  if (ordered_.size() * 2 <= t->mask + 1) {
    place(*t, &*it);
    return;
  }
  // Grow: fill a table twice the size, then publish it whole.
  auto bigger = std::make_unique<Table>((t->mask + 1) * 2);
  for (const auto& node : ordered_) place(*bigger, &node);
  table_.store(bigger.get(), std::memory_order_release);
  tables_.push_back(std::move(bigger));
}

void SeriesSeed<Histogram>::add_to(std::deque<Histogram>& d, const std::string& family) const {
  if (!layout) throw std::invalid_argument("histogram family not owned by a registry: " + family);
  d.emplace_back(layout);
}

}  // namespace metrics_detail

}  // namespace inplay
