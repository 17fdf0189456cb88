// The incident loop's routes (docs/api.md "SLOs, alerts and incidents"):
//   GET  /v1/slos                     SLO status, burn rates, slices
//   GET  /v1/alerts                   firing alerts, groups, inhibited
//   POST /v1/alerts/webhook           Alertmanager webhook receiver
//   GET  /v1/incidents                incidents, newest first
//   GET  /v1/incidents/{id}           one incident with timeline
//   GET  /v1/incidents/{id}/postmortem  Markdown (text/markdown)
//   POST /v1/incidents/{id}/actions/{aid}/approve|revert
//   GET  /v1/actions                  manual and budget-guard actions
//   POST /v1/actions                  an operator's action (same functions as playbooks)
//   POST /v1/actions/{aid}/revert
//   GET  /v1/deploy-guard?within=30m  INC-4
//   POST /v1/markets/{id}/cashout     freeze / unfreeze cash-out (CO-4)
// All operator-only; every change is journaled and audited.
#include "alert/alert_wire.h"
#include "core/yaml_reader.h"
#include "http/api_internal.h"
#include "http/body.h"
#include "http/views.h"
#include "playbook/incident_loop.h"

namespace inplay {

namespace {

Reply error_reply_of(const Error& e) { return Reply{error_http_status(e.code), error_body(e)}; }

std::string query_param(std::string_view target, std::string_view key) {
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

}  // namespace

bool Api::Impl::dispatch_incidents(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                                   const std::vector<std::string_view>& p) {
  const size_t n = p.size();
  const std::string_view top = n >= 2 ? p[1] : std::string_view{};
  const bool cashout = n == 4 && top == "markets" && p[3] == "cashout";
  if (!cashout && top != "slos" && top != "alerts" && top != "incidents" && top != "actions" && top != "deploy-guard")
    return false;
  const bool get = req.method == "GET", post = req.method == "POST";
  const std::string actor = fmt::format("{}:{}", role_name(who.role), who.name);
  auto method_not_allowed = [&](const char* allow) {
    send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, fmt::format("use {}", allow)}), {{"Allow", allow}});
    return true;
  };
  auto fail = [&](Error e) {
    send_error(x, e);
    return true;
  };
  IncidentLoop* loop = d.incidents;
  auto no_loop = [&] { return fail(Error{ErrorCode::kNotFound, "the incident loop is off"}); };
  uint64_t id = 0, aid = 0;

  if (cashout) {
    x->route = "/v1/markets/{id}/cashout";
    if (!post) return method_not_allowed("POST");
    if (who.role != Role::kOperator) return fail(Error{ErrorCode::kForbidden, "this token's role may not do this"});
    if (!parse_id(p[2], id)) return fail(Error{ErrorCode::kMarketNotFound, "unknown market"});
    auto b = parse_cashout_body(req.body);
    if (!b.ok()) return fail(b.error());
    CashoutBody c = b.value();
    operate(
        x,
        [id, c, actor](MarketDesk& m) {
          return m.set_market_control(id, MarketControl::kCashoutFrozen, c.frozen ? 1 : 0,
                                      c.reason.empty() ? (c.frozen ? "operator" : "") : c.reason, actor);
        },
        [id](Engine& e) { return market_json(e.state(), *e.state().book.market(id), e.clock().now()); },
        fmt::format("market {} cash-out {} ({})", id, c.frozen ? "frozen" : "unfrozen", actor));
    return true;
  }
  x->route = "/v1/" + std::string(top);
  if (who.role != Role::kOperator) return fail(Error{ErrorCode::kForbidden, "this token's role may not do this"});

  if (top == "slos" && n == 2) {
    if (!get) return method_not_allowed("GET");
    if (!loop) return no_loop();
    read(x, [loop](Engine&) { return Reply{200, loop->slos_json()}; });
    return true;
  }
  if (top == "alerts" && n == 2) {
    if (!get) return method_not_allowed("GET");
    if (!loop) return no_loop();
    read(x, [loop](Engine&) { return Reply{200, loop->alerts_json()}; });
    return true;
  }
  if (top == "alerts" && n == 3 && p[2] == "webhook") {
    x->route = "/v1/alerts/webhook";
    if (!post) return method_not_allowed("POST");
    if (!loop) return no_loop();
    auto r = parse_alertmanager_webhook(req.body);
    if (!r.ok()) return fail(r.error());
    auto alerts = std::make_shared<std::vector<Alert>>(std::move(r.value().alerts));
    read(x, [loop, alerts](Engine&) {
      size_t count = alerts->size();
      loop->receive(std::move(*alerts));
      return Reply{200, fmt::format(R"({{"received":{}}})", count)};
    });
    return true;
  }
  if (top == "deploy-guard" && n == 2) {
    if (!get) return method_not_allowed("GET");
    if (!loop) return no_loop();
    std::string within = query_param(req.target, "within");
    int64_t within_ms = 30 * 60000;
    if (!within.empty() && (!parse_duration_ms(within, within_ms) || within_ms > 7LL * 86400000))
      return fail(Error{ErrorCode::kValidationFailed, "within: a duration like 30m (at most 7d)"});
    read(x, [loop, within_ms](Engine&) {
      std::string json;
      loop->deploy_blocked(within_ms * 1000000, json);
      return Reply{200, json};
    });
    return true;
  }
  if (top == "incidents") {
    if (!loop) return no_loop();
    if (n == 2) {
      if (!get) return method_not_allowed("GET");
      read(x, [loop](Engine&) { return Reply{200, loop->incidents_json()}; });
      return true;
    }
    x->route = "/v1/incidents/{id}";
    if (!parse_id(p[2], id)) return fail(Error{ErrorCode::kIncidentNotFound, "unknown incident"});
    if (n == 3) {
      if (!get) return method_not_allowed("GET");
      read(x, [loop, id](Engine&) {
        std::string j = loop->incident_json(id);
        if (j.empty()) return error_reply_of(Error{ErrorCode::kIncidentNotFound, "unknown incident"});
        return Reply{200, std::move(j)};
      });
      return true;
    }
    if (n == 4 && p[3] == "postmortem") {
      x->route = "/v1/incidents/{id}/postmortem";
      if (!get) return method_not_allowed("GET");
      // Markdown: answered through the engine like every read.
      read(x, [loop, id](Engine&) {
        const Incident* i = loop->runner().incident(id);
        if (!i) return error_reply_of(Error{ErrorCode::kIncidentNotFound, "unknown incident"});
        JsonWriter w;
        w.begin_object().field("incident", id).field("markdown", postmortem_markdown(*i)).end_object();
        return Reply{200, w.take()};
      });
      return true;
    }
    if (n == 6 && p[3] == "actions" && (p[5] == "approve" || p[5] == "revert")) {
      x->route = std::string("/v1/incidents/{id}/actions/{action_id}/") + std::string(p[5]);
      if (!post) return method_not_allowed("POST");
      if (!parse_id(p[4], aid)) return fail(Error{ErrorCode::kActionNotFound, "unknown action"});
      bool approve = p[5] == "approve";
      read(x, [loop, id, aid, approve, actor](Engine& e) {
        int64_t now = to_ns(e.clock().now());
        Result<bool> r = approve ? loop->runner().approve(id, aid, actor, now) : loop->runner().revert(id, aid, actor, now);
        loop->save_incidents(true);
        if (!r.ok()) return error_reply_of(r.error());
        return Reply{200, loop->incident_json(id)};
      });
      return true;
    }
    return fail(Error{ErrorCode::kNotFound, "no such route"});
  }
  if (top == "actions") {
    if (!loop) return no_loop();
    if (n == 2) {
      if (get) {
        read(x, [loop](Engine&) { return Reply{200, loop->actions_json()}; });
        return true;
      }
      if (!post) return method_not_allowed("GET, POST");
      auto b = parse_action_body(req.body);
      if (!b.ok()) return fail(b.error());
      ActionBody a = b.value();
      read(x, [loop, a, actor](Engine& e) {
        ActionSpec spec;
        parse_action_type(a.action, spec.type);
        spec.value = a.value;
        ActionTarget t;
        t.sport = a.sport;
        t.league = a.league;
        t.markets = a.markets;
        auto r = loop->runner().trigger(spec, t, actor, a.incident, to_ns(e.clock().now()));
        loop->save_incidents(true);
        if (!r.ok()) return error_reply_of(r.error());
        std::string body = a.incident ? loop->incident_json(a.incident) : loop->actions_json();
        return Reply{200, std::move(body)};
      });
      return true;
    }
    x->route = "/v1/actions/{action_id}/revert";
    if (n == 4 && p[3] == "revert") {
      if (!post) return method_not_allowed("POST");
      if (!parse_id(p[2], aid)) return fail(Error{ErrorCode::kActionNotFound, "unknown action"});
      read(x, [loop, aid, actor](Engine& e) {
        auto r = loop->runner().revert(0, aid, actor, to_ns(e.clock().now()));
        loop->save_incidents(true);
        if (!r.ok()) return error_reply_of(r.error());
        return Reply{200, loop->actions_json()};
      });
      return true;
    }
    return fail(Error{ErrorCode::kNotFound, "no such route"});
  }
  return fail(Error{ErrorCode::kNotFound, "no such route"});
}

}  // namespace inplay
