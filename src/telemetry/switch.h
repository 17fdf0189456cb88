// The compile-time telemetry switch of the bet path.
//
// INPLAY_TELEMETRY (default 1) set to 0 compiles the engine's per-bet spans,
// metrics and logs out: call sites test kTelemetry with `if constexpr`, so
// the code stays type-checked but emits nothing. Only the engine_bench_notel
// build sets it to 0, to measure what telemetry costs the bet path
// (docs/benchmarks.md); the product always builds with telemetry on.
#pragma once

#ifndef INPLAY_TELEMETRY
#define INPLAY_TELEMETRY 1
#endif

namespace inplay {

inline constexpr bool kTelemetry = INPLAY_TELEMETRY != 0;

}  // namespace inplay
