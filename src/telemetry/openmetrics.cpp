// OpenMetrics 1.0: the exposition with exemplars, _created and # UNIT, and
// the content negotiation that picks it for GET /metrics.
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "telemetry/exposition.h"
#include "telemetry/metrics.h"

namespace inplay {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

double parse_q(std::string_view v) {
  // q = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); lenient on digits.
  double q = 0;
  unsigned whole = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), whole);
  if (ec != std::errc() || whole > 1) return -1;
  q = whole;
  if (p < v.data() + v.size()) {
    if (*p != '.') return -1;
    double scale = 0.1;
    for (++p; p < v.data() + v.size(); ++p) {
      if (*p < '0' || *p > '9') return -1;
      q += (*p - '0') * scale;
      scale /= 10;
    }
  }
  return q > 1 ? 1 : q;
}

}  // namespace

bool accepts_openmetrics(std::string_view accept) {
  double q_om = -1, q_text = -1;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    size_t semi = range.find(';');
    std::string_view type = trim(range.substr(0, semi));
    std::string_view params = semi == std::string_view::npos ? std::string_view() : range.substr(semi + 1);
    double q = 1;
    std::string_view version;
    bool bad = false;
    while (!params.empty()) {
      size_t s2 = params.find(';');
      std::string_view kv = params.substr(0, s2);
      params = s2 == std::string_view::npos ? std::string_view() : params.substr(s2 + 1);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view k = trim(kv.substr(0, eq)), v = trim(kv.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      if (iequals(k, "q")) {
        q = parse_q(v);
        if (q < 0) bad = true;
      } else if (iequals(k, "version")) {
        version = v;
      }
    }
    if (bad) continue;
    if (iequals(type, "application/openmetrics-text")) {
      if (version.empty() || version == "1.0.0") q_om = std::max(q_om, q);
    } else if (iequals(type, "text/plain") || iequals(type, "text/*") || type == "*/*") {
      q_text = std::max(q_text, q);
    }
  }
  return q_om > 0 && q_om >= q_text;
}

using namespace metrics_detail;

// ------------------------------------------------------------- OpenMetrics

namespace {

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

void om_created(std::string& out, std::string_view family, const std::vector<std::string>& names,
                const LabelValues& values, int64_t created_ns) {
  if (created_ns <= 0) return;
  out += family;
  out += "_created";
  append_labels(out, names, values);
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
    escape_label_value(out, e.help);
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
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", c.value());
          om_created(out, fam, e.labels, lv, created);
        });
        break;
      case Type::kGauge:
        std::get<1>(e.family)->for_each([&](const LabelValues& lv, const Gauge& g, int64_t) {
          out += fam;
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", g.value());
        });
        break;
      case Type::kHistogram: {
        const std::vector<std::string> les = le_values(e.bounds, e.unit);
        std::vector<uint64_t> counts;
        std::get<2>(e.family)->for_each([&](const LabelValues& lv, const Histogram& h, int64_t created) {
          h.bucket_counts(counts);
          uint64_t cum = 0;
          for (size_t i = 0; i <= e.bounds.size(); ++i) {
            cum += counts[i];
            append_bucket(out, fam, e.labels, lv, i < les.size() ? std::string_view(les[i]) : "+Inf");
            fmt::format_to(std::back_inserter(out), " {}", cum);
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
          append_labels(out, e.labels, lv);
          fmt::format_to(std::back_inserter(out), " {}\n", cum);
          out += fam;
          out += "_sum";
          append_labels(out, e.labels, lv);
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

}  // namespace inplay
