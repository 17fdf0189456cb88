// A small reader for the football-data.co.uk season CSVs
// (../shared/data/football-data/, see its README): one header row, one row
// per match, bookmaker odds in columns found by header name.
//
// Survives the files' quirks: CRLF or LF line ends, blank lines (E0_2023-24
// starts with one), a column set that changes between seasons (look columns
// up by name; a missing column reads as empty), empty cells where a
// bookmaker did not price, rows shorter than the header. Double-quoted
// fields ("a,b", "" for a quote) are accepted though these files have none.
// Odds are parsed exactly with Odds::parse (no floating point).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/odds.h"

namespace inplay {

class CsvTable {
 public:
  // Parses a whole file's text. The first non-blank line is the header.
  static CsvTable parse(std::string_view text);
  // Reads and parses a file; false (and `error`) when it cannot be read.
  static bool read_file(const std::string& path, CsvTable& out, std::string* error = nullptr);

  const std::vector<std::string>& header() const { return header_; }
  size_t rows() const { return rows_.size(); }
  // Index of a header name, or -1.
  int column(std::string_view name) const;
  // The cell, or "" for a missing column / short row.
  std::string_view cell(size_t row, int column) const;
  std::string_view cell(size_t row, std::string_view name) const { return cell(row, column(name)); }
  // The cell as odds; nullopt when empty or not a valid price.
  std::optional<Odds> odds(size_t row, std::string_view name) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace inplay
