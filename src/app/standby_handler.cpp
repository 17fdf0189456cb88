// StandbyHandler (contract in app/standby_handler.h).
#include "app/standby_handler.h"

#include "core/json.h"

namespace inplay {

namespace {

// A standby's one error code (docs/api.md): only this handler sends it, and
// the book's own API never runs beside it, so it is not an ErrorCode.
constexpr std::string_view kNotLeader = "NOT_LEADER";

std::string not_leader_body(std::string_view message) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("code", kNotLeader).field("message", message);
  w.end_object().end_object();
  return w.take();
}

HttpResponse not_leader(std::string body) {
  HttpResponse r;
  r.status = 503;
  r.body = std::move(body);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

void StandbyHandler::handle(HttpRequest&& req, Responder respond) {
  const std::string_view path = req.path();
  if (req.method == "GET" && path == "/healthz") {
    HttpResponse r;
    r.body = R"({"status":"ok","role":"standby"})";
    return respond(std::move(r));
  }
  if (req.method == "GET" && path == "/metrics") {
    HttpResponse r;
    const bool om = accepts_openmetrics(req.header("accept"));
    r.body = om ? metrics_.render_openmetrics() : metrics_.render_prometheus();
    r.content_type = om ? kOpenMetricsContentType : kPrometheusTextContentType;
    return respond(std::move(r));
  }
  if (req.method == "GET" && path == "/readyz") {
    const StandbyStatus s = role_.status();
    JsonWriter w;
    w.begin_object().key("error").begin_object();
    w.field("code", kNotLeader)
        .field("message", "a standby: it follows the leader's journal and serves nothing until it takes over");
    w.end_object();
    w.field("role", "standby").field("applied_seq", s.applied_seq).field("state_hash", s.state_hash);
    w.field("lag", s.lag).field("silent_ms", s.silent_ms).field("caught_up", s.caught_up);
    w.end_object();
    return respond(not_leader(w.take()));
  }
  respond(not_leader(not_leader_body("this book is a standby: send the request to the leader (nothing was changed)")));
}

}  // namespace inplay
