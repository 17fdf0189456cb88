// YamlReader: strict reading of one YAML mapping from a file a human wrote
// (the book config, the SLO file, the playbook file).
//
// Contract: every accessor checks type and range and, on a problem, throws
// YamlError whose message is "<file>:<line>: <key path>: <reason>" (line is
// 1-based, pointing at the offending value, or at the mapping that lacks a
// required key). Keys that were never asked for are reported by done() as
// "unknown key" at their own line, so a typo never passes silently; a
// required key that is missing while a near-miss of it is present (a typo:
// "duratoin") is reported at the typo, with "did you mean 'duration'?". A key
// given twice in one mapping is refused at its second place (YAML says keys
// are unique; yaml-cpp would silently keep the first).
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inplay {

class YamlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class YamlReader {
 public:
  // fallback_line: where to point (0-based) for a node with no place in the
  // file, i.e. an absent section: the line of the mapping that lacks it.
  YamlReader(const YAML::Node& node, std::string path, const std::string& file, int fallback_line = 0);

  [[noreturn]] void fail(const YAML::Node& n, std::string_view why) const;
  [[noreturn]] void fail_key(std::string_view key, const YAML::Node& n, std::string_view why) const;
  // A required key (or one of several) is absent: at a key of this mapping
  // that looks like a typo of it, if there is one, else at the mapping.
  [[noreturn]] void missing(std::initializer_list<std::string_view> keys) const;
  // 1-based line of n, or of the closest enclosing mapping in the file.
  int line_of(const YAML::Node& n) const;
  std::string sub(std::string_view key) const;

  YAML::Node get(std::string_view key);
  bool has(std::string_view key) const { return node_[std::string(key)].IsDefined(); }

  std::string str(std::string_view key, bool required, std::string dflt = "");
  int64_t integer(std::string_view key, bool required, int64_t dflt, int64_t min, int64_t max);
  double number(std::string_view key, double dflt, double min, double max);
  bool boolean(std::string_view key, bool dflt);
  // A list of strings (absent: empty).
  std::vector<std::string> strings(std::string_view key);
  // One of `choices`; dflt when absent (required when dflt is empty).
  std::string choice(std::string_view key, std::initializer_list<std::string_view> choices,
                     std::string dflt = "");
  // A duration: an integer with a unit suffix ms, s, m, h or d ("250ms",
  // "5m", "28d"). Returns milliseconds; range checked in milliseconds.
  int64_t duration_ms(std::string_view key, bool required, int64_t dflt, int64_t min_ms, int64_t max_ms);

  YamlReader child(std::string_view key);
  std::vector<YamlReader> list(std::string_view key);
  // Every key of the mapping: (name, node), for maps of free names.
  std::vector<std::pair<std::string, YAML::Node>> entries() const;
  void done() const;

  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  const YAML::Node& node() const { return node_; }

 private:
  YAML::Node node_;
  std::string path_;
  const std::string& file_;
  int fallback_line_;
  std::set<std::string> used_;
};

// Parses a duration like "250ms", "5s", "10m", "6h", "28d" into milliseconds;
// false on anything else (no sign, no fraction, no unit missing).
bool parse_duration_ms(std::string_view s, int64_t& out);
// Loads a YAML document, turning a syntax error into YamlError with the line.
YAML::Node load_yaml(const std::string& text, const std::string& file_name);
// The whole text of a file, or YamlError "<path>:0: cannot read the <what>".
std::string read_yaml_file(const std::string& path, std::string_view what);

}  // namespace inplay
