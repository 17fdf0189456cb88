#include "http/api.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <charconv>
#include <vector>

#include "core/json.h"
#include "http/body.h"
#include "http/views.h"
#include "engine/feed_desk.h"
#include "sim/sim_world.h"
#include "telemetry/attributes.h"
#include "telemetry/log.h"
#include "telemetry/trace_query.h"
#include "http/api_internal.h"

namespace inplay {

Api::Api(ApiDeps deps) : impl_(std::make_unique<Impl>(deps)) {}
Api::~Api() = default;
void Api::handle(HttpRequest&& req, Responder respond) { impl_->handle(req, std::move(respond)); }
std::pair<uint64_t, uint64_t> Api::bet_request_totals() const {
  uint64_t all = impl_->bets_total.load(std::memory_order_relaxed);
  return {all - impl_->bets_5xx.load(std::memory_order_relaxed), all};
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

  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    x->route = std::string(path);
    if (req.method != "GET")
      return send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, "use GET"}), {{"Allow", "GET"}});
    if (path == "/healthz") return send(x, 200, R"({"status":"ok"})");
    if (path == "/metrics") {
      HttpResponse r;
      const bool om = accepts_openmetrics(req.header("accept"));
      r.body = om ? d.metrics.render_openmetrics() : d.metrics.render_prometheus();
      r.content_type = om ? kOpenMetricsContentType : kPrometheusTextContentType;
      requests->with({x->route, "200"}).inc();
      return x->respond(std::move(r));
    }
    if (!d.ready.load()) return send_error(x, Error{ErrorCode::kNotReady, "replaying the journal"});
    return read(x, [](Engine&) { return Reply{200, R"({"status":"ready"})"}; });
  }
  if (path.substr(0, 4) != "/v1/") {
    if (serve_page(req, x)) return;  // the war room (api_warroom.cpp)
    return send_error(x, Error{ErrorCode::kNotFound, "no such route"});
  }
  auto who = d.tokens.authenticate(req.header("authorization"));
  if (!who) {
    x->route = "/v1";
    return send_error(x, Error{ErrorCode::kUnauthorized, "a valid bearer token is required"});
  }
  if (!d.ready.load()) return send_error(x, Error{ErrorCode::kNotReady, "replaying the journal"});
  dispatch(req, x, *who, split_path(path));
}

bool Api::Impl::idempotency_key(const HttpRequest& req, const std::shared_ptr<Exchange>& x,
                                const Principal& who, std::string& out) {
  std::string_view key = req.header("idempotency-key");
  if (key.empty()) {
    send_error(x, Error{ErrorCode::kIdempotencyKeyMissing, "the Idempotency-Key header is required"});
    return false;
  }
  if (!valid_idempotency_key(key)) {
    send_error(x, Error{ErrorCode::kValidationFailed,
                        "Idempotency-Key: 1 to 128 visible ASCII characters"});
    return false;
  }
  out = who.name + ":" + std::string(key);
  return true;
}

// Synthetic money never mixes with real: the synthetic role uses only
// "synthetic-" accounts, every other role only the others.
static bool own_kind_of_account(const Principal& who, std::string_view account) {
  return is_synthetic_account(account) == (who.role == Role::kSynthetic);
}

void Api::Impl::place_bet(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who) {
  std::string key;
  if (!idempotency_key(req, x, who, key)) return;
  auto body = parse_bet_body(req.body);
  if (!body.ok()) return send_error(x, body.error());
  if (!own_kind_of_account(who, body->account))
    return send_error(x, Error{ErrorCode::kAccountNotFound, "unknown account"});
  PlaceBetRequest r;
  r.idem_key = std::move(key);
  r.fingerprint = fingerprint(req);
  r.user_mask = d.pseudonymizer.mask(body->account);
  r.account = std::move(body->account);
  r.selection_id = body->selection_id;
  r.stake = body->stake;
  r.currency = body->currency;
  r.odds = body->odds;
  r.policy = body->policy;
  x->span.attr(attr::kUser, r.user_mask);
  x->span.attr(attr::kSelection, static_cast<int64_t>(r.selection_id));
  r.gateway = x->span.context();
  r.gateway_start_ns = x->span.start_ns;
  r.reply = reply_to(x);
  if (!d.engine.place_bet(std::move(r))) send_error(x, kOverloaded);
}

void Api::Impl::move_money(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                           std::string_view account, TransferReason reason) {
  std::string key;
  if (!idempotency_key(req, x, who, key)) return;
  auto body = parse_money_body(req.body);
  if (!body.ok()) return send_error(x, body.error());
  if (!own_kind_of_account(who, account))
    return send_error(x, who.role == Role::kSynthetic
                             ? Error{ErrorCode::kForbidden, "the synthetic role may only use \"synthetic-\" accounts"}
                             : Error{ErrorCode::kValidationFailed,
                                     "account: ids starting \"synthetic-\" are reserved for synthetic checks"});
  MoneyRequest r;
  r.idem_key = std::move(key);
  r.fingerprint = fingerprint(req);
  r.account = std::string(account);
  r.user_mask = d.pseudonymizer.mask(account);
  r.amount = body->amount;
  r.currency = body->currency;
  r.reason = reason;
  x->span.attr(attr::kUser, r.user_mask);
  r.gateway = x->span.context();
  r.gateway_start_ns = x->span.start_ns;
  r.reply = reply_to(x);
  if (!d.engine.move_money(std::move(r))) send_error(x, kOverloaded);
}

void Api::Impl::dispatch(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                         const std::vector<std::string_view>& p) {
  const bool get = req.method == "GET", post = req.method == "POST", put = req.method == "PUT";
  const bool op = who.role == Role::kOperator;
  auto method_not_allowed = [&](const char* allow) {
    send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, fmt::format("use {}", allow)}),
         {{"Allow", allow}});
  };
  auto forbidden = [&] { send_error(x, Error{ErrorCode::kForbidden, "this token's role may not do this"}); };
  auto not_found = [&](ErrorCode c, const char* what) { send_error(x, Error{c, what}); };
  std::string actor = fmt::format("{}:{}", role_name(who.role), who.name);
  uint64_t id = 0;
  size_t n = p.size();
  if (dispatch_incidents(req, x, who, p)) return;
  if (dispatch_warroom(req, x, who, p)) return;

  // /v1/events
  if (n == 2 && p[1] == "events") {
    x->route = "/v1/events";
    if (!get) return method_not_allowed("GET");
    return read(x, [](Engine& e) { return Reply{200, events_json(e.state(), e.clock().now())}; });
  }
  // /v1/events/{id}/state (operator)
  if (n == 4 && p[1] == "events" && p[3] == "state") {
    x->route = "/v1/events/{id}/state";
    if (!post) return method_not_allowed("POST");
    if (!op) return forbidden();
    if (!parse_id(p[2], id)) return not_found(ErrorCode::kNotFound, "unknown event");
    auto st = parse_event_state_body(req.body);
    if (!st.ok()) return send_error(x, st.error());
    EventState s = st.value();
    return operate(
        x, [id, s, actor](Engine& e) { return e.set_event_state(id, s, actor); },
        [id](Engine& e) {
          return fmt::format(R"({{"event_id":{},"state":"{}"}})", id,
                             event_state_name(e.state().book.event(id)->state));
        });
  }
  // /v1/markets/{id}[/status|/stake-cap]
  if (n >= 3 && p[1] == "markets") {
    if (!parse_id(p[2], id)) {
      x->route = "/v1/markets/{id}";
      return not_found(ErrorCode::kMarketNotFound, "unknown market");
    }
    auto market_body = [id](Engine& e) {
      return market_json(e.state(), *e.state().book.market(id), e.clock().now());
    };
    if (n == 3) {
      x->route = "/v1/markets/{id}";
      if (!get) return method_not_allowed("GET");
      return read(x, [id](Engine& e) {
        const Market* m = e.state().book.market(id);
        if (!m) return Reply{404, error_body(Error{ErrorCode::kMarketNotFound, "unknown market"})};
        return Reply{200, market_json(e.state(), *m, e.clock().now())};
      });
    }
    if (n == 4 && p[3] == "status") {
      x->route = "/v1/markets/{id}/status";
      if (!post) return method_not_allowed("POST");
      if (!op) return forbidden();
      auto b = parse_status_body(req.body);
      if (!b.ok()) return send_error(x, b.error());
      StatusBody s = b.value();
      return operate(
          x, [id, s, actor](Engine& e) { return e.set_market_status(id, s.status, s.reason, actor); },
          market_body, fmt::format("market {} {} ({})", id, market_status_name(s.status), actor));
    }
    if (n == 4 && p[3] == "stake-cap") {
      x->route = "/v1/markets/{id}/stake-cap";
      if (!post) return method_not_allowed("POST");
      if (!op) return forbidden();
      auto cap = parse_integer_field(req.body, "cap");
      if (!cap.ok()) return send_error(x, cap.error());
      int64_t c = cap.value();
      return operate(
          x, [id, c, actor](Engine& e) { return e.set_stake_cap(id, c, actor); }, market_body,
          fmt::format("market {} stake cap {} ({})", id, c, actor));
    }
  }
  // /v1/selections/{id}/price (operator: a trader's manual price)
  if (n == 4 && p[1] == "selections" && p[3] == "price") {
    x->route = "/v1/selections/{id}/price";
    if (!put) return method_not_allowed("PUT");
    if (!op) return forbidden();
    if (!parse_id(p[2], id)) return not_found(ErrorCode::kSelectionNotFound, "unknown selection");
    auto odds = parse_odds_body(req.body);
    if (!odds.ok()) return send_error(x, odds.error());
    Odds o = odds.value();
    return operate(
        x, [id, o](Engine& e) { return e.apply_price(id, o, to_ms(e.clock().now())); },
        [id](Engine& e) {
          const Selection* s = e.state().book.selection(id);
          return market_json(e.state(), *e.state().book.market(s->market_id), e.clock().now());
        });
  }
  // /v1/bets, /v1/bets/{id}
  if (n == 2 && p[1] == "bets") {
    x->route = "/v1/bets";
    if (!post) return method_not_allowed("POST");
    if (op) return forbidden();
    if (who.role == Role::kSynthetic) {
      x->span.attr(attr::kSynthetic, "true");  // kept by the sampler, out of the bet_errors SLI
    } else {
      x->bets_total = &bets_total;
      x->bets_5xx = &bets_5xx;
    }
    return place_bet(req, x, who);
  }
  if (n == 3 && p[1] == "bets") {
    x->route = "/v1/bets/{id}";
    if (!get) return method_not_allowed("GET");
    if (!parse_id(p[2], id)) return not_found(ErrorCode::kBetNotFound, "unknown bet");
    return read(x, [id](Engine& e) {
      auto& s = e.state();
      auto it = s.bets.find(id);
      if (it == s.bets.end()) return Reply{404, error_body(Error{ErrorCode::kBetNotFound, "unknown bet"})};
      std::string ccy = s.ledger.currency().code();
      return Reply{200, bet_json(BetView{it->second, s.ledger.account(it->second.account).id, ccy})};
    });
  }
  // /v1/accounts/{id}[/deposits|/withdrawals]
  if (n >= 3 && p[1] == "accounts") {
    std::string_view account = p[2];
    if (n == 3) {
      x->route = "/v1/accounts/{id}";
      if (!get) return method_not_allowed("GET");
      if (!valid_account_id(account)) return not_found(ErrorCode::kAccountNotFound, "unknown account");
      if (!op && !own_kind_of_account(who, account))
        return not_found(ErrorCode::kAccountNotFound, "unknown account");
      std::string a(account);
      return read(x, [a](Engine& e) {
        int64_t i = e.state().ledger.find(a);
        if (i < 0 || e.state().ledger.account(i).kind != AccountKind::kUserCash)
          return Reply{404, error_body(Error{ErrorCode::kAccountNotFound, "unknown account"})};
        return Reply{200, account_json(e.state(), static_cast<uint32_t>(i))};
      });
    }
    if (n == 4 && (p[3] == "deposits" || p[3] == "withdrawals")) {
      bool dep = p[3] == "deposits";
      x->route = dep ? "/v1/accounts/{id}/deposits" : "/v1/accounts/{id}/withdrawals";
      if (!post) return method_not_allowed("POST");
      if (op) return forbidden();
      if (!valid_account_id(account))
        return send_error(x, Error{ErrorCode::kValidationFailed, "account: must match [A-Za-z0-9_.-]{1,64}"});
      return move_money(req, x, who, account, dep ? TransferReason::kDeposit : TransferReason::kWithdrawal);
    }
  }
  // /v1/clock/advance (operator, simulated clock only)
  if (n == 3 && p[1] == "clock" && p[2] == "advance") {
    x->route = "/v1/clock/advance";
    if (!post) return method_not_allowed("POST");
    if (!op) return forbidden();
    if (!d.clock.simulated())
      return send_error(x, Error{ErrorCode::kValidationFailed, "the book runs on the real clock"});
    auto ms = parse_integer_field(req.body, "ms");
    if (!ms.ok()) return send_error(x, ms.error());
    if (ms.value() > 86400000)
      return send_error(x, Error{ErrorCode::kValidationFailed, "ms: at most 86400000"});
    int64_t adv = ms.value();
    return read(x, [adv](Engine& e) {
      e.advance_clock(e.clock().now() + std::chrono::milliseconds(adv));
      return Reply{200, fmt::format(R"({{"now_ms":{}}})", to_ms(e.clock().now()))};
    });
  }
  // /v1/feeds, /v1/feeds/{sport}/switch (operator): odds feeds (ODDS-5)
  if (n >= 2 && p[1] == "feeds") {
    FeedDesk* desk = d.desk;
    if (n == 2) {
      x->route = "/v1/feeds";
      if (!get) return method_not_allowed("GET");
      if (!op) return forbidden();
      if (!desk) return send(x, 200, R"({"sports":[],"feeds":[]})");
      return read(x, [desk](Engine&) { return Reply{200, desk->status_json()}; });
    }
    if (n == 4 && p[3] == "switch") {
      x->route = "/v1/feeds/{sport}/switch";
      if (!post) return method_not_allowed("POST");
      if (!op) return forbidden();
      if (!desk) return not_found(ErrorCode::kNotFound, "no feeds configured");
      auto body = parse_switch_body(req.body);
      if (!body.ok()) return send_error(x, body.error());
      std::optional<FeedRole> to;
      if (body.value()) {
        FeedRole r;
        parse_feed_role(*body.value(), r);
        to = r;
      }
      std::string sport(p[2]);
      return operate(
          x, [desk, sport, to, actor](Engine&) { return desk->switch_feed(sport, to, actor); },
          [desk, sport](Engine&) {
            JsonWriter w;
            w.begin_object().field("sport", sport).field("active", desk->active_feed(sport)).end_object();
            return w.take();
          },
          fmt::format("switch {} feed ({})", sport, actor));
    }
  }
  // /v1/sim/feeds/{name}/faults (operator): fault hooks of the simulated providers
  if (n == 5 && p[1] == "sim" && p[2] == "feeds" && p[4] == "faults") {
    x->route = "/v1/sim/feeds/{name}/faults";
    if (!post) return method_not_allowed("POST");
    if (!op) return forbidden();
    FeedProvider* prov = d.sim ? d.sim->provider(std::string(p[3])) : nullptr;
    if (!prov) return not_found(ErrorCode::kNotFound, "no simulated feed of that name");
    auto body = parse_sim_faults_body(req.body);
    if (!body.ok()) return send_error(x, body.error());
    FeedFaults cur = prov->apply(body.value());
    log::warn("sim", "feed faults set", {{"feed", std::string(p[3])}, {"actor", actor}});
    JsonWriter w;
    w.begin_object().field("feed", std::string(p[3]));
    w.field("latency_ms", cur.added_latency_ms).field("jitter_ms", cur.jitter_ms).field("stall", cur.stall);
    w.key("drop").raw(fmt::format("{}", cur.drop)).key("duplicate").raw(fmt::format("{}", cur.duplicate));
    w.key("reorder").raw(fmt::format("{}", cur.reorder));
    w.key("skew_leagues").begin_array();
    for (auto& l : cur.skew.leagues) w.value(l);
    w.end_array().end_object();
    return send(x, 200, w.take());
  }
  // /v1/admin/faults/engine-stall (operator): a fault hook that burns the
  // engine thread for a while, as a CPU-starved risk engine would; requests
  // queue up behind it and, past the queue's capacity, are shed.
  if (n == 4 && p[1] == "admin" && p[2] == "faults" && p[3] == "engine-stall") {
    x->route = "/v1/admin/faults/engine-stall";
    if (!post) return method_not_allowed("POST");
    if (!op) return forbidden();
    auto ms = parse_integer_field(req.body, "ms");
    if (!ms.ok()) return send_error(x, ms.error());
    if (ms.value() < 1 || ms.value() > 10000)
      return send_error(x, Error{ErrorCode::kValidationFailed, "ms: between 1 and 10000"});
    int64_t stall = ms.value();
    return read(x, [stall](Engine&) {
      // Said as it begins, on the engine thread: the stall is now under way.
      log::warn("engine", "engine stall injected", {{"ms", stall}});
      int64_t until = monotonic_ns() + stall * 1000000;
      while (monotonic_ns() < until) {
      }
      return Reply{200, fmt::format(R"({{"stalled_ms":{}}})", stall)};
    });
  }
  // /v1/admin/state (operator)
  if (n == 3 && p[1] == "admin" && p[2] == "state") {
    x->route = "/v1/admin/state";
    if (!get) return method_not_allowed("GET");
    if (!op) return forbidden();
    return read(x, [](Engine& e) { return Reply{200, admin_state_json(e.state())}; });
  }
  // /v1/traces?attr.<key>=&min_ms=&max_ms=&since=&limit= and
  // /v1/traces/breakdown?by=<key>&... (operator; telemetry/trace_query.h)
  if (p[1] == "traces" && (n == 2 || (n == 3 && p[2] == "breakdown"))) {
    const bool breakdown = n == 3;
    x->route = breakdown ? "/v1/traces/breakdown" : "/v1/traces";
    if (!get) return method_not_allowed("GET");
    if (!op) return forbidden();
    std::string err;
    if (breakdown) {
      BreakdownQuery q;
      if (!parse_breakdown_query(req.query(), q, err))
        return send_error(x, Error{ErrorCode::kValidationFailed, err});
      return send(x, 200, breakdown_json(breakdown_traces(d.tracer, q)));
    }
    TraceQuery q;
    if (!parse_trace_query(req.query(), q, err)) return send_error(x, Error{ErrorCode::kValidationFailed, err});
    return send(x, 200, trace_search_json(search_traces(d.tracer, q)));
  }
  // /v1/traces/{trace_id} (operator)
  if (n == 3 && p[1] == "traces") {
    x->route = "/v1/traces/{id}";
    if (!get) return method_not_allowed("GET");
    if (!op) return forbidden();
    TraceId tid;
    if (!parse_trace_id(p[2], tid)) return not_found(ErrorCode::kNotFound, "unknown trace");
    auto spans = d.tracer.trace(tid);
    if (spans.empty()) return not_found(ErrorCode::kNotFound, "unknown trace");
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
    return send(x, 200, w.take());
  }
  x->route = "unmatched";
  send_error(x, Error{ErrorCode::kNotFound, "no such route"});
}

}  // namespace inplay
