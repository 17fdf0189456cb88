#include "telemetry/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <variant>

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

// ---------------------------------------------------------------- Histogram

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

Histogram::Histogram(const BucketLayout* layout)
    : layout_(layout),
      fine_(new std::atomic<uint64_t>[log_linear::kBuckets]()),
      split_(new std::atomic<uint64_t>[layout->bounds().size() + 1]()),
      exemplars_(new ExemplarSlot[layout->bounds().size() + 1]) {}

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

Exemplar Histogram::ExemplarSlot::load() const {
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

// ----------------------------------------------------------------- Registry

namespace {

enum class Type { kCounter, kGauge, kHistogram };

const char* type_name(Type t) {
  switch (t) {
    case Type::kCounter: return "counter";
    case Type::kGauge: return "gauge";
    case Type::kHistogram: return "histogram";
  }
  return "untyped";
}

bool valid_metric_name(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view n) {
  if (n.empty() || n.starts_with("__")) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void escape_help(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

void escape_label_value(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

// Appends `{a="x",b="y"` (no closing brace) or nothing; returns whether a
// brace was opened.
bool open_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values) {
  if (names.empty()) return false;
  out.push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out.push_back(',');
    out += names[i];
    out += "=\"";
    if (i < values.size()) escape_label_value(out, values[i]);
    out.push_back('"');
  }
  return true;
}

void append_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values) {
  if (open_labels(out, names, values)) out.push_back('}');
}

void append_seconds(std::string& out, int64_t ns) {
  // Exposition only: shortest round-trip decimal of the double.
  fmt::format_to(std::back_inserter(out), "{}", static_cast<double>(ns) / 1e9);
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) out += "NaN";
  else if (std::isinf(v)) out += v > 0 ? "+Inf" : "-Inf";
  else fmt::format_to(std::back_inserter(out), "{}", v);
}

// A timestamp in ns as exact decimal seconds ("1700000000.25").
void append_timestamp(std::string& out, int64_t ns) {
  uint64_t u = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (ns < 0) out.push_back('-');
  fmt::format_to(std::back_inserter(out), "{}", u / 1000000000u);
  uint64_t frac = u % 1000000000u;
  if (!frac) return;
  char buf[10];
  int n = 9;
  while (frac % 10 == 0) {
    frac /= 10;
    --n;
  }
  for (int i = n - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out.push_back('.');
  out.append(buf, static_cast<size_t>(n));
}

void append_value(std::string& out, int64_t v, Unit unit) {
  if (unit == Unit::kSeconds) append_seconds(out, v);
  else fmt::format_to(std::back_inserter(out), "{}", v);
}

}  // namespace

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  Type type;
  Unit unit = Unit::kNone;
  std::vector<int64_t> bounds;  // histograms; series point at it
  std::vector<std::string> labels;
  std::variant<std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
               std::unique_ptr<Family<Histogram>>>
      family;
  std::function<double()> fn;  // set: a family read at scrape time (no family object)
  std::unique_ptr<BucketLayout> layout;  // histograms: over `bounds`, shared by the series
};

class MetricsRegistry::Hooks final : public metrics_detail::FamilyHooks {
 public:
  explicit Hooks(MetricsRegistry& r) : r_(r) {}
  int64_t now_ns() const override {
    std::lock_guard<std::mutex> g(mu_);
    return now_ ? now_() : 0;
  }
  size_t default_max_series() const override { return max_series_.load(std::memory_order_relaxed); }
  void on_fold(const std::string& family) override {
    Family<Counter>* f = folded_.load(std::memory_order_acquire);
    if (!f) {
      f = &r_.counter("metrics_series_folded_total",
                      "Label sets folded into the \"other\" series by the per-family series cap",
                      {"family"});
      f->set_max_series(std::numeric_limits<size_t>::max());  // bounded by the family count
      folded_.store(f, std::memory_order_release);
    }
    f->with({family}).inc();
  }
  void set_now(std::function<int64_t()> fn) {
    std::lock_guard<std::mutex> g(mu_);
    now_ = std::move(fn);
  }
  void set_max_series(size_t n) { max_series_.store(n ? n : kDefaultMaxSeries, std::memory_order_relaxed); }

 private:
  MetricsRegistry& r_;
  mutable std::mutex mu_;
  std::function<int64_t()> now_;
  std::atomic<size_t> max_series_{kDefaultMaxSeries};
  std::atomic<Family<Counter>*> folded_{nullptr};
};

MetricsRegistry::MetricsRegistry() : hooks_(std::make_unique<Hooks>(*this)) {}

void MetricsRegistry::set_time_source(std::function<int64_t()> now_ns) { hooks_->set_now(std::move(now_ns)); }
void MetricsRegistry::set_default_max_series(size_t n) { hooks_->set_max_series(n); }

MetricsRegistry::~MetricsRegistry() = default;

namespace {

void check_names(const std::string& name, const std::vector<std::string>& labels, bool histogram) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  for (auto& l : labels) {
    if (!valid_label_name(l) || (histogram && l == "le"))
      throw std::invalid_argument("invalid label name '" + l + "' in " + name);
  }
}

template <class E>
E* find_entry(std::deque<E>& entries, const std::string& name) {
  for (auto& e : entries)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

Family<Counter>& MetricsRegistry::counter(std::string name, std::string help,
                                          std::vector<std::string> labels) {
  check_names(name, labels, false);
  std::lock_guard<std::mutex> g(mu_);
  if (Entry* e = find_entry(entries_, name)) {
    if (e->type != Type::kCounter || e->labels != labels || e->fn)
      throw std::invalid_argument("metric registered twice with another shape: " + name);
    return *std::get<0>(e->family);
  }
  auto f = std::make_unique<Family<Counter>>(name, help, labels, hooks_.get());
  auto& ref = *f;
  entries_.push_back(Entry{std::move(name), std::move(help), Type::kCounter, Unit::kNone, {},
                           std::move(labels), std::move(f), {}, {}});
  return ref;
}

Family<Gauge>& MetricsRegistry::gauge(std::string name, std::string help,
                                      std::vector<std::string> labels) {
  check_names(name, labels, false);
  std::lock_guard<std::mutex> g(mu_);
  if (Entry* e = find_entry(entries_, name)) {
    if (e->type != Type::kGauge || e->labels != labels || e->fn)
      throw std::invalid_argument("metric registered twice with another shape: " + name);
    return *std::get<1>(e->family);
  }
  auto f = std::make_unique<Family<Gauge>>(name, help, labels, hooks_.get());
  auto& ref = *f;
  entries_.push_back(Entry{std::move(name), std::move(help), Type::kGauge, Unit::kNone, {},
                           std::move(labels), std::move(f), {}, {}});
  return ref;
}

Family<Histogram>& MetricsRegistry::histogram(std::string name, std::string help,
                                              std::vector<std::string> labels,
                                              std::vector<int64_t> bounds, Unit unit) {
  check_names(name, labels, true);
  if (!std::is_sorted(bounds.begin(), bounds.end()) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end())
    throw std::invalid_argument("histogram bounds must be strictly ascending: " + name);
  if (bounds.size() > BucketLayout::kMaxBounds)
    throw std::invalid_argument("too many histogram bounds: " + name);
  std::lock_guard<std::mutex> g(mu_);
  if (Entry* e = find_entry(entries_, name)) {
    if (e->type != Type::kHistogram || e->labels != labels || e->bounds != bounds || e->unit != unit)
      throw std::invalid_argument("metric registered twice with another shape: " + name);
    return *std::get<2>(e->family);
  }
  entries_.push_back(Entry{std::move(name), std::move(help), Type::kHistogram, unit,
                           std::move(bounds), std::move(labels),
                           std::unique_ptr<Family<Histogram>>(), {}, {}});
  Entry& e = entries_.back();  // deque: the Entry (and its bounds) never moves
  e.layout = std::make_unique<BucketLayout>(&e.bounds);
  e.family = std::make_unique<Family<Histogram>>(e.name, e.help, e.labels, hooks_.get(),
                                                 metrics_detail::SeriesSeed<Histogram>{e.layout.get()});
  return *std::get<2>(e.family);
}

void MetricsRegistry::throw_label_count(const Family<Histogram>& f) {
  throw std::invalid_argument("label count mismatch for " + f.name());
}

std::string MetricsRegistry::render_prometheus() const {
  std::string out;
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& e : entries_) {
    out += "# HELP ";
    out += e.name;
    out.push_back(' ');
    escape_help(out, e.help);
    out += "\n# TYPE ";
    out += e.name;
    out.push_back(' ');
    out += type_name(e.type);
    out.push_back('\n');
    if (e.fn) {
      out += e.name;
      out.push_back(' ');
      append_double(out, e.fn());
      out.push_back('\n');
      continue;
    }
    switch (e.type) {
      case Type::kCounter:
        std::get<0>(e.family)->for_each([&](const LabelValues& lv, const Counter& s, int64_t) {
          out += e.name;
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", s.value());
        });
        break;
      case Type::kGauge:
        std::get<1>(e.family)->for_each([&](const LabelValues& lv, const Gauge& s, int64_t) {
          out += e.name;
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", s.value());
        });
        break;
      case Type::kHistogram: {
        // Pre-render the le values once per family, not once per series.
        std::vector<std::string> les;
        les.reserve(e.bounds.size());
        for (int64_t b : e.bounds) {
          std::string s;
          append_value(s, b, e.unit);
          les.push_back(std::move(s));
        }
        std::vector<uint64_t> counts;
        std::get<2>(e.family)->for_each([&](const LabelValues& lv, const Histogram& h, int64_t) {
          // Cumulative counts from one read of the buckets; _count is the
          // +Inf bucket so the exposition stays self-consistent while others
          // record.
          h.bucket_counts(counts);
          uint64_t cum = 0;
          for (size_t i = 0; i <= e.bounds.size(); ++i) {
            cum += counts[i];
            out += e.name;
            out += "_bucket";
            if (!open_labels(out, e.labels, lv)) out.push_back('{');
            else out.push_back(',');
            out += "le=\"";
            out += i < les.size() ? std::string_view(les[i]) : std::string_view("+Inf");
            fmt::format_to(std::back_inserter(out), "\"}} {}\n", cum);
          }
          out += e.name;
          out += "_sum";
          append_labels(out, e.labels, lv);
          out.push_back(' ');
          append_value(out, h.sum(), e.unit);
          out += '\n';
          out += e.name;
          out += "_count";
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", cum);
        });
        break;
      }
    }
  }
  return out;
}

void MetricsRegistry::gauge_fn(std::string name, std::string help, std::function<double()> fn) {
  check_names(name, {}, false);
  std::lock_guard<std::mutex> g(mu_);
  if (Entry* e = find_entry(entries_, name)) {
    if (e->type != Type::kGauge || !e->fn)
      throw std::invalid_argument("metric registered twice with another shape: " + name);
    e->fn = std::move(fn);
    return;
  }
  Entry e{std::move(name), std::move(help), Type::kGauge, Unit::kNone, {}, {}, {}, std::move(fn), {}};
  entries_.push_back(std::move(e));
}

void MetricsRegistry::counter_fn(std::string name, std::string help, std::function<double()> fn) {
  check_names(name, {}, false);
  std::lock_guard<std::mutex> g(mu_);
  if (Entry* e = find_entry(entries_, name)) {
    if (e->type != Type::kCounter || !e->fn)
      throw std::invalid_argument("metric registered twice with another shape: " + name);
    e->fn = std::move(fn);
    return;
  }
  Entry e{std::move(name), std::move(help), Type::kCounter, Unit::kNone, {}, {}, {}, std::move(fn), {}};
  entries_.push_back(std::move(e));
}

// ------------------------------------------------------------- OpenMetrics

namespace {

// OpenMetrics escaping (HELP and label values alike): \\, \n and \".
void om_escape(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

// A counter's MetricFamily name excludes the _total suffix of its samples.
std::string_view om_family_name(std::string_view name, Type t) {
  if (t == Type::kCounter && name.size() > 6 && name.ends_with("_total"))
    name.remove_suffix(6);
  return name;
}

// The unit, when the family name ends in a base-unit suffix (# UNIT).
std::string_view om_unit(std::string_view family) {
  static constexpr std::string_view kUnits[] = {"seconds", "bytes", "ratio", "meters", "grams",
                                                "celsius", "volts",  "amperes", "joules"};
  for (auto u : kUnits) {
    if (family.size() > u.size() + 1 && family.ends_with(u) &&
        family[family.size() - u.size() - 1] == '_')
      return u;
  }
  return {};
}

// `{a="x",b="y"` without the closing brace; returns whether a brace opened.
bool om_open_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values) {
  if (names.empty()) return false;
  out.push_back('{');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out.push_back(',');
    out += names[i];
    out += "=\"";
    if (i < values.size()) om_escape(out, values[i]);
    out.push_back('"');
  }
  return true;
}

void om_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values) {
  if (om_open_labels(out, names, values)) out.push_back('}');
}

void om_created(std::string& out, std::string_view family, const std::vector<std::string>& names,
                const LabelValues& values, int64_t created_ns) {
  if (created_ns <= 0) return;
  out += family;
  out += "_created";
  om_labels(out, names, values);
  out.push_back(' ');
  append_timestamp(out, created_ns);
  out.push_back('\n');
}

bool zero_id(const std::array<uint8_t, 16>& id) {
  for (uint8_t b : id)
    if (b) return false;
  return true;
}

}  // namespace

std::string MetricsRegistry::render_openmetrics() const {
  std::string out;
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& e : entries_) {
    const std::string_view fam = om_family_name(e.name, e.type);
    out += "# TYPE ";
    out += fam;
    out.push_back(' ');
    out += type_name(e.type);
    out.push_back('\n');
    if (auto u = om_unit(fam); !u.empty()) {
      out += "# UNIT ";
      out += fam;
      out.push_back(' ');
      out += u;
      out.push_back('\n');
    }
    out += "# HELP ";
    out += fam;
    out.push_back(' ');
    om_escape(out, e.help);
    out.push_back('\n');
    if (e.fn) {
      out += fam;
      if (e.type == Type::kCounter) out += "_total";
      out.push_back(' ');
      append_double(out, e.fn());
      out.push_back('\n');
      continue;
    }
    switch (e.type) {
      case Type::kCounter:
        std::get<0>(e.family)->for_each([&](const LabelValues& lv, const Counter& c, int64_t created) {
          out += fam;
          out += "_total";
          om_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", c.value());
          om_created(out, fam, e.labels, lv, created);
        });
        break;
      case Type::kGauge:
        std::get<1>(e.family)->for_each([&](const LabelValues& lv, const Gauge& g, int64_t) {
          out += fam;
          om_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", g.value());
        });
        break;
      case Type::kHistogram: {
        std::vector<std::string> les;
        les.reserve(e.bounds.size());
        for (int64_t b : e.bounds) {
          std::string s;
          append_value(s, b, e.unit);
          les.push_back(std::move(s));
        }
        std::vector<uint64_t> counts;
        std::get<2>(e.family)->for_each([&](const LabelValues& lv, const Histogram& h, int64_t created) {
          h.bucket_counts(counts);
          uint64_t cum = 0;
          for (size_t i = 0; i <= e.bounds.size(); ++i) {
            cum += counts[i];
            out += fam;
            out += "_bucket";
            if (!om_open_labels(out, e.labels, lv)) out.push_back('{');
            else out.push_back(',');
            out += "le=\"";
            out += i < les.size() ? std::string_view(les[i]) : std::string_view("+Inf");
            fmt::format_to(std::back_inserter(out), "\"}} {}", cum);
            Exemplar x = h.exemplar(i);
            if (x.present && !zero_id(x.trace_id)) {
              out += " # {trace_id=\"";
              static constexpr char kHex[] = "0123456789abcdef";
              for (uint8_t b : x.trace_id) {
                out.push_back(kHex[b >> 4]);
                out.push_back(kHex[b & 15]);
              }
              out += "\"} ";
              append_value(out, x.value, e.unit);
              out.push_back(' ');
              append_timestamp(out, x.time_ns);
            }
            out.push_back('\n');
          }
          out += fam;
          out += "_count";
          om_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", cum);
          out += fam;
          out += "_sum";
          om_labels(out, e.labels, lv);
          out.push_back(' ');
          append_value(out, h.sum(), e.unit);
          out.push_back('\n');
          om_created(out, fam, e.labels, lv, created);
        });
        break;
      }
    }
  }
  out += "# EOF\n";
  return out;
}

std::vector<int64_t> default_latency_bounds_ns() {
  constexpr int64_t us = 1000, ms = 1000 * us, s = 1000 * ms;
  return {50 * us,  100 * us, 250 * us, 500 * us, 1 * ms,   2500 * us,
          5 * ms,   10 * ms,  25 * ms,  50 * ms,  100 * ms, 250 * ms,
          500 * ms, 1 * s,    2500 * ms, 5 * s,   10 * s};
}

}  // namespace inplay
