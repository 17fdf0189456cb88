// Exchange: one API request in flight — its gateway span, its route label
// and where the answer goes — and the helpers that end it. Any thread; an
// exchange is answered exactly once (finish), from whichever thread has the
// answer (the I/O thread, the engine thread, the offload worker).
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "http/server.h"
#include "telemetry/attributes.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"

namespace inplay {

struct Exchange {
  Responder respond;
  Span span;          // the gateway span
  std::string route;  // the route's pattern: the label of http_requests_total
  Tracer* tracer;
  Clock* clock;
  Family<Counter>* requests;
  // Set for POST /v1/bets: counts the answer for the bet_errors SLI.
  std::atomic<uint64_t>* bets_total = nullptr;
  std::atomic<uint64_t>* bets_5xx = nullptr;
};

// Ends the exchange: closes and records the gateway span, counts the answer
// (by route and status, and for the bet_errors SLI) and hands it over.
inline void finish(const std::shared_ptr<Exchange>& x, HttpResponse r) {
  x->span.end_ns = to_ns(x->clock->now());
  x->span.error = r.status >= 500;
  x->span.attr(attr::kStatus, static_cast<int64_t>(r.status));
  x->tracer->record(std::move(x->span));
  x->requests->with({x->route, std::to_string(r.status)}).inc();
  if (x->bets_total) {
    x->bets_total->fetch_add(1, std::memory_order_relaxed);
    if (r.status >= 500) x->bets_5xx->fetch_add(1, std::memory_order_relaxed);
  }
  x->respond(std::move(r));
}

// A JSON answer, with the gateway span's traceparent.
inline void send(const std::shared_ptr<Exchange>& x, int status, std::string body,
                 std::vector<std::pair<std::string, std::string>> extra = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(extra);
  r.headers.emplace_back("traceparent", format_traceparent(x->span.context()));
  finish(x, std::move(r));
}

// Retry-After (seconds) of an error, or nullptr: every 503 says when to come
// back — a journal outage is an outage of minutes, the rest pass in a second.
inline const char* retry_after(ErrorCode c) {
  if (c == ErrorCode::kJournalUnavailable || c == ErrorCode::kPaymentRouteUnavailable) return "5";
  return error_http_status(c) == 503 ? "1" : nullptr;
}

// An error's status and JSON body (Retry-After on every 503).
inline void send_error(const std::shared_ptr<Exchange>& x, const Error& e) {
  std::vector<std::pair<std::string, std::string>> extra;
  if (const char* s = retry_after(e.code)) extra.emplace_back("Retry-After", s);
  send(x, error_http_status(e.code), error_body(e), std::move(extra));
}

}  // namespace inplay
