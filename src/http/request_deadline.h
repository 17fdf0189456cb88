// RequestDeadline: when a bet request stops being worth answering (issue 18,
// item 2). The client may say how long it will wait in
// `X-Request-Deadline-Ms` (whole milliseconds, 1 to 86,400,000; more than the
// book's max_deadline is capped to it); without the header the book's
// default applies (admission.deadline_ms; 0: none). The deadline is counted
// from the gateway span's start — when the HTTP thread read the request, on
// the book's clock — so it is one instant the engine compares with its own
// clock when it takes the bet (bet/placement_desk.h). Pure; any thread.
#pragma once
#include <cstdint>

#include "core/error.h"
#include "engine/engine_config.h"
#include "http/server.h"

namespace inplay {

inline constexpr const char* kDeadlineHeader = "x-request-deadline-ms";

// The absolute deadline (ns on the book's clock; 0: none) of a request read
// at read_ns, or VALIDATION_FAILED naming the header.
Result<int64_t> request_deadline_ns(const HttpRequest& req, const AdmissionConfig& cfg, int64_t read_ns);

}  // namespace inplay
