// The war room's routes (docs/warroom.md):
//   GET /, /index.html, /app.js, /style.css   the page (no token: it holds no data)
//   GET /v1/warroom/snapshot                  the latest snapshot (operator)
//   GET /v1/warroom/stream                    Server-Sent Events, one event per snapshot (operator)
// The snapshot is built on the engine thread once a second while watched
// (warroom/war_room.h); these handlers read the latest immutable string, or
// have one built on the engine thread when nobody watched at the last tick.
#include <fmt/format.h>

#include "cashout/cashout_desk.h"
#include "hedge/hedge_view.h"
#include "http/api_internal.h"
#include "warroom/war_room.h"
#include "warroom/web_assets.h"

namespace inplay {

void Api::Impl::start_warroom() {
  warroom = std::make_shared<WarRoom>(d.bets, d.desk, d.incidents, kMaxWarroomStreams, &d.metrics);
  warroom->set_settlement_view([desk = &d.settle, &e = d.engine] { return settlement_state_json(*desk, e); });
  warroom->set_cashout_offers([desk = &d.cashout, &e = d.engine](uint64_t market_id, int64_t now_ns) {
    return desk->offers().live_on(e.state().book, market_id, now_ns);
  });
  warroom->set_hedging_view([desk = d.hedge, &e = d.engine] { return hedges_json(e.state(), desk, 5); });
  warroom->set_payments_view([desk = d.payments, board = d.reconciliation, &e = d.engine] {
    return payments_panel_json(e.state(), desk, board);
  });
  if (d.journal_view) warroom->set_journal_view(d.journal_view);
  // Engine::every must be called on the engine thread.
  d.engine.submit([w = warroom] { w->schedule(); });
}

void Api::Impl::mark_action(WarRoom& room, Engine& e, std::string what) {
  room.mark_action(to_ns(e.clock().now()), std::move(what));
}

bool Api::Impl::serve_page(HttpRequest& req, const std::shared_ptr<Exchange>& x) {
  const WebAsset* a = find_web_asset(req.path());
  if (!a) return false;
  x->route = "/";
  if (req.method != "GET" && req.method != "HEAD") {
    send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, "use GET"}), {{"Allow", "GET"}});
    return true;
  }
  HttpResponse r;
  r.body = std::string(a->body);
  r.content_type = std::string(a->content_type);
  r.headers = {{"Cache-Control", "no-cache"},
               {"X-Content-Type-Options", "nosniff"},
               {"Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "connect-src 'self'; frame-ancestors 'none'"}};
  finish(x, std::move(r));
  return true;
}

void Api::Impl::add_warroom_routes() {
  routes.add({"GET", "/v1/warroom/snapshot", Access::kOperator, [this](Call& c) {
                if (WarRoom::Snapshot s = warroom->fresh()) return send(c.x, 200, *s);
                // Nobody watched at the last tick: one built now. Sent as it
                // is built, like the tick's, without waiting for the journal:
                // a stalled disk is when the war room is needed most.
                if (!d.engine.submit([room = warroom, x = c.x] { send(x, 200, *room->build_now()); }))
                  send_error(c.x, kOverloaded);
              }});
  routes.add({"GET", "/v1/warroom/stream", Access::kOperator, [this](Call& c) {
                if (warroom->streams() >= kMaxWarroomStreams)
                  return send_error(c.x, Error{ErrorCode::kOverloaded, "too many war-room streams are open"});
                HttpResponse r;
                r.content_type = "text/event-stream";
                r.headers.emplace_back("traceparent", format_traceparent(c.x->span.context()));
                r.headers.emplace_back("X-Accel-Buffering", "no");
                std::weak_ptr<WarRoom> wr = warroom;
                r.stream = [wr](std::shared_ptr<StreamSink> sink) {
                  // Tell the client how soon to reconnect, then one event per snapshot.
                  sink->write("retry: 1000\n\n");
                  auto room = wr.lock();
                  if (!room ||
                      !room->subscribe([sink](const WarRoom::Snapshot& s) { return sink->write(sse_frame(*s)); })) {
                    sink->write("event: error\ndata: {\"code\":\"OVERLOADED\"}\n\n");
                    sink->close();
                  }
                };
                finish(c.x, std::move(r));
              }});
}

}  // namespace inplay
