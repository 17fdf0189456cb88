#include "telemetry/retention.h"

#include "core/clock.h"
#include "telemetry/tracer.h"

namespace inplay {

size_t sweep_traces(Tracer& tracer, const Clock& clock, int64_t max_age_ns) {
  if (max_age_ns <= 0) return 0;
  return tracer.expire(to_ns(clock.now()) - max_age_ns);
}

}  // namespace inplay
