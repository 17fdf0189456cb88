#include "cli/thread_cpu.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace inplay {

namespace {

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// utime + stime in ticks: fields 14 and 15 of stat, counted after the ")"
// that closes the command name (a name may hold spaces or parentheses).
int64_t stat_ticks(const std::string& stat) {
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(stat.substr(close + 1));
  std::string field;
  int64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

}  // namespace

ThreadCpu read_thread_cpu(pid_t pid) {
  ThreadCpu out;
  const int64_t ns_per_tick = 1'000'000'000 / std::max<long>(sysconf(_SC_CLK_TCK), 1);
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
    std::string stat = read_all(task.path() / "stat");
    std::string name = read_all(task.path() / "comm");
    if (stat.empty()) continue;  // the thread ended between the listing and the read
    while (!name.empty() && name.back() == '\n') name.pop_back();
    out[name] += stat_ticks(stat) * ns_per_tick;
  }
  return out;
}

std::string format_cpu_per_unit(const ThreadCpu& before, const ThreadCpu& after, uint64_t units) {
  std::vector<std::pair<double, std::string>> per;
  double total = 0;
  for (const auto& [name, ns] : after) {
    auto b = before.find(name);
    int64_t used = ns - (b == before.end() ? 0 : b->second);
    if (used <= 0) continue;
    double us = static_cast<double>(used) / 1e3 / static_cast<double>(std::max<uint64_t>(units, 1));
    per.emplace_back(us, name);
    total += us;
  }
  std::sort(per.begin(), per.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out = fmt::format("total {:.2f} us", total);
  for (size_t i = 0; i < per.size(); ++i)
    out += fmt::format("{}{} {:.2f}", i == 0 ? " = " : " + ", per[i].second, per[i].first);
  return out;
}

}  // namespace inplay
