#include "telemetry/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <unordered_map>
#include <variant>

namespace inplay {

// ---------------------------------------------------------------- Histogram

Histogram::Histogram(const std::vector<int64_t>* bounds)
    : bounds_(bounds),
      counts_(new std::atomic<uint64_t>[bounds->size() + 1]),
      exemplars_(bounds->size() + 1) {
  for (size_t i = 0; i <= bounds_->size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

size_t Histogram::bucket_of(int64_t v) const {
  // Bucket i holds bounds[i-1] < v <= bounds[i] (Prometheus "le").
  const auto& b = *bounds_;
  return static_cast<size_t>(std::lower_bound(b.begin(), b.end(), v) - b.begin());
}

void Histogram::observe(int64_t v) {
  counts_[bucket_of(v)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::observe(int64_t v, const std::array<uint8_t, 16>& trace_id, int64_t time_ns) {
  const size_t b = bucket_of(v);
  counts_[b].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> g(exemplar_mu_);
  exemplars_[b] = Exemplar{trace_id, v, time_ns, true};
}

uint64_t Histogram::bucket_count(size_t i) const {
  if (i > bounds_->size()) return 0;
  return counts_[i].load(std::memory_order_relaxed);
}

int64_t Histogram::quantile(double q) const {
  const size_t n = bounds_->size() + 1;
  // Read the buckets once: count_ may run ahead of them while others record.
  std::vector<uint64_t> c(n);
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) total += (c[i] = counts_[i].load(std::memory_order_relaxed));
  if (total == 0) return 0;
  q = std::clamp(std::isnan(q) ? 0.0 : q, 0.0, 1.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t seen = 0;
  for (size_t i = 0; i < n; ++i) {
    seen += c[i];
    if (seen >= rank) {
      // The +Inf bucket has no upper bound: report the largest finite one,
      // as Prometheus' histogram_quantile does.
      if (i < bounds_->size()) return (*bounds_)[i];
      return bounds_->empty() ? 0 : bounds_->back();
    }
  }
  return bounds_->empty() ? 0 : bounds_->back();
}

Exemplar Histogram::exemplar(size_t bucket) const {
  std::lock_guard<std::mutex> g(exemplar_mu_);
  if (bucket >= exemplars_.size()) return Exemplar{};
  return exemplars_[bucket];
}

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

// Histogram families do not know their bounds (the Family template is shared
// with counters and gauges), yet MetricsRegistry::series is static. This side
// table maps a live histogram family to its registry-owned bounds; it is only
// touched on the cold paths (register, bind, registry destruction).
std::mutex g_bounds_mu;
std::unordered_map<const Family<Histogram>*, const std::vector<int64_t>*>& bounds_table() {
  static auto* t = new std::unordered_map<const Family<Histogram>*, const std::vector<int64_t>*>();
  return *t;
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

MetricsRegistry::~MetricsRegistry() {
  std::lock_guard<std::mutex> g(g_bounds_mu);
  for (auto& e : entries_) {
    if (e.type == Type::kHistogram) bounds_table().erase(std::get<2>(e.family).get());
  }
}

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
                           std::move(labels), std::move(f), {}});
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
                           std::move(labels), std::move(f), {}});
  return ref;
}

Family<Histogram>& MetricsRegistry::histogram(std::string name, std::string help,
                                              std::vector<std::string> labels,
                                              std::vector<int64_t> bounds, Unit unit) {
  check_names(name, labels, true);
  if (!std::is_sorted(bounds.begin(), bounds.end()) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end())
    throw std::invalid_argument("histogram bounds must be strictly ascending: " + name);
  std::lock_guard<std::mutex> g(mu_);
  if (Entry* e = find_entry(entries_, name)) {
    if (e->type != Type::kHistogram || e->labels != labels || e->bounds != bounds || e->unit != unit)
      throw std::invalid_argument("metric registered twice with another shape: " + name);
    return *std::get<2>(e->family);
  }
  auto f = std::make_unique<Family<Histogram>>(name, help, labels, hooks_.get());
  auto& ref = *f;
  entries_.push_back(Entry{std::move(name), std::move(help), Type::kHistogram, unit,
                           std::move(bounds), std::move(labels), std::move(f), {}});
  std::lock_guard<std::mutex> gb(g_bounds_mu);
  bounds_table()[&ref] = &entries_.back().bounds;  // deque: the Entry never moves
  return ref;
}

Histogram& MetricsRegistry::series(Family<Histogram>& f, const LabelValues& values) {
  if (values.size() != f.labels().size())
    throw std::invalid_argument("label count mismatch for " + f.name());
  const std::vector<int64_t>* bounds = nullptr;
  {
    std::lock_guard<std::mutex> g(g_bounds_mu);
    auto it = bounds_table().find(&f);
    if (it == bounds_table().end())
      throw std::invalid_argument("histogram family not owned by a registry: " + f.name());
    bounds = it->second;
  }
  return f.with(values, bounds);
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
        for (auto& [lv, s] : std::get<0>(e.family)->series()) {
          out += e.name;
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", s->value());
        }
        break;
      case Type::kGauge:
        for (auto& [lv, s] : std::get<1>(e.family)->series()) {
          out += e.name;
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", s->value());
        }
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
        for (auto& [lv, h] : std::get<2>(e.family)->series()) {
          // Cumulative counts from one pass over the buckets; _count is the
          // +Inf bucket so the exposition stays self-consistent while others
          // record.
          uint64_t cum = 0;
          for (size_t i = 0; i <= e.bounds.size(); ++i) {
            cum += h->bucket_count(i);
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
          append_value(out, h->sum(), e.unit);
          out += '\n';
          out += e.name;
          out += "_count";
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", cum);
        }
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
  Entry e{std::move(name), std::move(help), Type::kGauge, Unit::kNone, {}, {}, {}, std::move(fn)};
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
  Entry e{std::move(name), std::move(help), Type::kCounter, Unit::kNone, {}, {}, {}, std::move(fn)};
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
        for (auto& v : std::get<0>(e.family)->views()) {
          out += fam;
          out += "_total";
          om_labels(out, e.labels, v.labels);
          fmt::format_to(std::back_inserter(out), " {}\n", v.series->value());
          om_created(out, fam, e.labels, v.labels, v.created_ns);
        }
        break;
      case Type::kGauge:
        for (auto& v : std::get<1>(e.family)->views()) {
          out += fam;
          om_labels(out, e.labels, v.labels);
          fmt::format_to(std::back_inserter(out), " {}\n", v.series->value());
        }
        break;
      case Type::kHistogram: {
        std::vector<std::string> les;
        les.reserve(e.bounds.size());
        for (int64_t b : e.bounds) {
          std::string s;
          append_value(s, b, e.unit);
          les.push_back(std::move(s));
        }
        for (auto& v : std::get<2>(e.family)->views()) {
          const Histogram* h = v.series;
          uint64_t cum = 0;
          for (size_t i = 0; i <= e.bounds.size(); ++i) {
            cum += h->bucket_count(i);
            out += fam;
            out += "_bucket";
            if (!om_open_labels(out, e.labels, v.labels)) out.push_back('{');
            else out.push_back(',');
            out += "le=\"";
            out += i < les.size() ? std::string_view(les[i]) : std::string_view("+Inf");
            fmt::format_to(std::back_inserter(out), "\"}} {}", cum);
            Exemplar x = h->exemplar(i);
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
          om_labels(out, e.labels, v.labels);
          fmt::format_to(std::back_inserter(out), " {}\n", cum);
          out += fam;
          out += "_sum";
          om_labels(out, e.labels, v.labels);
          out.push_back(' ');
          append_value(out, h->sum(), e.unit);
          out.push_back('\n');
          om_created(out, fam, e.labels, v.labels, v.created_ns);
        }
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
