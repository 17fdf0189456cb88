// Support signals and the public status page (SUP-1; docs/api.md "Support
// signals and the status page"):
//   POST   /v1/support/events             tagged customer contacts from chat
//                                         and the CRM (support or operator)
//   GET    /v1/support                    each tag's rate against its
//                                         baseline (support or operator)
//   GET    /v1/status                     the public status page: no token,
//                                         served from the status board, never
//                                         through the engine (api.cpp routes
//                                         it here before authentication)
//   POST   /v1/incidents/{id}/status-note an incident's note on that page
//   DELETE /v1/incidents/{id}/status-note takes it down (operator)
// A contact id is pseudonymised here, at the edge: the desk, the logs and
// the metrics only ever see the pseudonym. A refused body changes nothing.
#include "core/time_format.h"
#include "http/api_internal.h"
#include "http/body_fields.h"
#include "http/support_body.h"
#include "playbook/incident_loop.h"
#include "support/status_board.h"
#include "support/support_desk.h"

namespace inplay {

namespace {

// A CRM's clock may run a little ahead of the book's.
constexpr int64_t kOpenedAheadMs = 5 * 60 * 1000;

std::string number(double v) { return fmt::format("{:.3f}", v); }

std::string receipt_json(const SupportDesk::Receipt& r) {
  JsonWriter w;
  w.begin_object().field("contacts", r.contacts).field("replies", r.replies).field("duplicates", r.duplicates);
  return w.end_object().take();
}

std::string signals_json(SupportDesk& desk) {
  const SupportTerms& t = desk.terms();
  JsonWriter w;
  w.begin_object();
  w.field("window_s", t.spike.window_s).field("baseline_s", t.spike.baseline_s);
  w.field("warmup_s", t.spike.warmup_s).field("min_contacts", t.spike.min_contacts);
  const SupportDesk::Totals& tot = desk.totals();
  w.field("contacts", tot.contacts).field("replies", tot.replies).field("duplicates", tot.duplicates);
  w.key("tags").begin_array();
  for (const SupportDesk::TagSignal& s : desk.signals()) {
    w.begin_object().field("tag", s.tag).field("window_contacts", s.window_contacts);
    w.key("recent_per_minute").raw(number(s.recent_per_minute));
    w.key("baseline_per_minute").raw(number(s.baseline_per_minute));
    w.field("warm", s.warm);
    w.key("ratio").raw(number(std::min(s.ratio, 1e6)));
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}


}  // namespace

void Api::Impl::serve_status(const HttpRequest& req, const std::shared_ptr<Exchange>& x) {
  x->route = "/v1/status";
  if (req.method != "GET")
    return send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, "use GET"}), {{"Allow", "GET"}});
  if (!d.ready.load()) return send_error(x, Error{ErrorCode::kNotReady, "replaying the journal"});
  send(x, 200, d.status_board ? d.status_board->body() : status_page_json({}));
}

void Api::Impl::add_support_routes() {
  SupportDesk* desk = d.support;
  IncidentLoop* loop = d.incidents;

  routes.add({"POST", "/v1/support/events", Access::kSupport, [this, desk](Call& c) {
                if (!desk) return send_error(c.x, Error{ErrorCode::kNotFound, "support signals are off"});
                auto b = parse_support_events_body(c.req.body);
                if (!b.ok()) return send_error(c.x, b.error());
                const SupportEventsBody& body = b.value();
                const int64_t latest_ms = to_ms(d.clock.now()) + kOpenedAheadMs;
                auto contacts = std::make_shared<std::vector<SupportContact>>();
                contacts->reserve(body.events.size());
                for (size_t i = 0; i < body.events.size(); ++i) {
                  const SupportEventBody& e = body.events[i];
                  if (e.opened_at_ms > latest_ms)
                    return send_error(
                        c.x, body_fields::invalid(body.batch ? fmt::format("events[{}].opened_at_ms", i) : "opened_at_ms",
                                                  "is more than 5 minutes ahead of the book's clock"));
                  contacts->push_back(SupportContact{d.pseudonymizer.mask(e.contact_id), e.channel, e.tags,
                                                     e.opened_at_ms, e.first_reply_ms});
                }
                read(c.x, [desk, contacts](Engine&) { return Reply{200, receipt_json(desk->record(*contacts))}; });
              }});

  routes.add({"GET", "/v1/support", Access::kSupport, [this, desk](Call& c) {
                if (!desk) return send_error(c.x, Error{ErrorCode::kNotFound, "support signals are off"});
                read(c.x, [desk](Engine&) { return Reply{200, signals_json(*desk)}; });
              }});

  // An incident's note on the public page: the incident loop's.
  for (const char* method : {"POST", "DELETE"}) {
    const bool publish = std::string_view(method) == "POST";
    routes.add({method, "/v1/incidents/{id}/status-note", Access::kOperator, [this, loop, publish](Call& c) {
                  if (!loop) return send_error(c.x, Error{ErrorCode::kNotFound, "the incident loop is off"});
                  uint64_t id = 0;
                  if (!id_param(c, 0, ErrorCode::kIncidentNotFound, "unknown incident", id)) return;
                  StatusNoteBody note;
                  if (publish) {
                    auto b = parse_status_note_body(c.req.body);
                    if (!b.ok()) return send_error(c.x, b.error());
                    note = std::move(b.value());
                  }
                  read(c.x, [loop, id, publish, note, actor = c.actor](Engine& e) {
                    const int64_t now = to_ns(e.clock().now());
                    Result<bool> r = publish ? loop->runner().publish_status_note(id, note.status, note.message, actor, now)
                                             : loop->runner().clear_status_note(id, actor, now);
                    if (!r.ok()) return error_reply(r.error());
                    loop->save_incidents(true);
                    loop->publish_status_page();
                    return Reply{200, loop->incident_json(id)};
                  });
                }});
  }
}

}  // namespace inplay
