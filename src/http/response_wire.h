// Response wire format: writes the head (status line and headers) of an
// HttpResponse as HTTP/1.1 bytes into a caller-owned buffer, so a connection
// reuses one buffer for every response instead of building a Beast message
// (and its per-field allocations). The body goes out as a second buffer.
//
// Contract: always emits the status line, Server: inplay, Content-Type (when
// non-empty), Content-Length and Connection (close or keep-alive, as asked),
// then the extra headers and the blank line. An extra header whose name or value
// holds CR, LF or NUL, or whose name collides with one of the headers above,
// is dropped: a handler cannot split or smuggle a response. Pure function,
// any thread.
#pragma once
#include <string>

#include "http/server.h"

namespace inplay {

// Replaces `out` with the head of `res`; res.body is not copied. `http10`
// selects the HTTP/1.0 status line.
void write_response_head(const HttpResponse& res, bool keep_alive, bool http10, std::string& out);

// The reason phrase of a status code ("OK", "Payload Too Large"; "Unknown").
std::string_view status_reason(int status);

}  // namespace inplay
