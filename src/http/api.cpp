#include "http/api.h"

#include <fmt/format.h>

#include <cstring>

#include "http/api_internal.h"
#include "http/body.h"
#include "journal/journal.h"
#include "market/price_readiness.h"
#include "telemetry/attributes.h"

namespace inplay {

Api::Api(ApiDeps deps) : impl_(std::make_unique<Impl>(deps)) {}
Api::~Api() = default;
void Api::handle(HttpRequest&& req, Responder respond) { impl_->handle(req, std::move(respond)); }
void Api::add_route(Route r) { impl_->routes.add(std::move(r)); }
std::pair<uint64_t, uint64_t> Api::bet_request_totals() const {
  uint64_t all = impl_->bets_total.load(std::memory_order_relaxed);
  return {all - impl_->bets_5xx.load(std::memory_order_relaxed), all};
}

Api::Impl::Impl(ApiDeps deps) : d(deps), offload(deps.metrics), metrics_cache(deps.metrics, deps.metrics_max_age, deps.metrics_per_second) {
  requests = &d.metrics.counter("http_requests_total", "HTTP requests by route and status code", {"route", "code"});
  start_warroom();
  add_book_routes();
  add_ops_routes();
  add_settlement_routes();
  add_cashout_routes();
  add_hedge_routes();
  add_payment_routes();
  add_reconciliation_routes();
  add_support_routes();
  add_kyc_routes();
  add_incident_routes();
  add_warroom_routes();
}

void Api::Impl::handle(HttpRequest& req, Responder respond) {
  auto x = std::make_shared<Exchange>();
  x->respond = std::move(respond);
  x->tracer = &d.tracer;
  x->clock = &d.clock;
  x->requests = requests;
  TraceContext parent{};
  if (auto tp = parse_traceparent(req.header("traceparent"))) parent = *tp;
  x->span = d.tracer.start("gateway", parent, to_ns(d.clock.now()));
  x->route = "unmatched";
  std::string_view path = req.path();

  // The probes and the metrics: no token.
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    x->route = std::string(path);
    if (req.method != "GET")
      return send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, "use GET"}), {{"Allow", "GET"}});
    if (path == "/healthz") return send(x, 200, R"({"status":"ok"})");
    if (path == "/metrics") {
      const bool om = accepts_openmetrics(req.header("accept"));
      auto answer = [this, x, om](std::string body) {
        HttpResponse r;
        r.body = std::move(body);
        r.content_type = om ? kOpenMetricsContentType : kPrometheusTextContentType;
        requests->with({x->route, "200"}).inc();
        x->respond(std::move(r));
      };
      if (!metrics_cache.admit(monotonic_ns()))
        return send_error(x, Error{ErrorCode::kOverloaded, "/metrics is scraped too often; retry in a second"});
      // A recent body is a copy, cheap enough for the I/O thread; a render is not.
      if (auto body = metrics_cache.fresh(om, monotonic_ns())) return answer(std::move(*body));
      return offload.run([this, om, answer] { answer(metrics_cache.render(om, monotonic_ns())); });
    }
    if (!d.ready.load()) return send_error(x, Error{ErrorCode::kNotReady, "replaying the journal"});
    if (d.journal && !d.journal->writable()) return send_error(x, journal_unavailable(ErrorCode::kNotReady));
    return read(x, [readiness = d.price_readiness](Engine& e) {
      size_t stale = 0;
      if (readiness && !readiness->ready(e.state().book, e.clock().now(), monotonic_ns(), &stale))
        return Reply{503, error_body(Error{ErrorCode::kNotReady,
                                           fmt::format("prices are not yet fresh after the start ({} open "
                                                       "markets stale)",
                                                       stale)})};
      return Reply{200, R"({"status":"ready"})"};
    });
  }
  if (path.starts_with("/psp/callbacks/")) {
    if (!d.ready.load()) return send_error(x, Error{ErrorCode::kNotReady, "replaying the journal"});
    if (d.journal && !d.journal->writable()) return send_error(x, journal_unavailable(ErrorCode::kJournalUnavailable));
    return psp_callback(req, x);
  }
  // The public status page: no token (SUP-1), never the engine.
  if (path == "/v1/status") return serve_status(req, x);
  if (path.substr(0, 4) != "/v1/") {
    if (serve_page(req, x)) return;  // the war room (routes_warroom.cpp)
    return send_error(x, Error{ErrorCode::kNotFound, "no such route"});
  }
  // Every other /v1/ path, known or not, needs a token.
  auto who = d.tokens.authenticate(req.header("authorization"));
  if (!who) {
    x->route = "/v1";
    return send_error(x, Error{ErrorCode::kUnauthorized, "a valid bearer token is required"});
  }
  if (!d.ready.load()) return send_error(x, Error{ErrorCode::kNotReady, "replaying the journal"});
  // Nothing that needs the engine goes in while the journal cannot write:
  // it would wait for durability that is not coming. The war room's cached
  // snapshot and the trace store do not need it.
  if (d.journal && !d.journal->writable() && !path.starts_with("/v1/traces") &&
      !path.starts_with("/v1/warroom/"))
    return send_error(x, journal_unavailable(ErrorCode::kJournalUnavailable));
  routes.dispatch(req, x, *who);
}

Error Api::Impl::journal_unavailable(ErrorCode code) const {
  JournalHealth h = d.journal->health();
  return Error{code, fmt::format("the journal cannot write ({} failed: {}); nothing was changed, retry later",
                                 h.op.empty() ? "write" : h.op, h.error ? std::strerror(h.error) : "unknown error")};
}

bool Api::Impl::idempotency_key(const HttpRequest& req, const std::shared_ptr<Exchange>& x,
                                const Principal& who, std::string& out) {
  std::string_view key = req.header("idempotency-key");
  if (key.empty()) {
    send_error(x, Error{ErrorCode::kIdempotencyKeyMissing, "the Idempotency-Key header is required"});
    return false;
  }
  if (!valid_idempotency_key(key)) {
    send_error(x, Error{ErrorCode::kValidationFailed, "Idempotency-Key: 1 to 128 visible ASCII characters"});
    return false;
  }
  out = who.name + ":" + std::string(key);
  return true;
}

}  // namespace inplay
