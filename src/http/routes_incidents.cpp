// The incident loop's routes (operator; docs/api.md "SLOs, alerts and incidents"):
//   GET  /v1/slos                     SLO status, burn rates, slices
//   GET  /v1/alerts                   firing alerts, groups, inhibited
//   POST /v1/alerts/webhook           Alertmanager webhook receiver
//   GET  /v1/incidents                incidents, newest first
//   GET  /v1/incidents/{id}           one incident with timeline
//   GET  /v1/incidents/{id}/postmortem  the post-mortem skeleton (Markdown in JSON)
//   POST /v1/incidents/{id}/actions/{aid}/approve|revert
//   GET  /v1/actions                  manual and budget-guard actions
//   POST /v1/actions                  an operator's action (same functions as playbooks)
//   POST /v1/actions/{aid}/revert
//   GET  /v1/deploy-guard?within=30m  INC-4
//   POST /v1/markets/{id}/cashout     freeze / unfreeze cash-out (CO-4)
// With the incident loop off, its routes answer 404 "the incident loop is
// off" (cash-out freezes work regardless). Every change is journaled and
// audited.
#include "alert/alert_wire.h"
#include "core/yaml_reader.h"
#include "http/api_internal.h"
#include "http/body.h"
#include "playbook/incident_loop.h"

namespace inplay {

namespace {


}  // namespace

void Api::Impl::add_incident_routes() {
  IncidentLoop* loop = d.incidents;
  // A route of the incident loop: answered 404 while the loop is off.
  auto with_loop = [this, loop](std::string method, std::string pattern, std::function<void(Call&)> fn) {
    routes.add({std::move(method), std::move(pattern), Access::kOperator, [loop, fn = std::move(fn)](Call& c) {
                  if (!loop) return send_error(c.x, Error{ErrorCode::kNotFound, "the incident loop is off"});
                  fn(c);
                }});
  };

  routes.add({"POST", "/v1/markets/{id}/cashout", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kMarketNotFound, "unknown market", id)) return;
                auto b = parse_cashout_body(c.req.body);
                if (!b.ok()) return send_error(c.x, b.error());
                CashoutBody cb = b.value();
                operate(
                    c.x,
                    [id, cb, actor = c.actor](MarketDesk& m) {
                      return m.set_market_control(id, MarketControl::kCashoutFrozen, cb.frozen ? 1 : 0,
                                                  cb.reason.empty() ? (cb.frozen ? "operator" : "") : cb.reason, actor);
                    },
                    [id](Engine& e) { return market_json(e.state(), *e.state().book.market(id), e.clock().now(), Audience::kOperator); },
                    fmt::format("market {} cash-out {} ({})", id, cb.frozen ? "frozen" : "unfrozen", c.actor));
              }});

  with_loop("GET", "/v1/slos", [this, loop](Call& c) {
    read(c.x, [loop](Engine&) { return Reply{200, loop->slos_json()}; });
  });
  with_loop("GET", "/v1/alerts", [this, loop](Call& c) {
    read(c.x, [loop](Engine&) { return Reply{200, loop->alerts_json()}; });
  });
  with_loop("POST", "/v1/alerts/webhook", [this, loop](Call& c) {
    auto r = parse_alertmanager_webhook(c.req.body);
    if (!r.ok()) return send_error(c.x, r.error());
    auto alerts = std::make_shared<std::vector<Alert>>(std::move(r.value().alerts));
    read(c.x, [loop, alerts](Engine&) {
      size_t count = alerts->size();
      loop->receive(std::move(*alerts));
      return Reply{200, fmt::format(R"({{"received":{}}})", count)};
    });
  });
  with_loop("GET", "/v1/deploy-guard", [this, loop](Call& c) {
    std::string within = query_param(c.req.target, "within");
    int64_t within_ms = 30 * 60000;
    if (!within.empty() && (!parse_duration_ms(within, within_ms) || within_ms > 7LL * 86400000))
      return send_error(c.x, Error{ErrorCode::kValidationFailed, "within: a duration like 30m (at most 7d)"});
    read(c.x, [loop, within_ms](Engine&) {
      std::string json;
      loop->deploy_blocked(within_ms * 1000000, json);
      return Reply{200, json};
    });
  });

  with_loop("GET", "/v1/incidents", [this, loop](Call& c) {
    read(c.x, [loop](Engine&) { return Reply{200, loop->incidents_json()}; });
  });
  with_loop("GET", "/v1/incidents/{id}", [this, loop](Call& c) {
    uint64_t id = 0;
    if (!id_param(c, 0, ErrorCode::kIncidentNotFound, "unknown incident", id)) return;
    read(c.x, [loop, id](Engine&) {
      std::string j = loop->incident_json(id);
      if (j.empty()) return error_reply(Error{ErrorCode::kIncidentNotFound, "unknown incident"});
      return Reply{200, std::move(j)};
    });
  });
  with_loop("GET", "/v1/incidents/{id}/postmortem", [this, loop](Call& c) {
    uint64_t id = 0;
    if (!id_param(c, 0, ErrorCode::kIncidentNotFound, "unknown incident", id)) return;
    read(c.x, [loop, id](Engine& e) {
      const Incident* i = loop->runner().incident(id);
      if (!i) return error_reply(Error{ErrorCode::kIncidentNotFound, "unknown incident"});
      JsonWriter w;
      w.begin_object().field("incident", id);
      w.field("markdown", postmortem_markdown(*i, e.state().ledger.currency())).end_object();
      return Reply{200, w.take()};
    });
  });
  for (bool approve : {true, false}) {
    with_loop("POST", approve ? "/v1/incidents/{id}/actions/{action_id}/approve" : "/v1/incidents/{id}/actions/{action_id}/revert",
              [this, loop, approve](Call& c) {
                uint64_t id = 0, aid = 0;
                if (!id_param(c, 0, ErrorCode::kIncidentNotFound, "unknown incident", id)) return;
                if (!id_param(c, 1, ErrorCode::kActionNotFound, "unknown action", aid)) return;
                read(c.x, [loop, id, aid, approve, actor = c.actor](Engine& e) {
                  int64_t now = to_ns(e.clock().now());
                  Result<bool> r = approve ? loop->runner().approve(id, aid, actor, now)
                                           : loop->runner().revert(id, aid, actor, now);
                  loop->save_incidents(true);
                  if (!r.ok()) return error_reply(r.error());
                  return Reply{200, loop->incident_json(id)};
                });
              });
  }

  with_loop("GET", "/v1/actions", [this, loop](Call& c) {
    read(c.x, [loop](Engine&) { return Reply{200, loop->actions_json()}; });
  });
  with_loop("POST", "/v1/actions", [this, loop](Call& c) {
    auto b = parse_action_body(c.req.body);
    if (!b.ok()) return send_error(c.x, b.error());
    read(c.x, [loop, a = b.value(), actor = c.actor](Engine& e) {
      ActionSpec spec;
      parse_action_type(a.action, spec.type);
      spec.value = a.value;
      ActionTarget t;
      t.sport = a.sport;
      t.league = a.league;
      t.markets = a.markets;
      auto r = loop->runner().trigger(spec, t, actor, a.incident, to_ns(e.clock().now()));
      loop->save_incidents(true);
      if (!r.ok()) return error_reply(r.error());
      std::string body = a.incident ? loop->incident_json(a.incident) : loop->actions_json();
      return Reply{200, std::move(body)};
    });
  });
  with_loop("POST", "/v1/actions/{action_id}/revert", [this, loop](Call& c) {
    uint64_t aid = 0;
    if (!id_param(c, 0, ErrorCode::kActionNotFound, "unknown action", aid)) return;
    read(c.x, [loop, aid, actor = c.actor](Engine& e) {
      auto r = loop->runner().revert(0, aid, actor, to_ns(e.clock().now()));
      loop->save_incidents(true);
      if (!r.ok()) return error_reply(r.error());
      return Reply{200, loop->actions_json()};
    });
  });
}

}  // namespace inplay
