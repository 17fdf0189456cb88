#include "cashout/cashout_desk.h"

#include <fmt/format.h>

#include "bet/inplay_delay.h"
#include "telemetry/attributes.h"
#include "telemetry/sampler.h"
#include "telemetry/switch.h"
#include "wallet/answer_once.h"

namespace inplay {

namespace {
// Quote-time and accept-time refusals share one label set: the stable code.
std::string refusal_label(ErrorCode c) { return std::string(error_code_name(c)); }
}  // namespace

CashoutDesk::CashoutDesk(Engine& engine, WalletDesk& wallet, Tracer& tracer, CashoutTerms terms)
    : engine_(engine),
      wallet_(wallet),
      tracer_(tracer),
      terms_(terms),
      // Quote ids go on from the clock at start: a restart never reissues
      // an id a client may still hold.
      offers_(static_cast<uint64_t>(std::max<int64_t>(1, to_ns(engine.clock().now()) / 1000))) {
  MetricsRegistry& m = engine.registry();
  quotes_ = &m.counter("cashout_quotes_total",
                       "Cash-out quotes asked, by result: offered, or the refusal's code (PRICE_STALE, "
                       "CASHOUT_FROZEN, MARKET_SUSPENDED, ...)",
                       {"result"});
  offered_series_ = &quotes_->with({"offered"});
  decisions_ = &m.counter("cashout_decisions_total",
                          "Cash-out accepts decided, by result: accepted, or the refusal's code", {"result"});
  paid_ = &m.counter("cashout_paid_minor_total", "Money paid for cashed-out stakes (minor units)").with({});
  pending_gauge_ = &m.gauge("cashout_pending", "Cash-out accepts waiting out their in-play delay").with({});
  freshness_ = &MetricsRegistry::series(
      m.histogram("cashout_quote_freshness_seconds",
                  "Quote freshness (CO-2): the quote's time less the provider timestamp of the price it used",
                  {}, {50000000, 100000000, 200000000, 300000000, 500000000, 1000000000, 1500000000, 3000000000},
                  Unit::kSeconds),
      {});
  // Dead offers' memory goes back as they expire, even when nobody asks.
  sweep_ = engine_.every(std::chrono::seconds(1), [this] { offers_.expire(to_ns(engine_.clock().now())); });
}

CashoutDesk::~CashoutDesk() = default;

CashoutDesk::Totals CashoutDesk::totals() const {
  return Totals{asked_.load(std::memory_order_relaxed), offered_.load(std::memory_order_relaxed),
                refused_stale_.load(std::memory_order_relaxed), accepted_.load(std::memory_order_relaxed),
                refused_.load(std::memory_order_relaxed)};
}

bool CashoutDesk::submit_quote(QuoteCashout&& cmd) {
  auto c = std::make_shared<QuoteCashout>(std::move(cmd));
  return engine_.submit([this, c] { quote(*c); },
                        [c](const std::exception& e) {
                          c->done(Error{ErrorCode::kInternal, std::string("the quote failed: ") + e.what()});
                        });
}

bool CashoutDesk::submit_accept(AcceptCashout&& cmd) {
  std::shared_ptr<AnswerOnce> once = AnswerOnce::wrap(cmd.done);
  auto c = std::make_shared<AcceptCashout>(std::move(cmd));
  return engine_.submit([this, c] { accept(*c); },
                        [this, key = c->idem_key, once](const std::exception& e) {
                          wallet_.refuse_failed(key, e, [once](const Outcome& o) { once->answer(o); });
                        });
}

Result<CashoutOffer> CashoutDesk::price(const Bet& b, int64_t stake, int64_t now_ns) const {
  const BookState& s = engine_.state();
  return price_cashout(s.book, b, stake, terms_, now_ns);
}

void CashoutDesk::observe_quote(const QuoteSeen& q, const TraceContext& gateway, int64_t now_ns) {
  asked_.fetch_add(1, std::memory_order_relaxed);
  if (q.offered) {
    offered_.fetch_add(1, std::memory_order_relaxed);
    offered_series_->inc();
    if (gateway.valid()) freshness_->observe(q.freshness_ns, gateway.trace_id, now_ns);
    else freshness_->observe(q.freshness_ns);
  } else {
    if (q.code == ErrorCode::kPriceStale) refused_stale_.fetch_add(1, std::memory_order_relaxed);
    quotes_->with({refusal_label(q.code)}).inc();
  }
  for (auto& fn : observers_) fn(q);
}

Result<Quote> CashoutDesk::quote(QuoteCashout& cmd) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  BookState& s = engine_.state();
  const int64_t now = to_ns(engine_.clock().now());
  Span span = tracer_.start("cashout.quote", cmd.gateway, now);
  span.attr(attr::kBetId, static_cast<int64_t>(cmd.bet_id));
  const Bet* found = s.bets.find(cmd.bet_id);
  Result<Quote> answer = Error{ErrorCode::kBetNotFound, "unknown bet"};
  QuoteSeen seen;
  if (found && s.owners.in_scope(cmd.scope, s.ledger, found->account)) {
    const Bet& b = *found;
    seen.market_id = b.market_id;
    seen.event_id = b.event_id;
    seen.synthetic = cmd.scope.synthetic;
    span.attr(attr::kMarketId, static_cast<int64_t>(b.market_id));
    Result<CashoutOffer> o = price(b, cmd.stake, now);
    if (o.ok()) {
      answer = offers_.add(o.value(), now, now + terms_.quote_ttl.count());
      seen.offered = true;
      seen.freshness_ns = o->freshness_ns;
      span.attr(attr::kCashoutAmount, o->amount);
      span.attr(attr::kPriceAgeMs, o->freshness_ns / 1'000'000);
    } else {
      answer = o.error();
      seen.code = o.error().code;
    }
    observe_quote(seen, cmd.gateway, now);
  }
  if (!answer.ok()) {
    span.error = true;
    span.attr(attr::kRejectCode, error_code_name(answer.error().code));
  }
  span.end_ns = now;
  tracer_.record(std::move(span));
  if (cmd.done) engine_.after_durable([done = std::move(cmd.done), answer] { done(answer); });
  return answer;
}

void CashoutDesk::refused(ErrorCode code) {
  refused_.fetch_add(1, std::memory_order_relaxed);
  decisions_->with({refusal_label(code)}).inc();
}

void CashoutDesk::accept(AcceptCashout& cmd) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!wallet_.admit(cmd.idem_key, cmd.fingerprint, cmd.done)) return;
  BookState& s = engine_.state();
  const int64_t now = to_ns(engine_.clock().now());
  if (!cmd.gateway.valid()) cmd.gateway = TraceContext{tracer_.new_trace_id(), {}, 1};
  auto p = std::make_unique<Pending>();
  p->cmd = std::move(cmd);
  p->arrival_ns = now;
  p->spans = Tracer::span_buffer(4);
  Span& check = tracer_.start_in(p->spans, "cashout.check", p->cmd.gateway, now);
  check.attr(attr::kBetId, static_cast<int64_t>(p->cmd.bet_id));

  const Bet* found = s.bets.find(p->cmd.bet_id);
  if (!found || !s.owners.in_scope(p->cmd.scope, s.ledger, found->account))
    return finish(*p, Error{ErrorCode::kBetNotFound, "unknown bet"});
  const Bet& b = *found;
  p->account = b.account;
  check.attr(attr::kMarketId, static_cast<int64_t>(b.market_id));
  const Quote* q = nullptr;
  QuoteState st = offers_.check(s.book, p->cmd.quote_id, now, &q);
  if (st == QuoteState::kLive && (q->offer.bet_id != b.id || q->offer.amount != p->cmd.amount)) st = QuoteState::kUnknown;
  if (st != QuoteState::kLive) {
    const char* why = st == QuoteState::kExpired     ? "the quote has expired"
                      : st == QuoteState::kWithdrawn ? "the quote was withdrawn (the market was suspended, frozen or settled)"
                                                     : "no such quote for this bet and amount";
    return finish(*p, Error{ErrorCode::kQuoteExpired, std::string(why) + "; ask for a new quote"});
  }
  p->quote = *q;
  offers_.remove(q->id);  // one use
  Result<CashoutOffer> first = price(b, p->quote.offer.stake, now);
  check.end_ns = now;
  if (!first.ok()) return finish(*p, std::move(first));

  // The in-play delay, as for a bet (BET-1), on the engine's clock.
  p->delay_ns = inplay_delay_ns(engine_.config(), s.book, b.market_id);
  if (p->delay_ns <= 0) return recheck(*p);
  p->id = next_pending_++;
  Pending& parked = *pending_.emplace(p->id, std::move(p)).first->second;
  pending_gauge_->set(static_cast<int64_t>(pending_.size()));
  parked.timer = engine_.create_timer([this, pp = &parked] {
    try {
      recheck(*pp);
    } catch (const std::exception& e) {
      engine_.failed("cashout", e);
      wallet_.refuse_failed(pp->cmd.idem_key, e, std::move(pp->cmd.done));
      pending_.erase(pp->id);
      pending_gauge_->set(static_cast<int64_t>(pending_.size()));
    }
  });
  parked.timer->enable_at(from_ns(now + parked.delay_ns));
}

void CashoutDesk::recheck(Pending& p) {
  BookState& s = engine_.state();
  const int64_t now = to_ns(engine_.clock().now());
  if (p.delay_ns > 0) {
    Span& d = tracer_.start_in(p.spans, "inplay_delay", p.cmd.gateway, p.arrival_ns);
    d.end_ns = now;
  }
  Span& re = tracer_.start_in(p.spans, "cashout.recheck", p.cmd.gateway, now);
  re.end_ns = now;
  const Bet* bet = s.bets.find(p.cmd.bet_id);
  const Market* m = bet ? s.book.market(bet->market_id) : nullptr;
  if (!m) return finish(p, Error{ErrorCode::kCashoutUnavailable, "the bet is gone"});
  if (m->offer_epoch != p.quote.offer.offer_epoch) {
    // Suspended, frozen or settled during the delay (even if since lifted):
    // fail closed, with the cause when it still stands.
    Result<CashoutOffer> now_r = price(*bet, p.quote.offer.stake, now);
    return finish(p, now_r.ok() ? Result<CashoutOffer>(Error{ErrorCode::kQuoteExpired,
                                                             "the offer was withdrawn during the in-play delay; ask for a new quote"})
                                : std::move(now_r));
  }
  Result<CashoutOffer> r = price(*bet, p.quote.offer.stake, now);
  if (r.ok()) {
    const int64_t quoted = p.quote.offer.amount;
    const bool fits = p.cmd.policy == PriceChangePolicy::kAny ||
                      (p.cmd.policy == PriceChangePolicy::kBetter ? r->amount >= quoted : r->amount == quoted);
    if (!fits)
      r = Error{ErrorCode::kPriceChanged,
                fmt::format("the cash-out is now {} (quoted {}); the price_change policy refuses it", r->amount, quoted)};
  }
  finish(p, std::move(r));
}

void CashoutDesk::finish(Pending& p, Result<CashoutOffer> decision) {
  BookState& s = engine_.state();
  const int64_t now = to_ns(engine_.clock().now());
  if (!p.spans.empty() && p.spans.front().end_ns == 0) p.spans.front().end_ns = now;
  IdemTag idem{p.cmd.idem_key, p.cmd.fingerprint};
  BookEvent event;
  Outcome outcome;
  if (decision.ok()) {
    const CashoutOffer& o = decision.value();
    BetCashedOut e{o.bet_id, o.market_id, o.stake, o.amount, o.odds.scaled, o.price_version, o.price_ts_ns / 1'000'000,
                   p.cmd.gateway_start_ns, now, p.cmd.gateway.trace_id, std::move(idem)};
    const Bet& b = s.bets.at(o.bet_id);
    outcome = CashedOut{o.bet_id, o.stake, o.amount, o.odds.scaled, b.stake_minor - o.stake, now, p.cmd.gateway.trace_id};
    // The bet's own trace hears of it, linked to the cash-out's trace.
    Span sp;
    sp.trace_id = b.trace_id;
    sp.span_id = tracer_.new_span_id();
    sp.name = "cashout";
    sp.start_ns = p.arrival_ns;
    sp.end_ns = now;
    sp.attr(attr::kBetId, static_cast<int64_t>(o.bet_id));
    sp.attr(attr::kCashoutAmount, o.amount);
    sp.attr(attr::kCashoutTrace, to_hex(p.cmd.gateway.trace_id));
    tracer_.record(std::move(sp));
    event = std::move(e);
    accepted_.fetch_add(1, std::memory_order_relaxed);
    decisions_->with({"accepted"}).inc();
    paid_->inc(o.amount);
  } else {
    event = Rejected{static_cast<uint16_t>(decision.error().code), decision.error().message, now, std::move(idem)};
    outcome = decision.error();
    refused(decision.error().code);
    if (!p.spans.empty()) {
      p.spans.back().error = true;
      p.spans.back().attr(attr::kRejectCode, error_code_name(decision.error().code));
    }
  }
  if (!decision_observers_.empty()) {
    const CashoutDecision d{p.cmd.bet_id, decision.ok(), decision.ok() ? ErrorCode::kInternal : decision.error().code};
    for (auto& fn : decision_observers_) fn(d);
  }
  tracer_.start_in(p.spans, "journal", p.cmd.gateway, now);
  engine_.commit(std::move(event));
  std::vector<OutcomeFn> waiters = wallet_.take_waiters(p.cmd.idem_key);
  Tracer* tracer = &tracer_;
  Clock* clock = &engine_.clock();
  engine_.after_durable([client = std::move(p.cmd.done), waiters = std::move(waiters), outcome = std::move(outcome),
                         spans = std::move(p.spans), tracer, clock]() mutable {
    spans.back().end_ns = to_ns(clock->now());
    tracer->record_all(std::move(spans));
    for (auto& w : waiters) w(outcome);
    client(outcome);
  });
  if (p.id) {
    pending_.erase(p.id);  // p is dead after this line
    pending_gauge_->set(static_cast<int64_t>(pending_.size()));
  }
}

}  // namespace inplay
