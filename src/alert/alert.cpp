#include "alert/alert.h"

namespace inplay {

namespace {
void fnv(uint64_t& h, const std::string& s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= 0xff;  // separator: ("ab","c") != ("a","bc")
  h *= 1099511628211ULL;
}
}  // namespace

uint64_t Alert::fingerprint() const {
  uint64_t h = 14695981039346656037ULL;
  fnv(h, name);
  for (auto& [k, v] : labels) {
    fnv(h, k);
    fnv(h, v);
  }
  return h;
}

std::string Alert::label(const std::string& k) const {
  if (k == "alertname") return name;
  auto it = labels.find(k);
  return it == labels.end() ? std::string() : it->second;
}

bool alert_matches(const Alert& a, const LabelSet& matchers) {
  for (auto& [k, v] : matchers)
    if (v == "*" ? a.label(k).empty() : a.label(k) != v) return false;
  return true;
}

void write_labels(JsonWriter& w, std::string_view key, const LabelSet& labels) {
  w.key(key).begin_object();
  for (auto& [k, v] : labels) w.field(k, v);
  w.end_object();
}

}  // namespace inplay
