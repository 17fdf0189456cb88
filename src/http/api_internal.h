// Internals shared by the API's route files (api.cpp, routes_*.cpp): the
// request helpers and Api::Impl, which holds the route table and the ways a
// handler reaches the engine. Not part of the public interface; include only
// from src/http/.
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/hmac.h"
#include "core/json.h"
#include "http/api.h"
#include "http/exchange.h"
#include "http/offload.h"
#include "http/reply.h"
#include "http/route_table.h"
#include "http/views.h"
#include "telemetry/metrics_cache.h"

namespace inplay {

class SettleDesk;
// GET /v1/settlement's body (also the war room's settlement view): the
// desk's counts, the pay-on policy, the dead-letter depth, the last lag, the
// age of the oldest result still being paid, the bets still open. Engine thread.
std::string settlement_state_json(SettleDesk& desk, Engine& e);
// routes_reconciliation.cpp: GET /v1/payments/reconciliation's body (any
// thread), and the war room's payments panel (engine thread; desk and
// board may be null).
std::string reconciliation_json(const ReconciliationBoard& board);
std::string payments_panel_json(const BookState& s, const PaymentDesk* desk, const ReconciliationBoard* board);


inline bool parse_id(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out > 0;
}

// The request's identity for idempotency: method, path and body.
inline Fingerprint fingerprint(const HttpRequest& req) {
  const Sha256Digest d = sha256({req.method, " ", req.path(), "\n", req.body});
  Fingerprint f;
  std::copy(d.begin(), d.begin() + f.size(), f.begin());
  return f;
}

// The value of `key` in the request target's query ("" when absent).
inline std::string query_param(std::string_view target, std::string_view key) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view kv = rest.substr(0, amp);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key) return eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return "";
}

// The i-th path parameter as an id; false (answered 404 with `code`) when
// it is not one.
inline bool id_param(Call& c, size_t i, ErrorCode code, const char* what, uint64_t& out) {
  if (parse_id(c.params[i], out)) return true;
  send_error(c.x, Error{code, what});
  return false;
}

// The accounts a caller may reach (wallet/account_owners.h, SEC-1).
inline AccountScope account_scope(const Principal& who) {
  if (who.role == Role::kOperator) return AccountScope::operator_view();
  return AccountScope::of_channel(who.channel_name(), who.role == Role::kSynthetic);
}
// What of the book a caller may see (views.h: liability is the operator's).
inline Audience audience(const Principal& who) {
  return who.role == Role::kOperator ? Audience::kOperator : Audience::kChannel;
}

inline const Error kOverloaded{ErrorCode::kOverloaded, "the engine queue is full; retry shortly"};

class WarRoom;
constexpr size_t kMaxWarroomStreams = 8;  // one per open war-room page

struct Api::Impl {
  ApiDeps d;
  Family<Counter>* requests;
  std::atomic<uint64_t> bets_total{0}, bets_5xx{0};
  RouteTable routes;
  Offload offload;                   // /metrics and trace queries, off the I/O thread
  MetricsCache metrics_cache;        // /metrics bodies, rendered at most every metrics_max_age
  std::shared_ptr<WarRoom> warroom;  // routes_warroom.cpp

  explicit Impl(ApiDeps deps);

  void handle(HttpRequest& req, Responder respond);

  // Where a desk's outcome goes: rendered (http/views.h) on the engine
  // thread, sent from there.
  OutcomeFn answer(std::shared_ptr<Exchange> x) {
    Engine* e = &d.engine;
    return [x, e](const Outcome& o) {
      Reply r = render(o, e->state());
      std::vector<std::pair<std::string, std::string>> extra;
      if (const Error* err = std::get_if<Error>(&o))
        if (const char* s = retry_after(err->code)) extra.emplace_back("Retry-After", s);
      send(x, r.status, std::move(r.body), std::move(extra));
    };
  }

  // Runs fn(engine) on the engine thread and replies with its result in
  // journal order.
  template <class Fn>
  void read(const std::shared_ptr<Exchange>& x, Fn fn) {
    Engine* e = &d.engine;
    if (!e->submit([e, x, fn]() mutable {
          e->after_durable([x, r = fn(*e)]() mutable { send(x, r.status, std::move(r.body)); });
        }))
      send_error(x, kOverloaded);
  }

  // Runs a market desk operation that returns Result<bool>, answering with
  // `ok_body(engine)` on success. An operator control names itself in
  // `action` ("suspended market 101 (operator:trader)"): on success the war
  // room's charts mark it.
  template <class Op, class Body>
  void operate(const std::shared_ptr<Exchange>& x, Op op, Body ok_body, std::string action = {}) {
    std::shared_ptr<WarRoom> room = action.empty() ? nullptr : warroom;
    MarketDesk* markets = &d.markets;
    read(x, [markets, op, ok_body, room, action = std::move(action)](Engine& e) mutable -> Reply {
      Result<bool> r = op(*markets);
      if (!r.ok()) return error_reply(r.error());
      if (room) mark_action(*room, e, std::move(action));
      return Reply{200, ok_body(e)};
    });
  }
  // routes_warroom.cpp: engine thread.
  static void mark_action(WarRoom& room, Engine& e, std::string what);

  // The route files: each adds its routes to the table.
  void add_book_routes();       // routes_book.cpp: events, markets, bets, accounts, clock
  void add_ops_routes();        // routes_ops.cpp: feeds, admin state, traces
  void add_incident_routes();   // routes_incidents.cpp: SLOs, alerts, incidents, actions
  void add_warroom_routes();    // routes_warroom.cpp: snapshot and stream
  void add_settlement_routes(); // routes_settlement.cpp: dead letters, resettlement
  void add_cashout_routes();    // routes_cashout.cpp: quotes and accepts
  void add_hedge_routes();      // routes_hedge.cpp: hedge orders and the venue
  void add_payment_routes();    // routes_payments.cpp: payments, reconciliation
  void add_reconciliation_routes();  // routes_reconciliation.cpp: T+0 reconciliation against settlement reports
  // routes_payments.cpp: POST /psp/callbacks/{route} (signed, no token).
  void psp_callback(HttpRequest& req, const std::shared_ptr<Exchange>& x);
  void add_support_routes();
  void add_kyc_routes();        // routes_kyc.cpp: KYC/AML reviews, vendor switch, rule pause    // routes_support.cpp: contacts, support signals, status notes
  // GET /v1/status (routes_support.cpp): the public status page, no token.
  void serve_status(const HttpRequest& req, const std::shared_ptr<Exchange>& x);
  bool serve_page(HttpRequest& req, const std::shared_ptr<Exchange>& x);  // the war room's static page
  void start_warroom();
  // JOURNAL_UNAVAILABLE (or NOT_READY for /readyz) naming what failed.
  Error journal_unavailable(ErrorCode code) const;
  // The Idempotency-Key header into "<token name>:<key>"; false: answered.
  bool idempotency_key(const HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                       std::string& out);
};

}  // namespace inplay
