// Retention plan (telemetry.retention): how long each kind of telemetry is
// kept, enforced by the process itself.
//
//   traces  spans leave the in-memory store once they ended more than
//           trace_max_age_s ago (a sweep the runtime runs every second on a
//           background thread: sweep_traces), besides the count cap
//           telemetry.max_spans; trace_spans_expired_total counts them.
//   logs    with telemetry.log_file, the file rotates at log_max_bytes and
//           log_keep rotated files are kept (telemetry/log_file.h).
//   audit   the audit file (telemetry/audit.h) is a regulatory record: the
//           plan states its minimum retention, which may not be set below
//           kAuditMinDaysFloor, and the process never deletes or truncates
//           audit records (only a torn, unsynced last line is cut).
#pragma once
#include <cstddef>
#include <cstdint>

namespace inplay {

class Clock;
class Tracer;

// Five years: the shortest record-keeping period regulators ask of a book.
inline constexpr int64_t kAuditMinDaysFloor = 1825;

struct RetentionPlan {
  int64_t trace_max_age_s = 3600;  // 0: the count cap only
  uint64_t log_max_bytes = 64ull << 20;
  unsigned log_keep = 5;
  int64_t audit_min_days = 2555;  // seven years
};

// Evicts the spans that ended more than max_age_ns before the clock's now
// (nothing when max_age_ns <= 0). Returns how many went.
size_t sweep_traces(Tracer& tracer, const Clock& clock, int64_t max_age_ns);

}  // namespace inplay
