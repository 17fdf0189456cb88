// Settlement routes (operator; docs/api.md "Settlement"):
//   GET  /v1/settlement                   the desk's counts and the dead-letter queue's depth
//                                         (also the war room's settlement view)
//   GET  /v1/settlement/dlq               open dead letters: what failed and why
//   POST /v1/settlement/dlq/{id}/replay   try one again (after the fix it waited for)
//   POST /v1/settlement/dlq/{id}/discard  close one without acting on it
//   POST /v1/settlement/resettle          re-settle a market: the difference per account
#include "http/api_internal.h"
#include "http/body.h"
#include "core/time_format.h"
#include "settle/settle_desk.h"

namespace inplay {

namespace {

std::string dlq_json(const BookState& s) {
  JsonWriter w;
  w.begin_object().key("dead_letters").begin_array();
  for (auto& [id, d] : s.settlement.dead_letters()) {
    w.begin_object().field("dlq_id", id).field("event_id", d.event_id);
    w.key("market_id");
    if (d.market_id) w.value(d.market_id);
    else w.null();
    w.field("reason", d.reason).field("detail", d.detail).field("source", d.source);
    w.field("provider_ts", rfc3339_ms(d.provider_ts_ms * 1000000)).field("at", rfc3339_ms(d.at_ns));
    w.field("message", d.message).end_object();
  }
  w.end_array().field("resolved", s.settlement.dead_letters_resolved()).end_object();
  return w.take();
}

std::string report_json(const ResettleReport& r, const std::string& currency) {
  JsonWriter w;
  w.begin_object().field("market_id", r.market_id);
  w.field("from_version", static_cast<int64_t>(r.from_version)).field("to_version", static_cast<int64_t>(r.to_version));
  w.field("bets", r.bets).field("currency", currency);
  w.field("returns_before", r.total_before).field("returns_after", r.total_after);
  w.field("difference", r.total_after - r.total_before);
  w.key("accounts").begin_array();
  for (const auto& a : r.changed)
    w.begin_object().field("account", a.account).field("before", a.before).field("after", a.after)
        .field("difference", a.after - a.before).end_object();
  w.end_array().end_object();
  return w.take();
}


}  // namespace

std::string settlement_state_json(SettleDesk& desk, Engine& e) {
  SettleDesk::Signals s = desk.signals();
  JsonWriter w;
  w.begin_object().field("pay_on", certainty_name(e.config().settlement.pay_on));
  w.field("results", s.results).field("corrections", s.corrections);
  w.key("shadow_checks").begin_object().field("match", s.shadow_matched)
      .field("mismatch", s.shadow_mismatched).field("unchecked", s.shadow_unchecked).end_object();
  w.field("dlq_depth", s.dlq_depth).field("dlq_total", s.dlq_total);
  w.key("last_lag_ms");
  if (s.last_lag_ms >= 0) w.value(s.last_lag_ms);
  else w.null();
  w.key("oldest_unpaid_age_ms");
  if (const int64_t ts = desk.oldest_unpaid_result_ms(); ts >= 0)
    w.value(std::max<int64_t>(0, to_ms(e.clock().now()) - ts));
  else
    w.null();
  w.field("open_bets", e.state().open_bets).end_object();
  return w.take();
}

void Api::Impl::add_settlement_routes() {
  routes.add({"GET", "/v1/settlement", Access::kOperator, [this](Call& c) {
                SettleDesk* desk = &d.settle;
                read(c.x, [desk](Engine& e) { return Reply{200, settlement_state_json(*desk, e)}; });
              }});

  routes.add({"GET", "/v1/settlement/dlq", Access::kOperator, [this](Call& c) {
                read(c.x, [](Engine& e) { return Reply{200, dlq_json(e.state())}; });
              }});

  routes.add({"POST", "/v1/settlement/dlq/{id}/replay", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kDeadLetterNotFound, "unknown dead letter", id)) return;
                SettleDesk* desk = &d.settle;
                read(c.x, [desk, id, actor = c.actor](Engine&) {
                  Result<SettleVerdict> r = desk->replay_dead_letter(id, actor);
                  if (!r.ok()) return error_reply(r.error());
                  return Reply{200, fmt::format(R"({{"dlq_id":{},"verdict":"{}"}})", id, settle_verdict_name(r.value()))};
                });
              }});

  routes.add({"POST", "/v1/settlement/dlq/{id}/discard", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kDeadLetterNotFound, "unknown dead letter", id)) return;
                auto reason = parse_reason_body(c.req.body);
                if (!reason.ok()) return send_error(c.x, reason.error());
                SettleDesk* desk = &d.settle;
                read(c.x, [desk, id, actor = c.actor, why = reason.value()](Engine&) {
                  Result<bool> r = desk->discard_dead_letter(id, actor, why);
                  if (!r.ok()) return error_reply(r.error());
                  return Reply{200, fmt::format(R"({{"dlq_id":{},"discarded":true}})", id)};
                });
              }});

  routes.add({"POST", "/v1/settlement/resettle", Access::kOperator, [this](Call& c) {
                auto body = parse_resettle_body(c.req.body);
                if (!body.ok()) return send_error(c.x, body.error());
                SettleDesk* desk = &d.settle;
                read(c.x, [desk, b = body.value(), actor = c.actor](Engine& e) {
                  std::optional<Score> score;
                  if (b.score) score = Score{b.score->first, b.score->second};
                  Result<ResettleReport> r = desk->resettle(b.market_id, score, b.reason, actor);
                  if (!r.ok()) return error_reply(r.error());
                  return Reply{200, report_json(r.value(), e.state().ledger.currency().code())};
                });
              }});
}

}  // namespace inplay
