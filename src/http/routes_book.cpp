// The book's routes (docs/api.md):
//   GET  /v1/events                       events, markets, live prices
//   POST /v1/events/{id}/state            an event's state (operator)
//   GET  /v1/markets/{id}                 one market
//   POST /v1/markets/{id}/status          suspend / reopen / close (operator)
//   POST /v1/markets/{id}/stake-cap       per-bet stake cap (operator)
//   PUT  /v1/selections/{id}/price        a trader's manual price (operator)
//   POST /v1/bets                         place a bet (channel, synthetic)
//   GET  /v1/bets/{id}                    one bet
//   POST /v1/accounts                     open an account (channel, synthetic)
//   GET  /v1/accounts/{id}                an account's balances
//   POST /v1/accounts/{id}/deposits       (channel, synthetic)
//   POST /v1/accounts/{id}/withdrawals    (channel, synthetic)
//   POST /v1/clock/advance                simulated clock only (operator)
#include "http/api_internal.h"
#include "http/body.h"
#include "http/request_deadline.h"
#include "payment/payment_desk.h"
#include "telemetry/attributes.h"

namespace inplay {

namespace {

// Accounts and bets belong to the channel that opened the account (SEC-1,
// wallet/account_owners.h): another channel's are answered exactly as
// unknown ones, here or in the desks (which check the owner on the engine).

// Synthetic money never mixes with real: the synthetic role uses only
// "synthetic-" accounts, every other role only the others.
bool own_kind_of_account(const Principal& who, std::string_view account) {
  return is_synthetic_account(account) == (who.role == Role::kSynthetic);
}

// Why a customer may not use an account id of the other kind (synthetic or
// not): it says nothing about any account, only about the id.
Error wrong_kind_of_account(const Principal& who) {
  return who.role == Role::kSynthetic
             ? Error{ErrorCode::kForbidden, "the synthetic role may only use \"synthetic-\" accounts"}
             : Error{ErrorCode::kValidationFailed, "account: ids starting \"synthetic-\" are reserved for synthetic checks"};
}

// An id for an account the caller left the book to name: random, so it
// tells nothing about how many accounts there are.
std::string book_named_account(const Principal& who) {
  return std::string(who.role == Role::kSynthetic ? kSyntheticAccountPrefix : "acct-") + random_token().substr(0, 24);
}

const Error kUnknownAccount{ErrorCode::kAccountNotFound, "unknown account"};
const Error kUnknownBet{ErrorCode::kBetNotFound, "unknown bet"};

// After an operator's control: the market as operators see it.
std::string market_body(Engine& e, uint64_t id) {
  return market_json(e.state(), *e.state().book.market(id), e.clock().now(), Audience::kOperator);
}

const Error kQueueDelayed{ErrorCode::kOverloaded,
                          "the engine queue's delay has stayed over its target; retry shortly"};

}  // namespace

void Api::Impl::add_book_routes() {
  routes.add({"GET", "/v1/events", Access::kAnyToken, [this](Call& c) {
                read(c.x, [who = audience(c.who)](Engine& e) {
                  return Reply{200, events_json(e.state(), e.clock().now(), who)};
                });
              }});

  routes.add({"POST", "/v1/events/{id}/state", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kNotFound, "unknown event", id)) return;
                auto st = parse_event_state_body(c.req.body);
                if (!st.ok()) return send_error(c.x, st.error());
                EventState s = st.value();
                operate(
                    c.x, [id, s, actor = c.actor](MarketDesk& m) { return m.set_event_state(id, s, actor); },
                    [id](Engine& e) {
                      return fmt::format(R"({{"event_id":{},"state":"{}"}})", id,
                                         event_state_name(e.state().book.event(id)->state));
                    });
              }});

  routes.add({"GET", "/v1/markets/{id}", Access::kAnyToken, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kMarketNotFound, "unknown market", id)) return;
                read(c.x, [id, who = audience(c.who)](Engine& e) {
                  const Market* m = e.state().book.market(id);
                  if (!m) return Reply{404, error_body(Error{ErrorCode::kMarketNotFound, "unknown market"})};
                  return Reply{200, market_json(e.state(), *m, e.clock().now(), who)};
                });
              }});

  routes.add({"POST", "/v1/markets/{id}/status", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kMarketNotFound, "unknown market", id)) return;
                auto b = parse_status_body(c.req.body);
                if (!b.ok()) return send_error(c.x, b.error());
                StatusBody s = b.value();
                operate(
                    c.x,
                    [id, s, actor = c.actor](MarketDesk& m) {
                      return m.set_market_status(id, s.status, s.reason, actor);
                    },
                    [id](Engine& e) { return market_body(e, id); },
                    fmt::format("market {} {} ({})", id, market_status_name(s.status), c.actor));
              }});

  routes.add({"POST", "/v1/markets/{id}/stake-cap", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kMarketNotFound, "unknown market", id)) return;
                auto cap = parse_integer_field(c.req.body, "cap");
                if (!cap.ok()) return send_error(c.x, cap.error());
                int64_t v = cap.value();
                operate(
                    c.x, [id, v, actor = c.actor](MarketDesk& m) { return m.set_stake_cap(id, v, actor); },
                    [id](Engine& e) { return market_body(e, id); },
                    fmt::format("market {} stake cap {} ({})", id, v, c.actor));
              }});

  routes.add({"PUT", "/v1/selections/{id}/price", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kSelectionNotFound, "unknown selection", id)) return;
                auto odds = parse_odds_body(c.req.body);
                if (!odds.ok()) return send_error(c.x, odds.error());
                Odds o = odds.value();
                operate(
                    c.x,
                    [id, o, actor = c.actor](MarketDesk& m) {
                      Result<bool> r = m.apply_price(id, o, to_ms(m.engine().clock().now()));
                      // Prices are not audited; an operator setting one is.
                      if (r.ok()) m.record_action("price_set", fmt::format("selection:{}", id), actor, "odds " + o.str());
                      return r;
                    },
                    [id](Engine& e) { return market_body(e, e.state().book.selection(id)->market_id); });
              }});

  routes.add({"POST", "/v1/bets", Access::kCustomer, [this](Call& c) {
                if (c.who.role == Role::kSynthetic) {
                  c.x->span.attr(attr::kSynthetic, "true");  // kept by the sampler, out of the bet_errors SLI
                } else {
                  c.x->bets_total = &bets_total;
                  c.x->bets_5xx = &bets_5xx;
                }
                // Admission (issue 18, item 2): while the queue's delay has
                // stayed over its target, refuse before any parsing.
                if (!d.bets.admitting()) return send_error(c.x, kQueueDelayed);
                auto deadline = request_deadline_ns(c.req, d.engine.config().admission, c.x->span.start_ns);
                if (!deadline.ok()) return send_error(c.x, deadline.error());
                std::string key;
                if (!idempotency_key(c.req, c.x, c.who, key)) return;
                auto body = parse_bet_body(c.req.body);
                if (!body.ok()) return send_error(c.x, body.error());
                if (!own_kind_of_account(c.who, body->account)) return send_error(c.x, kUnknownAccount);
                PlaceBet r;
                r.idem_key = std::move(key);
                r.scope = account_scope(c.who);
                r.fingerprint = fingerprint(c.req);
                r.user_mask = d.pseudonymizer.mask(body->account);
                r.account = std::move(body->account);
                r.selection_id = body->selection_id;
                r.stake = body->stake;
                r.currency = body->currency;
                r.odds = body->odds;
                r.policy = body->policy;
                c.x->span.attr(attr::kUser, r.user_mask);
                c.x->span.attr(attr::kSelection, static_cast<int64_t>(r.selection_id));
                r.gateway = c.x->span.context();
                r.gateway_start_ns = c.x->span.start_ns;
                r.deadline_ns = deadline.value();
                r.done = answer(c.x);
                if (!d.bets.submit(std::move(r))) send_error(c.x, kOverloaded);
              }});

  routes.add({"GET", "/v1/bets/{id}", Access::kAnyToken, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kBetNotFound, "unknown bet", id)) return;
                read(c.x, [id, scope = account_scope(c.who)](Engine& e) {
                  auto& s = e.state();
                  const Bet* b = s.bets.find(id);
                  if (!b || !s.owners.in_scope(scope, s.ledger, b->account)) return Reply{404, error_body(kUnknownBet)};
                  return Reply{200, bet_json(s, *b)};
                });
              }});

  routes.add({"POST", "/v1/accounts", Access::kCustomer, [this](Call& c) {
                auto body = parse_open_account_body(c.req.body);
                if (!body.ok()) return send_error(c.x, body.error());
                std::string account = body.value() ? *body.value() : book_named_account(c.who);
                if (!own_kind_of_account(c.who, account)) return send_error(c.x, wrong_kind_of_account(c.who));
                c.x->span.attr(attr::kUser, d.pseudonymizer.mask(account));
                OpenAccount o;
                o.account = std::move(account);
                o.channel = c.who.channel_name();
                o.actor = c.actor;
                Engine* e = &d.engine;
                o.done = [x = c.x, e, a = o.account](const Result<bool>& r) {
                  if (!r.ok()) return send_error(x, r.error());
                  const BookState& s = e->state();
                  send(x, r.value() ? 201 : 200, account_json(s, static_cast<uint32_t>(s.ledger.find(a))));
                };
                if (!d.wallet.submit(std::move(o))) send_error(c.x, kOverloaded);
              }});

  routes.add({"GET", "/v1/accounts/{id}", Access::kAnyToken, [this](Call& c) {
                std::string_view account = c.params[0];
                if (!valid_account_id(account)) return send_error(c.x, kUnknownAccount);
                read(c.x, [a = std::string(account), scope = account_scope(c.who)](Engine& e) {
                  const BookState& s = e.state();
                  const int64_t i = s.owners.find(scope, s.ledger, a);
                  if (i < 0) return Reply{404, error_body(kUnknownAccount)};
                  return Reply{200, account_json(s, static_cast<uint32_t>(i))};
                });
              }});

  for (TransferReason reason : {TransferReason::kDeposit, TransferReason::kWithdrawal}) {
    const char* pattern = reason == TransferReason::kDeposit ? "/v1/accounts/{id}/deposits"
                                                              : "/v1/accounts/{id}/withdrawals";
    routes.add({"POST", pattern, Access::kCustomer, [this, reason](Call& c) {
                  std::string_view account = c.params[0];
                  if (!valid_account_id(account))
                    return send_error(c.x, Error{ErrorCode::kValidationFailed, "account: must match [A-Za-z0-9_.-]{1,64}"});
                  std::string key;
                  if (!idempotency_key(c.req, c.x, c.who, key)) return;
                  auto body = parse_money_body(c.req.body);
                  if (!body.ok()) return send_error(c.x, body.error());
                  if (!own_kind_of_account(c.who, account)) return send_error(c.x, wrong_kind_of_account(c.who));
                  if (c.who.role != Role::kSynthetic) {
                    // A customer's money moves only through a PSP route
                    // (payment/payment_desk.h); a synthetic check's is the
                    // house's own (house/synthetic) and never leaves the book.
                    RequestPayment p;
                    p.idem_key = std::move(key);
                    p.fingerprint = fingerprint(c.req);
                    p.account = std::string(account);
                    p.scope = account_scope(c.who);
                    p.user_mask = d.pseudonymizer.mask(account);
                    p.amount = body->amount;
                    p.currency = body->currency;
                    p.kind = reason;
                    c.x->span.attr(attr::kUser, p.user_mask);
                    p.gateway = c.x->span.context();
                    p.done = answer(c.x);
                    // Without routes the desk still answers a repeat of a
                    // key it holds, then refuses PAYMENT_ROUTE_UNAVAILABLE.
                    if (!d.payments)
                      return send_error(c.x, Error{ErrorCode::kPaymentRouteUnavailable,
                                                   "the book has no payment route (payments.routes in the config)"});
                    if (!d.payments->submit(std::move(p))) send_error(c.x, kOverloaded);
                    return;
                  }
                  MoveMoney r;
                  r.idem_key = std::move(key);
                  r.fingerprint = fingerprint(c.req);
                  r.account = std::string(account);
                  r.scope = account_scope(c.who);
                  r.user_mask = d.pseudonymizer.mask(account);
                  r.amount = body->amount;
                  r.currency = body->currency;
                  r.reason = reason;
                  c.x->span.attr(attr::kUser, r.user_mask);
                  r.gateway = c.x->span.context();
                  r.done = answer(c.x);
                  if (!d.wallet.submit(std::move(r))) send_error(c.x, kOverloaded);
                }});
  }

  routes.add({"POST", "/v1/clock/advance", Access::kOperator, [this](Call& c) {
                if (!d.sim_clock)
                  return send_error(c.x, Error{ErrorCode::kValidationFailed, "the book runs on the real clock"});
                auto ms = parse_integer_field(c.req.body, "ms");
                if (!ms.ok()) return send_error(c.x, ms.error());
                if (ms.value() > 86400000)
                  return send_error(c.x, Error{ErrorCode::kValidationFailed, "ms: at most 86400000"});
                read(c.x, [adv = ms.value(), sim = d.sim_clock](Engine& e) {
                  e.advance(*sim, e.clock().now() + std::chrono::milliseconds(adv));
                  return Reply{200, fmt::format(R"({{"now_ms":{}}})", to_ms(e.clock().now()))};
                });
              }});
}

}  // namespace inplay
