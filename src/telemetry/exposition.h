// Internals shared by the metrics files (metrics.cpp: the registry and the
// Prometheus text format; openmetrics.cpp: OpenMetrics 1.0): a family's
// registry entry and the value formatting both expositions use. Include only
// from src/telemetry/*.cpp.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "telemetry/log_linear.h"
#include "telemetry/metrics.h"

namespace inplay {

namespace metrics_detail {
enum class Type { kCounter, kGauge, kHistogram };
const char* type_name(Type t);
void append_seconds(std::string& out, int64_t ns);  // ns as decimal seconds
void append_double(std::string& out, double v);     // NaN, +Inf, -Inf as spelled
void append_timestamp(std::string& out, int64_t ns);  // exact decimal seconds
void append_value(std::string& out, int64_t v, Unit unit);
// Label values, the same in both formats (and OpenMetrics HELP): \\, \" and \n.
void escape_label_value(std::string& out, std::string_view s);
// `{a="x",b="y"` without the closing brace, or nothing; whether it opened.
bool open_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values);
void append_labels(std::string& out, const std::vector<std::string>& names, const LabelValues& values);
// A histogram's le values, rendered once per family (not per series).
std::vector<std::string> le_values(const std::vector<int64_t>& bounds, Unit unit);
// `<name>_bucket{<labels>,le="<le>"}`: a bucket sample up to its value.
void append_bucket(std::string& out, std::string_view name, const std::vector<std::string>& labels,
                   const LabelValues& values, std::string_view le);
}  // namespace metrics_detail

struct MetricsRegistry::Entry {
  std::string name;
  std::string help;
  metrics_detail::Type type;
  Unit unit = Unit::kNone;
  std::vector<int64_t> bounds;  // histograms; series point at it
  std::vector<std::string> labels;
  std::variant<std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
               std::unique_ptr<Family<Histogram>>>
      family;
  std::function<double()> fn;  // set: a family read at scrape time (no family object)
  std::unique_ptr<BucketLayout> layout;  // histograms: over `bounds`, shared by the series
};

}  // namespace inplay
