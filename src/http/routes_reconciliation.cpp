// Reconciliation routes (docs/api.md "Payments"; WAL-2, WAL-4) and the war
// room's payments panel:
//   GET  /v1/payments/reconciliation      operator: each route's last T+0
//                                         reconciliation against its PSP's
//                                         settlement report (at most 200
//                                         mismatches a route)
//   POST /v1/payments/reconciliation/run  operator: runs one now; answers
//                                         the same body once it is done
// Both read the board the reconciler writes (payment/reconciliation_board.h),
// never the engine: a run's book read is its own engine task.
#include "http/api_internal.h"
#include "payment/payment_desk.h"
#include "payment/reconciliation_board.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

constexpr size_t kMaxMismatches = 200;

void counts_json(JsonWriter& w, const Reconciliation& r) {
  w.field("book_payments", static_cast<uint64_t>(r.book_payments)).field("rows", static_cast<uint64_t>(r.rows));
  w.field("matched", static_cast<uint64_t>(r.matched)).field("held", static_cast<uint64_t>(r.held));
  w.field("held_once", static_cast<uint64_t>(r.held_once)).field("unsettled", static_cast<uint64_t>(r.unsettled));
  w.field("duplicates", static_cast<uint64_t>(r.duplicates));
  w.key("counts").begin_object();
  for (MismatchKind k : kMismatchKinds) w.field(mismatch_kind_name(k), static_cast<uint64_t>(r.count(k)));
  w.end_object();
}

void ran_json(JsonWriter& w, const RouteReconciliation& r) {
  w.field("runs_ok", r.runs_ok).field("runs_failed", r.runs_failed);
  if (r.ran_at_ms > 0) w.field("ran_at_ms", r.ran_at_ms);
  else w.key("ran_at_ms").null();
  w.field("took_ms", r.took_ms);
  if (r.error.empty()) w.key("error").null();
  else w.field("error", r.error);
}

}  // namespace

std::string reconciliation_json(const ReconciliationBoard& board) {
  JsonWriter w;
  w.begin_object().key("routes").begin_array();
  board.each([&](const RouteReconciliation& r) {
    w.begin_object().field("route", r.route);
    ran_json(w, r);
    counts_json(w, r.result);
    w.field("mismatches_total", static_cast<uint64_t>(r.result.mismatches.size()));
    w.key("mismatches").begin_array();
    for (size_t i = 0; i < r.result.mismatches.size() && i < kMaxMismatches; ++i) {
      const Mismatch& m = r.result.mismatches[i];
      w.begin_object().field("kind", mismatch_kind_name(m.kind)).field("payment_id", m.payment_id);
      w.key("psp_refs").begin_array();
      for (const auto& ref : m.psp_refs) w.value(ref);
      w.end_array().field("detail", m.detail).end_object();
    }
    w.end_array().end_object();
  });
  w.end_array().field("duplicates", board.duplicates()).end_object();
  return w.take();
}

std::string payments_panel_json(const BookState& s, const PaymentDesk* desk, const ReconciliationBoard* board) {
  JsonWriter w;
  w.begin_object();
  const bool on = desk && desk->enabled();
  w.field("enabled", on);
  if (!on) return w.end_object().take();
  w.field("active", desk->active()).field("route_now", desk->route_now());
  w.field("pending", static_cast<uint64_t>(s.payments.pending_count()));
  w.field("timed_out", static_cast<uint64_t>(s.payments.timed_out_count()));
  w.field("duplicates", board ? board->duplicates() : 0);
  struct Last {  // counts only: the panel lists no mismatches
    std::string route, error;
    int64_t ran_at_ms = 0;
    size_t mismatches = 0, duplicates = 0, unsettled = 0;
  };
  std::vector<Last> recon;
  if (board)
    board->each([&](const RouteReconciliation& r) {
      recon.push_back(Last{r.route, r.error, r.ran_at_ms, r.result.mismatches.size(), r.result.duplicates,
                           r.result.unsettled});
    });
  w.key("routes").begin_array();
  for (const PaymentDesk::RouteSeen& r : desk->routes_seen()) {
    w.begin_object().field("name", r.name).field("active", r.name == desk->active());
    w.field("breaker", r.available ? "closed" : "open");
    w.field("sent", r.sent).field("authorised", r.authorised).field("declined", r.declined);
    w.field("failed", r.failed).field("pending", r.pending);
    w.key("reconciliation");
    const Last* rr = nullptr;
    for (const auto& x : recon)
      if (x.route == r.name) rr = &x;
    if (!rr || rr->ran_at_ms == 0) {
      w.null();
    } else {
      w.begin_object().field("ran_at_ms", rr->ran_at_ms);
      if (rr->error.empty()) w.key("error").null();
      else w.field("error", rr->error);
      w.field("mismatches", static_cast<uint64_t>(rr->mismatches));
      w.field("duplicates", static_cast<uint64_t>(rr->duplicates));
      w.field("unsettled", static_cast<uint64_t>(rr->unsettled)).end_object();
    }
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

void Api::Impl::add_reconciliation_routes() {
  routes.add({"GET", "/v1/payments/reconciliation", Access::kOperator, [this](Call& c) {
                if (!d.reconciliation)
                  return send_error(c.x, Error{ErrorCode::kPaymentRouteUnavailable, "the book has no payment route"});
                send(c.x, 200, reconciliation_json(*d.reconciliation));
              }});
  routes.add({"POST", "/v1/payments/reconciliation/run", Access::kOperator, [this](Call& c) {
                if (!d.reconciliation)
                  return send_error(c.x, Error{ErrorCode::kPaymentRouteUnavailable, "the book has no payment route"});
                log::info("payment", "reconciliation asked", {{"actor", c.actor}});
                const ReconciliationBoard* board = d.reconciliation;
                auto x = c.x;
                if (!board->run_now([x, board] { send(x, 200, reconciliation_json(*board)); }))
                  send_error(c.x, Error{ErrorCode::kNotReady, "reconciliation is not running"});
              }});
}

}  // namespace inplay
