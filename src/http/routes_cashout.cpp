// Cash-out routes (docs/api.md "Cash-out"; CO-1):
//   GET  /v1/bets/{id}/cashout[?stake=N]   a quote for all (or N minor units) of an open bet's stake
//   POST /v1/bets/{id}/cashout             take a quote: {"quote_id","amount","price_change"},
//                                          with an Idempotency-Key
// A channel token quotes and cashes out only its own channel's bets
// (SEC-1: another channel's are BET_NOT_FOUND, as unknown ones), the
// synthetic role only synthetic accounts' bets (as for bets).
#include "cashout/cashout_desk.h"
#include "core/time_format.h"
#include "http/api_internal.h"
#include "http/body.h"
#include "telemetry/attributes.h"

namespace inplay {

namespace {

std::string quote_json(const BookState& s, const Quote& q) {
  const CashoutOffer& o = q.offer;
  const Bet& b = s.bets.at(o.bet_id);
  JsonWriter w;
  w.begin_object();
  w.field("quote_id", std::to_string(q.id)).field("bet_id", std::to_string(o.bet_id));
  w.field("stake", o.stake).field("amount", o.amount).field("currency", s.ledger.currency().code());
  w.field("odds", o.odds.str()).field("placed_odds", b.odds.str());
  w.field("price_version", o.price_version).field("price_time", rfc3339_ms(o.price_ts_ns));
  w.field("freshness_ms", o.freshness_ns / 1'000'000);
  w.field("expires_at", rfc3339_ms(q.expires_ns)).field("expires_in_ms", (q.expires_ns - q.made_ns) / 1'000'000);
  w.end_object();
  return w.take();
}

}  // namespace

void Api::Impl::add_cashout_routes() {
  routes.add({"GET", "/v1/bets/{id}/cashout", Access::kCustomer, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kBetNotFound, "unknown bet", id)) return;
                int64_t stake = 0;
                const std::string s = query_param(c.req.target, "stake");
                if (!s.empty()) {
                  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), stake);
                  if (ec != std::errc() || p != s.data() + s.size() || stake < 1)
                    return send_error(c.x, Error{ErrorCode::kValidationFailed, "stake: must be a positive integer (minor units)"});
                }
                if (c.who.role == Role::kSynthetic) c.x->span.attr(attr::kSynthetic, "true");
                c.x->span.attr(attr::kBetId, static_cast<int64_t>(id));
                QuoteCashout q;
                q.bet_id = id;
                q.stake = stake;
                q.scope = account_scope(c.who);
                q.gateway = c.x->span.context();
                Engine* e = &d.engine;
                q.done = [x = c.x, e](const Result<Quote>& r) {
                  if (!r.ok()) return send_error(x, r.error());
                  send(x, 200, quote_json(e->state(), r.value()));
                };
                if (!d.cashout.submit_quote(std::move(q))) send_error(c.x, kOverloaded);
              }});

  routes.add({"POST", "/v1/bets/{id}/cashout", Access::kCustomer, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kBetNotFound, "unknown bet", id)) return;
                std::string key;
                if (!idempotency_key(c.req, c.x, c.who, key)) return;
                auto body = parse_cashout_accept_body(c.req.body);
                if (!body.ok()) return send_error(c.x, body.error());
                if (c.who.role == Role::kSynthetic) c.x->span.attr(attr::kSynthetic, "true");
                c.x->span.attr(attr::kBetId, static_cast<int64_t>(id));
                AcceptCashout a;
                a.idem_key = std::move(key);
                a.fingerprint = fingerprint(c.req);
                a.bet_id = id;
                a.quote_id = body->quote_id;
                a.amount = body->amount;
                a.policy = body->policy;
                a.scope = account_scope(c.who);
                a.gateway = c.x->span.context();
                a.gateway_start_ns = c.x->span.start_ns;
                a.done = answer(c.x);
                if (!d.cashout.submit_accept(std::move(a))) send_error(c.x, kOverloaded);
              }});
}

}  // namespace inplay
