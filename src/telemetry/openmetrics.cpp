// Content negotiation for the metrics exposition (GET /metrics).
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

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

}  // namespace inplay
