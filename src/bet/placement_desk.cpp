#include "bet/placement_desk.h"

#include <optional>

#include <fmt/format.h>

#include "bet/inplay_delay.h"
#include "telemetry/attributes.h"
#include "telemetry/sampler.h"
#include "telemetry/switch.h"
#include "wallet/answer_once.h"

namespace inplay {

namespace {
// risk, risk.recheck, inplay_delay, wallet, journal.
constexpr size_t kMaxBetSpans = 5;
}  // namespace

PlacementDesk::PlacementDesk(Engine& engine, MarketDesk& markets, WalletDesk& wallet, Tracer& tracer)
    : engine_(engine),
      wallet_(wallet),
      tracer_(tracer),
      cfg_(engine.config()),
      metrics_(engine.metrics()),
      gate_(engine.config().admission.queue_delay_target.count(), engine.config().admission.queue_delay_interval.count()) {
  markets.add_price_listener([this](uint64_t market_id) { release_price_waiters(market_id); });
  if (cfg_.admission.queue_delay_target.count() > 0)
    gate_timer_ = engine_.every(cfg_.admission.queue_delay_interval, [this] {
      gate_.tick(to_ns(engine_.clock().now()));
      if constexpr (kTelemetry) metrics_.admission_dropping->set(gate_.dropping() ? 1 : 0);
    });
  engine_.add_housekeeping([this](int64_t) { metrics_.pending_bets->set(static_cast<int64_t>(pending_.size())); });
}

PlacementDesk::~PlacementDesk() = default;

bool PlacementDesk::submit(PlaceBet&& cmd) {
  std::shared_ptr<AnswerOnce> once = AnswerOnce::wrap(cmd.done);
  auto c = std::make_shared<PlaceBet>(std::move(cmd));
  return engine_.submit([this, c] { on_taken(*c); },
                        [this, key = c->idem_key, once](const std::exception& e) {
                          wallet_.refuse_failed(key, e, [once](const Outcome& o) { once->answer(o); });
                        });
}

bool PlacementDesk::admitting() {
  if (!gate_.dropping()) return true;
  if constexpr (kTelemetry) {
    metrics_.shed->inc();
    metrics_.refused_queue_delay->inc();
  }
  return false;
}

void PlacementDesk::refuse_late(OutcomeFn& done) {
  if constexpr (kTelemetry) {
    metrics_.shed->inc();
    metrics_.refused_deadline->inc();
  }
  // Nothing was looked up or kept: answered at once, the key untouched.
  OutcomeFn answer = std::move(done);
  answer(Outcome{Error{ErrorCode::kDeadlineExceeded,
                       "the request's deadline passed before the book could take it; nothing changed, retry shortly"}});
}

void PlacementDesk::on_taken(PlaceBet& cmd) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const int64_t now = to_ns(engine_.clock().now());
  if (cmd.gateway_start_ns > 0) {
    const bool was = gate_.dropping();
    gate_.observe(now - cmd.gateway_start_ns, now);
    if (kTelemetry && was != gate_.dropping()) metrics_.admission_dropping->set(gate_.dropping() ? 1 : 0);
  }
  if (cmd.deadline_ns > 0 && now > cmd.deadline_ns) return refuse_late(cmd.done);
  on_arrival(cmd);
}

void PlacementDesk::place(PlaceBet&& cmd) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  on_arrival(cmd);
}

Result<Odds> PlacementDesk::evaluate(const PendingBet& p) {
  BookState& s = engine_.state();
  BetIntent intent{p.account, p.cmd.selection_id, p.cmd.stake, p.cmd.odds, p.cmd.policy};
  auto r = check_bet(s.book, s.exposure, cfg_.limits, intent, engine_.clock().now());
  if (!r.ok()) return r;
  if (!wallet_.can_reserve(p.account, p.cmd.stake))
    return Error{ErrorCode::kInsufficientFunds, "balance is below the stake"};
  return r;
}

void PlacementDesk::on_arrival(PlaceBet& cmd) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!wallet_.admit(cmd.idem_key, cmd.fingerprint, cmd.done)) return;
  BookState& s = engine_.state();
  const int64_t now = to_ns(engine_.clock().now());
  if (!cmd.gateway.valid()) cmd.gateway = TraceContext{tracer_.new_trace_id(), {}, 1};

  auto p = std::make_unique<PendingBet>();
  p->cmd = std::move(cmd);
  p->arrival_ns = now;
  const Selection* sel = s.book.selection(p->cmd.selection_id);
  const int64_t acct = s.owners.find(p->cmd.scope, s.ledger, p->cmd.account);
  // The bet's spans are started in place in its reused span buffer: no
  // allocation, no regrowth, no moves (kTelemetry: compiled out otherwise).
  if constexpr (kTelemetry) {
    p->spans = tracer_.span_buffer(kMaxBetSpans);
    Span& risk = tracer_.start_in(p->spans, "risk", p->cmd.gateway, now);
    risk.attr(attr::kUser, p->cmd.user_mask);
    risk.attr(attr::kSelection, static_cast<int64_t>(p->cmd.selection_id));
  }

  Result<Odds> first = Error{ErrorCode::kInternal, ""};
  if (!sel) {
    first = Error{ErrorCode::kSelectionNotFound, "unknown selection"};
  } else if (acct < 0) {
    first = Error{ErrorCode::kAccountNotFound, "unknown account"};
  } else if (!(p->cmd.currency == cfg_.currency)) {
    first = Error{ErrorCode::kCurrencyMismatch, fmt::format("the book is in {}", cfg_.currency.code())};
  } else {
    p->account = static_cast<uint32_t>(acct);
    p->market_id = sel->market_id;
    const Market* market = s.book.market(sel->market_id);
    p->event_id = market->event_id;
    if constexpr (kTelemetry) {
      Span& risk = p->spans.back();
      risk.attr(attr::kMarketId, static_cast<int64_t>(p->market_id));
      risk.attr(attr::kEventId, static_cast<int64_t>(p->event_id));
      if (market_tagger_) market_tagger_(p->market_id, risk);
    }
    for (auto& fn : offer_observers_) fn(p->market_id, p->event_id);
    if (!intake_.admit(p->market_id, market->intake_per_second, now)) {
      // Shed load on one market (BET-5): answered at once, not journaled,
      // so the same Idempotency-Key may retry.
      wallet_.abandon(p->cmd.idem_key,
                      Error{ErrorCode::kMarketBusy, "the market's intake limit is reached; retry shortly"},
                      std::move(p->cmd.done));
      return;
    }
    if (!book_intake_.admit(p->cmd.stake, s.book_intake_per_second, now)) {
      // Shed load for the whole book, lowest-value bets first (BET-5):
      // 503 OVERLOADED with Retry-After, not journaled.
      wallet_.abandon(p->cmd.idem_key,
                      Error{ErrorCode::kOverloaded, "the book's intake limit is reached; retry shortly"},
                      std::move(p->cmd.done));
      return;
    }
    if (risk_turn_ && (risk_busy_ || !risk_queue_.empty() || risk_turn_->cost_ns(now) > 0)) {
      risk_queue_.push_back(park(std::move(p)).id);
      serve_next_risk();
      return;
    }
    first = evaluate(*p);
  }
  after_risk(std::move(p), std::move(first));
}

PlacementDesk::PendingBet& PlacementDesk::park(std::unique_ptr<PendingBet> p) {
  p->id = next_pending_++;
  return *pending_.emplace(p->id, std::move(p)).first->second;
}

void PlacementDesk::wait_until(PendingBet& p, int64_t at_ns, Step next) {
  // The timer is the bet's: it dies with the bet, so it never fires for a
  // bet that is gone. Replacing it cancels the previous wait.
  p.timer = engine_.create_timer([this, bet = &p, next] {
    try {
      (this->*next)(*bet);
    } catch (const std::exception& e) {
      refuse_failed(*bet, e);
    }
  });
  p.timer->enable_at(from_ns(at_ns));
}

void PlacementDesk::serve_next_risk() {
  while (!risk_busy_ && !risk_queue_.empty()) {
    auto it = pending_.find(risk_queue_.front());
    if (it == pending_.end()) {  // gone (refused meanwhile)
      risk_queue_.pop_front();
      continue;
    }
    PendingBet& bet = *it->second;
    const int64_t now = to_ns(engine_.clock().now());
    const int64_t cost = risk_turn_->cost_ns(now);
    if (cost <= 0 || (bet.cmd.deadline_ns > 0 && now > bet.cmd.deadline_ns)) {
      // A free engine decides at once; a bet already too late is refused
      // as it is taken, using no engine time.
      risk_queue_.pop_front();
      on_risk_turn(bet);
      continue;
    }
    risk_busy_ = true;
    if (!risk_timer_) risk_timer_ = engine_.create_timer([this] { end_risk_turn(); });
    risk_timer_->enable_at(from_ns(now + cost));
  }
}

void PlacementDesk::end_risk_turn() {
  risk_busy_ = false;
  if (!risk_queue_.empty()) {
    const uint64_t id = risk_queue_.front();
    risk_queue_.pop_front();
    if (auto it = pending_.find(id); it != pending_.end()) on_risk_turn(*it->second);
  }
  serve_next_risk();
}

void PlacementDesk::on_risk_turn(PendingBet& bet) {
  auto it = pending_.find(bet.id);
  std::unique_ptr<PendingBet> p = std::move(it->second);
  pending_.erase(it);
  p->id = 0;
  if (p->cmd.deadline_ns > 0 && to_ns(engine_.clock().now()) > p->cmd.deadline_ns) {
    // Its turn came too late (a busy engine, simulated): nothing was kept.
    if constexpr (kTelemetry) {
      metrics_.shed->inc();
      metrics_.refused_deadline->inc();
    }
    wallet_.abandon(p->cmd.idem_key,
                    Error{ErrorCode::kDeadlineExceeded,
                          "the request's deadline passed before the book could take it; nothing changed, retry shortly"},
                    std::move(p->cmd.done));
    return;
  }
  std::optional<Result<Odds>> first;
  try {
    first.emplace(evaluate(*p));
  } catch (const std::exception& e) {
    refuse_failed(*p, e);  // p is no longer parked: it dies here
    return;
  }
  after_risk(std::move(p), std::move(*first));
}

void PlacementDesk::after_risk(std::unique_ptr<PendingBet> p, Result<Odds> first) {
  const int64_t now = to_ns(engine_.clock().now());
  if constexpr (kTelemetry) {
    Span& risk = p->spans.back();
    risk.end_ns = now;
    risk.error = !first.ok();
    if (!first.ok()) risk.attr(attr::kRejectCode, error_code_name(first.error().code));
  }
  if (first.ok()) p->delay_ns = inplay_delay_ns(cfg_, engine_.state().book, p->market_id);
  if (!first.ok() || p->delay_ns == 0) {
    finish(*p, std::move(first));
    return;
  }
  PendingBet& bet = park(std::move(p));
  if constexpr (kTelemetry) metrics_.pending_bets->set(static_cast<int64_t>(pending_.size()));
  wait_until(bet, now + bet.delay_ns, &PlacementDesk::on_delay_elapsed);
}

void PlacementDesk::on_delay_elapsed(PendingBet& p) {
  const Market* m = engine_.state().book.market(p.market_id);
  if (cfg_.price_confirm_timeout.count() > 0 && m->status == MarketStatus::kOpen &&
      m->last_update_ns <= p.arrival_ns) {
    // RISK-2: wait, bounded, for a price newer than the bet's arrival.
    price_waiters_[p.market_id].push_back(p.id);
    wait_until(p, to_ns(engine_.clock().now()) + cfg_.price_confirm_timeout.count(),
               &PlacementDesk::on_confirm_timeout);
    return;
  }
  decide(p);
}

void PlacementDesk::release_price_waiters(uint64_t market_id) {
  auto it = price_waiters_.find(market_id);
  if (it == price_waiters_.end()) return;
  std::vector<uint64_t> ids = std::move(it->second);
  price_waiters_.erase(it);
  for (uint64_t id : ids) {
    auto p = pending_.find(id);  // a waiter that timed out meanwhile is gone
    if (p == pending_.end()) continue;
    try {
      decide(*p->second);
    } catch (const std::exception& e) {
      refuse_failed(*p->second, e);
    }
  }
}

void PlacementDesk::on_confirm_timeout(PendingBet& p) {
  finish(p, Error{ErrorCode::kPriceStale, "no price confirmation within the confirmation timeout"});
}

void PlacementDesk::decide(PendingBet& p) {
  const int64_t now = to_ns(engine_.clock().now());
  if constexpr (kTelemetry) tracer_.start_in(p.spans, "risk.recheck", p.cmd.gateway, now);
  Result<Odds> r = evaluate(p);
  if constexpr (kTelemetry) {
    Span& recheck = p.spans.back();
    recheck.end_ns = to_ns(engine_.clock().now());
    recheck.error = !r.ok();
    if (!r.ok()) recheck.attr(attr::kRejectCode, error_code_name(r.error().code));
  }
  finish(p, std::move(r));
}

// The decision's observers, the in-play delay span and the accept-latency
// histograms (BET-3).
void PlacementDesk::observe(PendingBet& p, const Result<Odds>& decision, int64_t now) {
  const bool synthetic = engine_.state().ledger.account(p.account).synthetic;
  if (!decision_observers_.empty()) {
    int64_t sli_latency = std::max<int64_t>(0, now - p.cmd.gateway_start_ns - p.delay_ns);
    BetDecision d{p.market_id, p.event_id, sli_latency, p.cmd.stake, decision.ok(),
                  decision.ok() ? ErrorCode::kInternal : decision.error().code, synthetic, now};
    for (auto& fn : decision_observers_) fn(d);
  }
  if (kTelemetry && p.delay_ns > 0) {
    Span& d = tracer_.start_in(p.spans, "inplay_delay", p.cmd.gateway, p.arrival_ns);
    d.end_ns = now;
    d.attr(attr::kMarketId, static_cast<int64_t>(p.market_id));
    metrics_.inplay_delay->observe(now - p.arrival_ns);
  }
  if (kTelemetry && synthetic) {
    // Synthetic checks keep their own histogram, out of the business one.
    metrics_.synthetic_accept_latency->observe(std::max<int64_t>(0, now - p.cmd.gateway_start_ns - p.delay_ns),
                                               p.cmd.gateway.trace_id, now);
  } else if constexpr (kTelemetry) {
    // BET-3: gateway start to final decision, less the deliberate delay.
    int64_t latency = std::max<int64_t>(0, now - p.cmd.gateway_start_ns - p.delay_ns);
    // The exemplar links a bucket to a trace, so it is offered only for a trace
    // the sampler will keep (it may keep one for that reason alone).
    // A bet without a gateway span (the simulated bettors place theirs on the
    // engine thread) has no trace to link: no exemplar.
    TraceSampler* sampler = tracer_.sampler();
    if (!p.cmd.gateway.valid())
      metrics_.accept_latency->observe(latency);
    else if (!sampler ||
             sampler->claim_exemplar(p.cmd.gateway, !decision.ok(), *metrics_.accept_latency, latency, now))
      metrics_.accept_latency->observe(latency, p.cmd.gateway.trace_id, now);
    else
      metrics_.accept_latency->observe(latency);
  }
}

void PlacementDesk::finish(PendingBet& p, Result<Odds> decision) {
  BookState& s = engine_.state();
  const int64_t now = to_ns(engine_.clock().now());
  observe(p, decision, now);

  BookEvent event;
  Outcome outcome;
  IdemTag idem{p.cmd.idem_key, p.cmd.fingerprint};
  uint64_t bet_id = 0;
  if (decision.ok()) {
    bet_id = s.next_bet_id;
    event = BetAccepted{bet_id, p.cmd.account, p.cmd.selection_id, p.cmd.stake, decision.value().scaled,
                        p.cmd.odds.scaled, static_cast<uint8_t>(p.cmd.policy), p.cmd.gateway_start_ns,
                        now, p.cmd.gateway.trace_id, std::move(idem)};
    outcome = BetPlaced{bet_id};
    if constexpr (kTelemetry) metrics_.accepted->inc();
  } else {
    event = Rejected{static_cast<uint16_t>(decision.error().code), decision.error().message, now, std::move(idem)};
    outcome = decision.error();
    if constexpr (kTelemetry) metrics_.rejected(decision.error().code).inc();
  }

  if (kTelemetry && bet_id) {
    // The stake reserve is applied with the event below; its span brackets it.
    Span& wallet = tracer_.start_in(p.spans, "wallet", p.cmd.gateway, now);
    wallet.attr(attr::kBetId, static_cast<int64_t>(bet_id));
    wallet.attr(attr::kUser, p.cmd.user_mask);
  }
  if constexpr (kTelemetry) {
    // The journal span is the bet's last: it ends when the decision is durable.
    Span& journal = tracer_.start_in(p.spans, "journal", p.cmd.gateway, to_ns(engine_.clock().now()));
    if (bet_id) {
      journal.attr(attr::kBetId, static_cast<int64_t>(bet_id));
      p.spans[p.spans.size() - 2].end_ns = journal.start_ns;  // the wallet span
    }
  }
  // The decision is committed before its answer is set up, so that a commit
  // the book state refuses (it changes nothing when it throws) leaves the
  // command whole to be refused.
  engine_.commit(std::move(event));
  std::vector<OutcomeFn> waiters = wallet_.take_waiters(p.cmd.idem_key);
  Tracer* tracer = &tracer_;
  Clock* clock = &engine_.clock();
  engine_.after_durable([client = std::move(p.cmd.done), waiters = std::move(waiters), outcome = std::move(outcome),
                         spans = std::move(p.spans), tracer, clock]() mutable {
    if constexpr (kTelemetry) {
      spans.back().end_ns = to_ns(clock->now());
      tracer->record_all(std::move(spans));  // a hand-off: the store work is not done here
    }
    for (auto& w : waiters) w(outcome);
    client(outcome);
  });
  if constexpr (kTelemetry) metrics_.open_bets->set(s.open_bets);
  if (p.id) {
    pending_.erase(p.id);  // p is dead after this line
    if constexpr (kTelemetry) metrics_.pending_bets->set(static_cast<int64_t>(pending_.size()));
  }
}

void PlacementDesk::refuse_failed(PendingBet& p, const std::exception& e) {
  engine_.failed("bet", e);
  wallet_.refuse_failed(p.cmd.idem_key, e, std::move(p.cmd.done));
  if (p.id) pending_.erase(p.id);  // p is dead after this line
}

}  // namespace inplay
