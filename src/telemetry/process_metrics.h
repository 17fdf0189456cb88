// Process metrics read from /proc at scrape time (Linux): CPU seconds,
// resident memory, threads and start time, named as the Prometheus client
// libraries name them.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "telemetry/metrics.h"

namespace inplay {

struct ProcessStats {
  double cpu_seconds = 0;         // user + system
  double resident_bytes = 0;      // VmRSS
  double threads = 0;
  double start_time_seconds = 0;  // since the Unix epoch
};

// Parses the text of /proc/self/stat, /proc/self/status and /proc/stat;
// nullopt when a field is missing.
std::optional<ProcessStats> parse_process_stats(std::string_view stat, std::string_view status,
                                                std::string_view proc_stat, long ticks_per_second);
// Reads the live process' figures (nullopt off Linux or on read errors).
std::optional<ProcessStats> read_process_stats();

}  // namespace inplay
