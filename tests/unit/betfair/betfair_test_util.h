// Shared helpers for the Betfair adapter tests.
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/odds.h"

namespace inplay::betfair::test {

// Odds from their scaled integer (10000 = evens).
inline Odds O(int32_t scaled) { return Odds{scaled}; }

inline std::string data_dir() {
  return std::string(INPLAY_SOURCE_DIR) + "/../shared/data/betfair-stream/";
}

inline std::string read_file(const std::string& rel) {
  std::ifstream in(data_dir() + rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Non-empty lines of a stream recording.
inline std::vector<std::string> read_lines(const std::string& rel) {
  std::ifstream in(data_dir() + rel, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace inplay::betfair::test
