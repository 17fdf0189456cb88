// Operations routes (operator; docs/api.md):
//   GET  /v1/feeds                        feeds, their health, the active one per sport
//   POST /v1/feeds/{sport}/switch         the backup feed button (ODDS-5)
//   GET  /v1/admin/state                  state hash, ledger sum, counts
//   GET  /v1/traces                       trace search (OBS-2; telemetry/trace_query.h)
//   GET  /v1/traces/breakdown             slow vs fast traces by an attribute
//   GET  /v1/traces/{id}                  one trace's spans
// The trace routes run on the offload worker: a search never holds the I/O
// thread that serves bets.
#include "feed/feed_desk.h"
#include "http/api_internal.h"
#include "http/body.h"
#include "telemetry/trace_query.h"

namespace inplay {

namespace {

std::string trace_json(const TraceId& tid, const std::vector<Span>& spans) {
  JsonWriter w;
  w.begin_object().field("trace_id", to_hex(tid)).key("spans").begin_array();
  for (const Span& s : spans) {
    w.begin_object();
    w.field("name", s.name).field("span_id", to_hex(s.span_id)).field("parent_span_id", to_hex(s.parent_id));
    w.field("start_ns", s.start_ns).field("end_ns", s.end_ns).field("error", s.error);
    w.key("attributes").begin_object();
    for (auto& [k, v] : s.attributes) w.field(k, v);
    w.end_object().end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace

void Api::Impl::add_ops_routes() {
  routes.add({"GET", "/v1/feeds", Access::kOperator, [this](Call& c) {
                FeedDesk* desk = d.desk;
                if (!desk) return send(c.x, 200, R"({"sports":[],"feeds":[]})");
                read(c.x, [desk](Engine&) { return Reply{200, desk->status_json()}; });
              }});

  routes.add({"POST", "/v1/feeds/{sport}/switch", Access::kOperator, [this](Call& c) {
                FeedDesk* desk = d.desk;
                if (!desk) return send_error(c.x, Error{ErrorCode::kNotFound, "no feeds configured"});
                auto body = parse_switch_body(c.req.body);
                if (!body.ok()) return send_error(c.x, body.error());
                std::optional<FeedRole> to;
                if (body.value()) {
                  FeedRole r;
                  parse_feed_role(*body.value(), r);
                  to = r;
                }
                std::string sport(c.params[0]);
                operate(
                    c.x, [desk, sport, to, actor = c.actor](MarketDesk&) { return desk->switch_feed(sport, to, actor); },
                    [desk, sport](Engine&) {
                      JsonWriter w;
                      w.begin_object().field("sport", sport).field("active", desk->active_feed(sport)).end_object();
                      return w.take();
                    },
                    fmt::format("switch {} feed ({})", sport, c.actor));
              }});

  routes.add({"GET", "/v1/admin/state", Access::kOperator, [this](Call& c) {
                read(c.x, [](Engine& e) { return Reply{200, admin_state_json(e.state())}; });
              }});

  routes.add({"GET", "/v1/traces", Access::kOperator, [this](Call& c) {
                TraceQuery q;
                std::string err;
                if (!parse_trace_query(c.req.query(), q, err))
                  return send_error(c.x, Error{ErrorCode::kValidationFailed, err});
                offload.run([this, x = c.x, q] { send(x, 200, trace_search_json(search_traces(d.tracer, q))); });
              }});

  routes.add({"GET", "/v1/traces/breakdown", Access::kOperator, [this](Call& c) {
                BreakdownQuery q;
                std::string err;
                if (!parse_breakdown_query(c.req.query(), q, err))
                  return send_error(c.x, Error{ErrorCode::kValidationFailed, err});
                offload.run([this, x = c.x, q] { send(x, 200, breakdown_json(breakdown_traces(d.tracer, q))); });
              }});

  routes.add({"GET", "/v1/traces/{id}", Access::kOperator, [this](Call& c) {
                TraceId tid;
                if (!parse_trace_id(c.params[0], tid))
                  return send_error(c.x, Error{ErrorCode::kNotFound, "unknown trace"});
                offload.run([this, x = c.x, tid] {
                  auto spans = d.tracer.trace(tid);
                  if (spans.empty()) return send_error(x, Error{ErrorCode::kNotFound, "unknown trace"});
                  send(x, 200, trace_json(tid, spans));
                });
              }});
}

}  // namespace inplay
