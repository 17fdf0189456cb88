// ThreadCpu: the CPU time each thread of a process has used so far, read from
// /proc/PID/task/*/stat (utime + stime) and named by /proc/PID/task/*/comm;
// Linux only. The load generator takes one reading as its measured window
// opens and one as it closes, and divides each thread's share by the bets
// accepted in between (issue 19: CPU per accepted bet, per thread). Threads
// that share a name (several http-io) are summed. Resolution is the kernel's
// clock tick (10 ms at 100 Hz): over a window of a few hundred thousand bets
// that is a few hundredths of a microsecond per bet. Plain values; any thread.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>

namespace inplay {

// Thread name -> CPU nanoseconds used. Empty if the process is gone or
// unreadable.
using ThreadCpu = std::map<std::string, int64_t>;

ThreadCpu read_thread_cpu(pid_t pid);

// "total 45.1 us = http-io 15.2 + engine 10.6 + ...": each thread's CPU
// between the readings divided by `units`, largest first, in microseconds;
// threads that used nothing are left out.
std::string format_cpu_per_unit(const ThreadCpu& before, const ThreadCpu& after, uint64_t units);

}  // namespace inplay
