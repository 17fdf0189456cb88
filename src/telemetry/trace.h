// Trace: the minimal OpenTelemetry-shaped tracing API of the bet path. It
// lives in four headers, one idea each; this one includes them all, for
// callers that want the whole API (include the one you need):
//   telemetry/trace_context.h  trace and span ids, the W3C traceparent, hex
//   telemetry/span.h           Span, the record code fills, and its attributes
//   telemetry/tracer.h         Tracer: starts spans, takes finished ones over
//                              (the hand-off to its drain thread), sampler, exporter
//   telemetry/trace_store.h    the bounded store of finished spans the Tracer's
//                              readers read
#pragma once
#include "telemetry/span.h"
#include "telemetry/trace_context.h"
#include "telemetry/trace_store.h"
#include "telemetry/tracer.h"
