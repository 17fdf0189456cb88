// The bet path inside the engine: idempotency, risk, the in-play delay as a
// timer, the price confirmation wait (RISK-2), the decision as a journaled
// event, and the reply once it is durable.
#include <fmt/format.h>

#include "bet/bet.h"
#include "engine/engine.h"
#include "telemetry/attributes.h"
#include "telemetry/sampler.h"
#include "telemetry/switch.h"

namespace inplay {

// risk, risk.recheck, inplay_delay, wallet, journal.
constexpr size_t kMaxBetSpans = 5;

static Reply error_reply(const Error& e) { return Reply{error_http_status(e.code), error_body(e)}; }

bool Engine::idempotent_repeat(const std::string& key, const Fingerprint& fp, ReplyFn& reply) {
  const IdempotencyStore::Entry* e = nullptr;
  switch (state_.idempotency.begin(key, fp, to_ns(clock_.now()), &e)) {
    case IdempotencyStore::Lookup::kNew: return false;
    case IdempotencyStore::Lookup::kMismatch:
      if constexpr (kTelemetry) metrics_.rejected(ErrorCode::kIdempotencyKeyReused).inc();
      reply_in_order(std::move(reply),
                     error_reply(Error{ErrorCode::kIdempotencyKeyReused,
                                       "Idempotency-Key was used with a different request"}));
      return true;
    case IdempotencyStore::Lookup::kDone:
      if constexpr (kTelemetry) metrics_.idem_stored->inc();
      if (e->bet_id) {
        const Bet& b = state_.bets.at(e->bet_id);
        std::string ccy = cfg_.currency.code();
        reply_in_order(std::move(reply),
                       Reply{e->response.status,
                             bet_json(BetView{b, state_.ledger.account(b.account).id, ccy})});
      } else {
        reply_in_order(std::move(reply), Reply{e->response.status, e->response.body});
      }
      return true;
    case IdempotencyStore::Lookup::kPending:
      if constexpr (kTelemetry) metrics_.idem_joined->inc();
      idem_waiters_[key].push_back(std::move(reply));
      return true;
  }
  return false;
}

void Engine::finish_waiters(const std::string& key, const Reply&, std::vector<ReplyFn>& out) {
  auto it = idem_waiters_.find(key);
  if (it == idem_waiters_.end()) return;
  out = std::move(it->second);
  idem_waiters_.erase(it);
}

Result<Odds> Engine::evaluate(const PendingBet& p) {
  BetIntent intent{p.account, p.req.selection_id, p.req.stake, p.req.odds, p.req.policy};
  auto r = check_bet(state_.book, state_.exposure, cfg_.limits, intent, clock_.now());
  if (!r.ok()) return r;
  if (state_.ledger.account(p.account).balance < p.req.stake)
    return Error{ErrorCode::kInsufficientFunds, "balance is below the stake"};
  return r;
}

void Engine::on_place_bet(PlaceBetRequest& r, int64_t) {
  if (idempotent_repeat(r.idem_key, r.fingerprint, r.reply)) return;
  int64_t now = to_ns(clock_.now());
  if (!r.gateway.valid()) r.gateway = TraceContext{tracer_.new_trace_id(), {}, 1};

  auto p = std::make_unique<PendingBet>();
  p->req = std::move(r);
  p->arrival_ns = now;
  const Selection* sel = state_.book.selection(p->req.selection_id);
  int64_t acct = state_.ledger.find(p->req.account);
  // The bet's spans are started in place in its reused span buffer: no
  // allocation, no regrowth, no moves (kTelemetry: compiled out otherwise).
  if constexpr (kTelemetry) {
    p->spans = tracer_.span_buffer(kMaxBetSpans);
    Span& risk = tracer_.start_in(p->spans, "risk", p->req.gateway, now);
    risk.attr(attr::kUser, p->req.user_mask);
    risk.attr(attr::kSelection, static_cast<int64_t>(p->req.selection_id));
  }

  Result<Odds> first = Error{ErrorCode::kInternal, ""};
  if (!sel) {
    first = Error{ErrorCode::kSelectionNotFound, "unknown selection"};
  } else if (acct < 0 || state_.ledger.account(acct).kind != AccountKind::kUserCash) {
    first = Error{ErrorCode::kAccountNotFound, "unknown account"};
  } else if (!(p->req.currency == cfg_.currency)) {
    first = Error{ErrorCode::kCurrencyMismatch, fmt::format("the book is in {}", cfg_.currency.code())};
  } else {
    p->account = static_cast<uint32_t>(acct);
    p->market_id = sel->market_id;
    p->event_id = state_.book.market(sel->market_id)->event_id;
    if constexpr (kTelemetry) {
      Span& risk = p->spans.back();
      risk.attr(attr::kMarketId, static_cast<int64_t>(p->market_id));
      risk.attr(attr::kEventId, static_cast<int64_t>(p->event_id));
      if (market_tagger_) market_tagger_(p->market_id, risk);
    }
    for (auto& fn : offer_observers_) fn(p->market_id, p->event_id);
    if (!admit_to_market(p->market_id, now)) {
      // Shed load on one market (BET-5): answered at once, not journaled,
      // so the same Idempotency-Key may retry.
      Reply busy = error_reply(Error{ErrorCode::kMarketBusy, "the market's intake limit is reached; retry shortly"});
      state_.idempotency.abandon(p->req.idem_key);
      std::vector<ReplyFn> waiters;
      finish_waiters(p->req.idem_key, busy, waiters);
      for (auto& w : waiters) reply_in_order(std::move(w), busy);
      reply_in_order(std::move(p->req.reply), std::move(busy));
      return;
    }
    if (cfg_.sim_bet_cost.count() > 0) return queue_for_sim_engine(std::move(p), now);
    first = evaluate(*p);
  }
  after_risk(std::move(p), std::move(first));
}

void Engine::queue_for_sim_engine(std::unique_ptr<PendingBet> p, int64_t now) {
  const int64_t start = std::max(now, sim_busy_until_ns_);
  sim_busy_until_ns_ = start + cfg_.sim_bet_cost.count();
  uint64_t id = next_pending_++;
  p->id = id;
  pending_.emplace(id, std::move(p));
  at(from_ns(sim_busy_until_ns_), [this, id] { on_sim_served(id); });
}

void Engine::on_sim_served(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  std::unique_ptr<PendingBet> p = std::move(it->second);
  pending_.erase(it);
  Result<Odds> first = evaluate(*p);
  after_risk(std::move(p), std::move(first));
}

void Engine::after_risk(std::unique_ptr<PendingBet> p, Result<Odds> first) {
  const int64_t now = to_ns(clock_.now());
  if constexpr (kTelemetry) {
    Span& risk = p->spans.back();
    risk.end_ns = to_ns(clock_.now());
    risk.error = !first.ok();
    if (!first.ok()) risk.attr(attr::kRejectCode, error_code_name(first.error().code));
  }

  if (first.ok()) {
    const Event* ev = state_.book.event(p->event_id);
    if (ev->state == EventState::kInPlay) {
      auto d = cfg_.inplay_delay.find(ev->sport);
      if (d != cfg_.inplay_delay.end() && d->second.count() > 0) p->delay_ns = d->second.count();
      // A playbook or operator may lengthen it on a market (INC-2, BEY-5).
      p->delay_ns += state_.book.market(p->market_id)->extra_delay_ms * 1'000'000;
    }
  }
  if (!first.ok() || p->delay_ns == 0) {
    finish_bet(*p, std::move(first));
    return;
  }
  uint64_t id = next_pending_++;
  p->id = id;
  pending_.emplace(id, std::move(p));
  if constexpr (kTelemetry) metrics_.pending_bets->set(static_cast<int64_t>(pending_.size()));
  at(from_ns(now + pending_[id]->delay_ns), [this, id] { on_delay_elapsed(id); });
}

void Engine::on_delay_elapsed(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  PendingBet& p = *it->second;
  const Market* m = state_.book.market(p.market_id);
  if (cfg_.price_confirm_timeout.count() > 0 && m->status == MarketStatus::kOpen &&
      m->last_update_ns <= p.arrival_ns) {
    // RISK-2: wait, bounded, for a price newer than the bet's arrival.
    p.awaiting_price = true;
    price_waiters_[p.market_id].push_back(id);
    at(clock_.now() + cfg_.price_confirm_timeout, [this, id] { on_confirm_timeout(id); });
    return;
  }
  decide_bet(id);
}

void Engine::release_price_waiters(uint64_t market_id) {
  auto it = price_waiters_.find(market_id);
  if (it == price_waiters_.end()) return;
  std::vector<uint64_t> ids = std::move(it->second);
  price_waiters_.erase(it);
  for (uint64_t id : ids)
    if (pending_.count(id)) decide_bet(id);
}

void Engine::on_confirm_timeout(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  finish_bet(*it->second,
             Error{ErrorCode::kPriceStale, "no price confirmation within the confirmation timeout"});
}

void Engine::decide_bet(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  PendingBet& p = *it->second;
  int64_t now = to_ns(clock_.now());
  if constexpr (kTelemetry) tracer_.start_in(p.spans, "risk.recheck", p.req.gateway, now);
  Result<Odds> r = evaluate(p);
  if constexpr (kTelemetry) {
    Span& recheck = p.spans.back();
    recheck.end_ns = to_ns(clock_.now());
    recheck.error = !r.ok();
    if (!r.ok()) recheck.attr(attr::kRejectCode, error_code_name(r.error().code));
  }
  finish_bet(p, std::move(r));
}

bool Engine::admit_to_market(uint64_t market_id, int64_t now_ns) {
  const Market* m = state_.book.market(market_id);
  if (!m || m->intake_per_second <= 0) return true;
  auto& [second, count] = intake_[market_id];
  int64_t s = now_ns / 1'000'000'000;
  if (s != second) {
    second = s;
    count = 0;
  }
  if (count >= m->intake_per_second) return false;
  ++count;
  return true;
}

void Engine::observe_decision(const BetDecision& d) {
  for (auto& fn : decision_observers_) fn(d);
}

void Engine::finish_bet(PendingBet& p, Result<Odds> decision) {
  int64_t now = to_ns(clock_.now());
  if (!decision_observers_.empty()) {
    int64_t sli_latency = std::max<int64_t>(0, now - p.req.gateway_start_ns - p.delay_ns);
    observe_decision(BetDecision{p.market_id, p.event_id, sli_latency, p.req.stake, decision.ok(),
                                 decision.ok() ? ErrorCode::kInternal : decision.error().code,
                                 state_.ledger.account(p.account).synthetic, now});
  }
  if (kTelemetry && p.delay_ns > 0) {
    Span& d = tracer_.start_in(p.spans, "inplay_delay", p.req.gateway, p.arrival_ns);
    d.end_ns = now;
    d.attr(attr::kMarketId, static_cast<int64_t>(p.market_id));
    metrics_.inplay_delay->observe(now - p.arrival_ns);
  }
  if (kTelemetry && state_.ledger.account(p.account).synthetic) {
    // Synthetic checks keep their own histogram, out of the business one.
    metrics_.synthetic_accept_latency->observe(std::max<int64_t>(0, now - p.req.gateway_start_ns - p.delay_ns),
                                               p.req.gateway.trace_id, now);
  } else if constexpr (kTelemetry) {
    // BET-3: gateway start to final decision, less the deliberate delay.
    int64_t latency = now - p.req.gateway_start_ns - p.delay_ns;
    if (latency < 0) latency = 0;
    // The exemplar links a bucket to a trace, so it is offered only for a trace
    // the sampler will keep (it may keep one for that reason alone).
    // A bet without a gateway span (the simulated bettors place theirs on the
    // engine thread) has no trace to link: no exemplar.
    TraceSampler* sampler = tracer_.sampler();
    if (!p.req.gateway.valid())
      metrics_.accept_latency->observe(latency);
    else if (!sampler ||
             sampler->claim_exemplar(p.req.gateway, !decision.ok(), *metrics_.accept_latency, latency, now))
      metrics_.accept_latency->observe(latency, p.req.gateway.trace_id, now);
    else
      metrics_.accept_latency->observe(latency);
  }

  Reply reply;
  BookEvent event;
  std::string trace_hex = to_hex(p.req.gateway.trace_id);
  IdemRecord idem{p.req.idem_key, p.req.fingerprint, 0, {}};
  uint64_t bet_id = 0;
  if (decision.ok()) {
    Bet b;
    b.id = bet_id = state_.next_bet_id;
    b.account = p.account;
    b.selection_id = p.req.selection_id;
    b.market_id = p.market_id;
    b.event_id = p.event_id;
    b.stake_minor = p.req.stake;
    b.odds = decision.value();
    b.odds_requested = p.req.odds;
    b.policy = p.req.policy;
    b.placed_ns = p.req.gateway_start_ns;
    b.accepted_ns = now;
    b.trace_id = p.req.gateway.trace_id;
    std::string ccy = cfg_.currency.code();
    reply = Reply{201, bet_json(BetView{b, p.req.account, ccy})};
    idem.status = reply.status;  // the body is rendered from the bet on a repeat
    event = BetAccepted{b.id, p.req.account, b.selection_id, b.stake_minor, b.odds.scaled,
                        b.odds_requested.scaled, static_cast<uint8_t>(b.policy), b.placed_ns,
                        now, trace_hex, std::move(idem)};
    if constexpr (kTelemetry) metrics_.accepted->inc();
  } else {
    reply = error_reply(decision.error());
    idem.status = reply.status;
    idem.body = reply.body;
    event = Rejected{static_cast<uint16_t>(decision.error().code), now, std::move(idem)};
    if constexpr (kTelemetry) metrics_.rejected(decision.error().code).inc();
  }

  if (kTelemetry && bet_id) {
    // The stake reserve is applied with the event below; its span brackets it.
    Span& wallet = tracer_.start_in(p.spans, "wallet", p.req.gateway, now);
    wallet.attr(attr::kBetId, static_cast<int64_t>(bet_id));
    wallet.attr(attr::kUser, p.req.user_mask);
  }
  std::vector<ReplyFn> waiters;
  finish_waiters(p.req.idem_key, reply, waiters);
  if constexpr (kTelemetry) {
    // The journal span is the bet's last: it ends when the decision is durable.
    Span& journal = tracer_.start_in(p.spans, "journal", p.req.gateway, to_ns(clock_.now()));
    if (bet_id) {
      journal.attr(attr::kBetId, static_cast<int64_t>(bet_id));
      p.spans[p.spans.size() - 2].end_ns = journal.start_ns;  // the wallet span
    }
  }
  Tracer* tracer = &tracer_;
  Clock* clock = &clock_;
  commit(std::move(event),
         [client = std::move(p.req.reply), waiters = std::move(waiters), reply,
          spans = std::move(p.spans), tracer, clock]() mutable {
           if constexpr (kTelemetry) {
             spans.back().end_ns = to_ns(clock->now());
             tracer->record_all(std::move(spans));  // a hand-off: the store work is not done here
           }
           for (auto& w : waiters) w(reply);
           client(std::move(reply));
         });
  if constexpr (kTelemetry) metrics_.open_bets->set(static_cast<int64_t>(state_.bets.size()));
  if (p.id) {
    pending_.erase(p.id);  // p is dead after this line
    if constexpr (kTelemetry) metrics_.pending_bets->set(static_cast<int64_t>(pending_.size()));
  }
}

}  // namespace inplay
