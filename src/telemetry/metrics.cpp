#include "telemetry/metrics.h"
#include "telemetry/exposition.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <variant>

namespace inplay {

// ----------------------------------------------------------------- Registry

namespace metrics_detail {

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

std::vector<std::string> le_values(const std::vector<int64_t>& bounds, Unit unit) {
  std::vector<std::string> les;
  les.reserve(bounds.size());
  for (int64_t b : bounds) {
    std::string s;
    append_value(s, b, unit);
    les.push_back(std::move(s));
  }
  return les;
}

void append_bucket(std::string& out, std::string_view name, const std::vector<std::string>& labels,
                   const LabelValues& values, std::string_view le) {
  out += name;
  out += "_bucket";
  out.push_back(open_labels(out, labels, values) ? ',' : '{');
  out += "le=\"";
  out += le;
  out += "\"}";
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

}  // namespace metrics_detail

using namespace metrics_detail;


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
        const std::vector<std::string> les = le_values(e.bounds, e.unit);
        std::vector<uint64_t> counts;
        std::get<2>(e.family)->for_each([&](const LabelValues& lv, const Histogram& h, int64_t) {
          // Cumulative counts from one read of the buckets; _count is the
          // +Inf bucket so the exposition stays self-consistent while others
          // record.
          h.bucket_counts(counts);
          uint64_t cum = 0;
          for (size_t i = 0; i <= e.bounds.size(); ++i) {
            cum += counts[i];
            append_bucket(out, e.name, e.labels, lv, i < les.size() ? std::string_view(les[i]) : "+Inf");
            fmt::format_to(std::back_inserter(out), " {}\n", cum);
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

std::vector<int64_t> default_latency_bounds_ns() {
  constexpr int64_t us = 1000, ms = 1000 * us, s = 1000 * ms;
  return {50 * us,  100 * us, 250 * us, 500 * us, 1 * ms,   2500 * us,
          5 * ms,   10 * ms,  25 * ms,  50 * ms,  100 * ms, 250 * ms,
          500 * ms, 1 * s,    2500 * ms, 5 * s,   10 * s};
}

}  // namespace inplay
