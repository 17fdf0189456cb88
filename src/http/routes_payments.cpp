// Payment routes (docs/api.md "Payments"; WAL-1, WAL-5, WAL-6). Deposits
// and withdrawals themselves are POST /v1/accounts/{id}/deposits|withdrawals
// (routes_book.cpp); these read them and take the PSPs' word:
//   GET  /v1/payments/{id}        a payment (the account's channel, operators)
//   GET  /v1/payments             operator: the newest payments (at most 200,
//                                 ?status= filters) and each route as seen
//   POST /v1/payments/routes/switch  operator: {"to": route} — new payments
//                                 go there (journaled; 409-free: the same
//                                 route again is 200 unchanged)
//   POST /v1/payments/reconcile   operator: asks the PSPs again about every
//                                 payment still waiting for their word
//   POST /psp/callbacks/{route}   a PSP's notification; no token: signed
//                                 with the route's secret (X-Psp-Signature:
//                                 sha256=<hex HMAC-SHA256 of the body>)

#include "core/hmac.h"
#include "http/api_internal.h"
#include "http/body.h"
#include "payment/payment_desk.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

const Error kUnknownPayment{ErrorCode::kPaymentNotFound, "unknown payment"};

std::string routes_json(const std::vector<PaymentDesk::RouteSeen>& routes, const std::string& active,
                        const std::string& now) {
  JsonWriter w;
  w.begin_object().field("active", active).field("route_now", now).key("routes").begin_array();
  for (const auto& r : routes) {
    w.begin_object().field("name", r.name).field("available", r.available);
    w.field("sent", r.sent).field("authorised", r.authorised).field("declined", r.declined);
    w.field("pending", r.pending).field("failed", r.failed).field("last_error", r.last_error);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace

void Api::Impl::add_payment_routes() {
  routes.add({"GET", "/v1/payments/{id}", Access::kAnyToken, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kPaymentNotFound, "unknown payment", id)) return;
                read(c.x, [id, scope = account_scope(c.who)](Engine& e) {
                  const BookState& s = e.state();
                  const Payment* p = s.payments.find(id);
                  // Another channel's payment is answered as an unknown one (SEC-1).
                  if (!p || s.owners.find(scope, s.ledger, p->account) < 0)
                    return Reply{404, error_body(kUnknownPayment)};
                  return Reply{200, payment_json(s, *p)};
                });
              }});

  routes.add({"GET", "/v1/payments", Access::kOperator, [this](Call& c) {
                std::string status = query_param(c.req.target, "status");
                read(c.x, [status, desk = d.payments](Engine& e) {
                  const BookState& s = e.state();
                  JsonWriter w;
                  w.begin_object().key("payments").begin_array();
                  size_t n = 0;
                  const auto& all = s.payments.all();
                  for (auto it = all.rbegin(); it != all.rend() && n < 200; ++it) {
                    if (!status.empty() && status != payment_status_name(it->second.status)) continue;
                    w.begin_object();
                    payment_fields(w, s, it->second);
                    w.field("source", payment_source_name(it->second.source)).field("detail", it->second.detail);
                    w.end_object();
                    ++n;
                  }
                  w.end_array();
                  w.field("pending", static_cast<uint64_t>(s.payments.pending_count()));
                  w.field("timed_out", static_cast<uint64_t>(s.payments.timed_out_count()));
                  if (desk && desk->enabled()) w.key("routes").raw(routes_json(desk->routes_seen(), desk->active(), desk->route_now()));
                  w.end_object();
                  return Reply{200, w.take()};
                });
              }});

  routes.add({"POST", "/v1/payments/routes/switch", Access::kOperator, [this](Call& c) {
                if (!d.payments || !d.payments->enabled())
                  return send_error(c.x, Error{ErrorCode::kPaymentRouteUnavailable, "the book has no payment route"});
                auto body = parse_route_switch_body(c.req.body);
                if (!body.ok()) return send_error(c.x, body.error());
                read(c.x, [desk = d.payments, to = body.value(), actor = c.actor](Engine&) {
                  const std::string from = desk->active();
                  Result<bool> r = desk->switch_route(to, actor, "operator");
                  if (!r.ok()) return error_reply(r.error());
                  JsonWriter w;
                  w.begin_object().field("active", desk->active()).field("previous", from).field("changed", r.value());
                  w.end_object();
                  return Reply{200, w.take()};
                });
              }});

  routes.add({"POST", "/v1/payments/reconcile", Access::kOperator, [this](Call& c) {
                if (!d.payments || !d.payments->enabled())
                  return send_error(c.x, Error{ErrorCode::kPaymentRouteUnavailable, "the book has no payment route"});
                std::string actor = c.actor;
                read(c.x, [desk = d.payments, actor](Engine&) {
                  const size_t n = desk->reconcile();
                  log::info("payment", "payments asked again", {{"payments", static_cast<uint64_t>(n)}, {"actor", actor}});
                  return Reply{200, fmt::format(R"({{"asked":{}}})", n)};
                });
              }});
}

// POST /psp/callbacks/{route}: outside /v1 (no bearer token); the signature
// is the authentication.
void Api::Impl::psp_callback(HttpRequest& req, const std::shared_ptr<Exchange>& x) {
  x->route = "/psp/callbacks/{route}";
  std::string_view route = req.path().substr(std::string_view("/psp/callbacks/").size());
  if (req.method != "POST")
    return send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, "use POST"}), {{"Allow", "POST"}});
  const std::string* secret = nullptr;
  for (auto& [name, s] : d.psp_callback_secrets)
    if (name == route) secret = &s;
  if (!secret || !d.payments) return send_error(x, Error{ErrorCode::kNotFound, "no such payment route"});
  std::string_view sig = req.header("x-psp-signature");
  const std::string want = "sha256=" + hmac_sha256_hex(*secret, req.body);
  if (!equal_in_constant_time(sig, want)) {
    log::warn("payment", "PSP callback with a bad signature refused", {{"route", std::string(route)}});
    return send_error(x, Error{ErrorCode::kUnauthorized, "X-Psp-Signature does not match the body"});
  }
  Result<PspCallbackBody> body = parse_psp_callback_body(req.body);
  PspCallback cb;
  cb.route = std::string(route);
  if (!body || !parse_id(body->payment_id, cb.payment_id))
    return send_error(x, Error{ErrorCode::kValidationFailed, "a callback names payment_id (string) and status"});
  const std::string& status = body->status;
  if (status == "authorised") cb.status = PaymentStatus::kAuthorised;
  else if (status == "declined") cb.status = PaymentStatus::kDeclined;
  else if (status == "pending") cb.status = PaymentStatus::kPending;
  else return send_error(x, Error{ErrorCode::kValidationFailed, "status: authorised, declined or pending"});
  cb.psp_ref = std::move(body->psp_ref);
  cb.reason = std::move(body->reason);
  Engine* e = &d.engine;
  cb.done = [x, e](const char* result) {
    const int status = std::string_view(result) == "unknown" ? 404 : 200;
    std::string body = status == 404 ? error_body(kUnknownPayment) : fmt::format(R"({{"result":"{}"}})", result);
    e->after_durable([x, status, body = std::move(body)] { send(x, status, body); });
  };
  if (!d.payments->submit(std::move(cb))) send_error(x, kOverloaded);
}

}  // namespace inplay
