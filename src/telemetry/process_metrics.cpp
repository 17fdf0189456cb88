#include "telemetry/process_metrics.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace inplay {

namespace {

std::string slurp(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool to_u64(std::string_view s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The number after `key` at the start of a line ("VmRSS:\t  1234 kB").
bool field_after(std::string_view text, std::string_view key, uint64_t& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line.starts_with(key)) {
      line.remove_prefix(key.size());
      size_t b = line.find_first_of("0123456789");
      if (b == std::string_view::npos) return false;
      size_t e = line.find_first_not_of("0123456789", b);
      return to_u64(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b), out);
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return false;
}

}  // namespace

std::optional<ProcessStats> parse_process_stats(std::string_view stat, std::string_view status,
                                                std::string_view proc_stat, long ticks_per_second) {
  // stat: "pid (comm) state f4 f5 ...": comm may hold spaces and ')'.
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<std::string_view> f;  // f[0] is field 3 (state)
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    size_t b = rest.find_first_not_of(" \n");
    if (b == std::string_view::npos) break;
    size_t e = rest.find_first_of(" \n", b);
    f.push_back(rest.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    rest = rest.substr(e);
  }
  auto field = [&f](int n, uint64_t& out) { return n - 3 < static_cast<int>(f.size()) && to_u64(f[n - 3], out); };
  uint64_t utime, stime, starttime, rss_kb, threads, btime;
  if (!field(14, utime) || !field(15, stime) || !field(22, starttime)) return std::nullopt;
  if (!field_after(status, "VmRSS:", rss_kb) || !field_after(status, "Threads:", threads)) return std::nullopt;
  if (!field_after(proc_stat, "btime ", btime)) return std::nullopt;
  const double tps = static_cast<double>(ticks_per_second);
  ProcessStats s;
  s.cpu_seconds = static_cast<double>(utime + stime) / tps;
  s.resident_bytes = static_cast<double>(rss_kb) * 1024.0;
  s.threads = static_cast<double>(threads);
  s.start_time_seconds = static_cast<double>(btime) + static_cast<double>(starttime) / tps;
  return s;
}

std::optional<ProcessStats> read_process_stats() {
  return parse_process_stats(slurp("/proc/self/stat"), slurp("/proc/self/status"), slurp("/proc/stat"),
                             sysconf(_SC_CLK_TCK));
}

void register_process_metrics(MetricsRegistry& r) {
  // Each family reads /proc at scrape time; a failed read renders NaN.
  auto read = [](double ProcessStats::*m) {
    return [m] {
      auto s = read_process_stats();
      return s ? (*s).*m : std::nan("");
    };
  };
  r.counter_fn("process_cpu_seconds_total", "User and system CPU time spent by the process",
               read(&ProcessStats::cpu_seconds));
  r.gauge_fn("process_resident_memory_bytes", "Resident memory size (VmRSS)",
             read(&ProcessStats::resident_bytes));
  r.gauge_fn("process_threads", "Threads in the process", read(&ProcessStats::threads));
  r.gauge_fn("process_start_time_seconds", "Start time of the process since the Unix epoch",
             read(&ProcessStats::start_time_seconds));
}

}  // namespace inplay
