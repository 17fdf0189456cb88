#include "core/yaml_reader.h"

#include <fmt/format.h>

#include <map>

#include <fstream>
#include <sstream>

#include "core/spelling.h"

namespace inplay {

YamlReader::YamlReader(const YAML::Node& node, std::string path, const std::string& file, int fallback_line)
    : node_(node), path_(std::move(path)), file_(file), fallback_line_(fallback_line) {
  if (!node_.IsMap()) fail(node_, "must be a mapping");
  std::map<std::string, int> first_line;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = it->first.Scalar();
    auto [at, fresh] = first_line.emplace(k, line_of(it->first));
    if (!fresh) fail_key(k, it->first, fmt::format("duplicate key (first at line {})", at->second));
  }
}

void YamlReader::fail(const YAML::Node& n, std::string_view why) const {
  if (path_.empty()) throw YamlError(fmt::format("{}:{}: {}", file_, line_of(n), why));
  throw YamlError(fmt::format("{}:{}: {}: {}", file_, line_of(n), path_, why));
}

void YamlReader::fail_key(std::string_view key, const YAML::Node& n, std::string_view why) const {
  throw YamlError(fmt::format("{}:{}: {}: {}", file_, line_of(n), sub(key), why));
}

int YamlReader::line_of(const YAML::Node& n) const {
  return (n.IsDefined() && !n.Mark().is_null() ? n.Mark().line : fallback_line_) + 1;
}

void YamlReader::missing(std::initializer_list<std::string_view> keys) const {
  std::vector<std::string> wanted(keys.begin(), keys.end());
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = it->first.Scalar();
    if (used_.count(k)) continue;
    if (std::optional<std::string> meant = nearest_name(k, wanted))
      fail_key(k, it->first, fmt::format("unknown key (did you mean '{}'?)", *meant));
  }
  std::string names;
  for (auto k : keys) names += fmt::format("{}'{}'", names.empty() ? "" : " or ", k);
  fail(node_, fmt::format("missing required key {}", names));
}

std::string YamlReader::sub(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

YAML::Node YamlReader::get(std::string_view key) {
  used_.insert(std::string(key));
  return node_[std::string(key)];
}

std::string YamlReader::str(std::string_view key, bool required, std::string dflt) {
  auto n = get(key);
  if (!n.IsDefined()) {
    if (required) missing({key});
    return dflt;
  }
  if (!n.IsScalar()) fail_key(key, n, "must be a string");
  return n.Scalar();
}

int64_t YamlReader::integer(std::string_view key, bool required, int64_t dflt, int64_t min, int64_t max) {
  auto n = get(key);
  if (!n.IsDefined()) {
    if (required) missing({key});
    return dflt;
  }
  int64_t v;
  if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) fail_key(key, n, "must be an integer");
  if (v < min || v > max) fail_key(key, n, fmt::format("must be between {} and {}", min, max));
  return v;
}

double YamlReader::number(std::string_view key, double dflt, double min, double max) {
  auto n = get(key);
  if (!n.IsDefined()) return dflt;
  double v;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v)) fail_key(key, n, "must be a number");
  if (!(v >= min && v <= max)) fail_key(key, n, fmt::format("must be between {} and {}", min, max));
  return v;
}

bool YamlReader::boolean(std::string_view key, bool dflt) {
  auto n = get(key);
  if (!n.IsDefined()) return dflt;
  bool v;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) fail_key(key, n, "must be true or false");
  return v;
}

std::vector<std::string> YamlReader::strings(std::string_view key) {
  auto n = get(key);
  std::vector<std::string> out;
  if (!n.IsDefined()) return out;
  if (!n.IsSequence()) fail_key(key, n, "must be a list of strings");
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) fail_key(key, n[i], "must be a list of strings");
    out.push_back(n[i].Scalar());
  }
  return out;
}

std::string YamlReader::choice(std::string_view key, std::initializer_list<std::string_view> choices,
                               std::string dflt) {
  std::string v = str(key, dflt.empty(), dflt);
  for (auto c : choices)
    if (v == c) return v;
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  fail_key(key, get(key), fmt::format("must be one of {}", list));
}

int64_t YamlReader::duration_ms(std::string_view key, bool required, int64_t dflt, int64_t min_ms,
                                int64_t max_ms) {
  auto n = get(key);
  if (!n.IsDefined()) {
    if (required) missing({key});
    return dflt;
  }
  int64_t v;
  if (!n.IsScalar() || !parse_duration_ms(n.Scalar(), v))
    fail_key(key, n, "must be a duration like 250ms, 30s, 5m, 6h or 28d");
  if (v < min_ms || v > max_ms)
    fail_key(key, n, fmt::format("must be between {} ms and {} ms", min_ms, max_ms));
  return v;
}

YamlReader YamlReader::child(std::string_view key) {
  auto n = get(key);
  if (!n.IsDefined()) return YamlReader(YAML::Node(YAML::NodeType::Map), sub(key), file_, line_of(node_) - 1);
  if (!n.IsMap()) fail_key(key, n, "must be a mapping");
  return YamlReader(n, sub(key), file_);
}

std::vector<YamlReader> YamlReader::list(std::string_view key) {
  auto n = get(key);
  std::vector<YamlReader> out;
  if (!n.IsDefined()) return out;
  if (!n.IsSequence()) fail_key(key, n, "must be a list");
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsMap())
      throw YamlError(fmt::format("{}:{}: {}[{}]: must be a mapping", file_, n[i].Mark().line + 1, sub(key), i));
    out.emplace_back(n[i], fmt::format("{}[{}]", sub(key), i), file_);
  }
  return out;
}

std::vector<std::pair<std::string, YAML::Node>> YamlReader::entries() const {
  std::vector<std::pair<std::string, YAML::Node>> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) out.emplace_back(it->first.as<std::string>(), it->second);
  return out;
}

void YamlReader::done() const {
  const std::vector<std::string> known(used_.begin(), used_.end());
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string k = it->first.Scalar();
    if (!used_.count(k))
      throw YamlError(
          fmt::format("{}:{}: {}: unknown key{}", file_, it->first.Mark().line + 1, sub(k), did_you_mean(k, known)));
  }
}

bool parse_duration_ms(std::string_view s, int64_t& out) {
  size_t i = 0;
  int64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (s[i++] - '0');
  }
  if (i == 0) return false;
  std::string_view unit = s.substr(i);
  int64_t mul;
  if (unit == "ms") mul = 1;
  else if (unit == "s") mul = 1000;
  else if (unit == "m") mul = 60000;
  else if (unit == "h") mul = 3600000;
  else if (unit == "d") mul = 86400000;
  else return false;
  if (v > INT64_MAX / mul) return false;
  out = v * mul;
  return true;
}

std::string read_yaml_file(const std::string& path, std::string_view what) {
  std::ifstream in(path);
  if (!in) throw YamlError(fmt::format("{}:0: cannot read the {}", path, what));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

YAML::Node load_yaml(const std::string& text, const std::string& file_name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw YamlError(fmt::format("{}:{}: {}", file_name, e.mark.line + 1, e.msg));
  }
}

}  // namespace inplay
