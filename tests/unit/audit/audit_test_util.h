// What the audit chain's tests share: a temporary directory per test, the
// chain's test key, the epoch its events are stamped from, and whole-line
// reads and writes of an audit file (to tamper with it).
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../temp_dir.h"
#include "journal/events.h"
#include "telemetry/audit.h"

namespace inplay::audit_test {

namespace fs = std::filesystem;

// A fresh directory named after the running test, removed with its contents.
struct TempDir : test_util::TempDir {
  TempDir() : test_util::TempDir("audit") {}
};

inline constexpr int64_t kT0 = 1795809600000000000;  // 2026-11-27T20:00:00Z (simulated)

inline const AuditKey& key() {
  static const AuditKey k("test-audit-chain-secret-0123456789abcdef");
  return k;
}

inline std::vector<std::string> read_lines(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> out;
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

inline void write_lines(const fs::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
}

// A price change: an event the audit chain leaves out.
inline BookEvent price() {
  PriceApplied p;
  p.selection_id = 1011;
  p.odds = 21000;
  return p;
}

}  // namespace inplay::audit_test
