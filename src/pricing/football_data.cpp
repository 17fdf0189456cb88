#include "pricing/football_data.h"

#include <fstream>
#include <sstream>

namespace inplay {

namespace {

// Splits one line (no line end) into fields.
std::vector<std::string> split_line(std::string_view line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  out.push_back(std::move(field));
  return out;
}

bool blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != ',') return false;
  return true;
}

}  // namespace

CsvTable CsvTable::parse(std::string_view text) {
  CsvTable t;
  bool have_header = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (blank(line)) continue;
    if (!have_header) {
      t.header_ = split_line(line);
      // A UTF-8 byte order mark before the first name.
      if (!t.header_.empty() && t.header_[0].rfind("\xEF\xBB\xBF", 0) == 0) t.header_[0].erase(0, 3);
      have_header = true;
    } else {
      t.rows_.push_back(split_line(line));
    }
  }
  return t;
}

bool CsvTable::read_file(const std::string& path, CsvTable& out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot open " + path;
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = parse(ss.str());
  return true;
}

int CsvTable::column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i)
    if (header_[i] == name) return static_cast<int>(i);
  return -1;
}

std::string_view CsvTable::cell(size_t row, int col) const {
  if (col < 0 || row >= rows_.size()) return {};
  const auto& r = rows_[row];
  if (static_cast<size_t>(col) >= r.size()) return {};
  return r[col];
}

std::optional<Odds> CsvTable::odds(size_t row, std::string_view name) const {
  std::string_view s = cell(row, name);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  Odds o;
  if (s.empty() || !Odds::parse(s, o)) return std::nullopt;
  return o;
}

}  // namespace inplay
