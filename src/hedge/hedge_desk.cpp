#include "hedge/hedge_desk.h"

#include <algorithm>

#include "telemetry/log.h"

namespace inplay {

const char* hedge_answer_name(HedgeAnswer::Kind k) {
  switch (k) {
    case HedgeAnswer::Kind::kFilled: return "filled";
    case HedgeAnswer::Kind::kRejected: return "rejected";
    case HedgeAnswer::Kind::kFailed: return "failed";
  }
  return "unknown";
}

HedgeDesk::HedgeDesk(Engine& engine, HedgeTerms terms) : engine_(engine), terms_(std::move(terms)) {
  MetricsRegistry& m = engine_.registry();
  instructed_ = &m.counter("hedge_instructions_total", "Hedge orders the book instructed (journaled)").with({});
  answers_ = &m.counter("hedge_answers_total",
                        "Answers from the hedging venue, by result: filled, rejected (final) or failed (sent again)",
                        {"result"});
  matched_ = &m.counter("hedge_matched_stake_minor_total", "Stake the venue matched for the book's hedges (minor units)")
                  .with({});
  open_ = &m.gauge("hedge_open", "Hedge orders instructed and not yet answered by the venue").with({});
  round_trip_ = &MetricsRegistry::series(
      m.histogram("hedge_venue_seconds", "Round trip of one call to the hedging venue", {},
                  {5000000, 10000000, 25000000, 50000000, 100000000, 250000000, 500000000, 1000000000, 2500000000},
                  Unit::kSeconds),
      {});
}

HedgeDesk::~HedgeDesk() { alive_->store(false); }

int HedgeDesk::attempts(uint64_t hedge_id) const {
  auto it = attempts_.find(hedge_id);
  return it == attempts_.end() ? 0 : it->second.sent;
}

void HedgeDesk::on_bet(uint64_t market_id) {
  if (active()) marked_.insert(market_id);
}

void HedgeDesk::resume() {
  if (!active()) return;
  for (const Hedge* h : engine_.state().hedges.open()) send(h->id);
  check_timer_ = engine_.every(terms_.check_every, [this] { check(); });
  retry_timer_ = engine_.every(std::min<Nanos>(terms_.retry, std::chrono::seconds(1)), [this] { retry_due(); });
}

void HedgeDesk::check() {
  if (marked_.empty()) return;
  std::unordered_set<uint64_t> markets;
  markets.swap(marked_);
  const int64_t now = to_ns(engine_.clock().now());
  for (uint64_t id : markets) {
    auto held = held_until_.find(id);
    if (held != held_until_.end()) {
      if (now < held->second) {
        marked_.insert(id);  // looked at again once the hold ends
        continue;
      }
      held_until_.erase(held);
    }
    instruct(id);
  }
}

void HedgeDesk::instruct(uint64_t market_id) {
  BookState& s = engine_.state();
  const Market* m = s.book.market(market_id);
  if (!m || m->status == MarketStatus::kSettled || m->status == MarketStatus::kClosed) return;
  if (s.hedges.open_on(market_id)) return;
  // Cheap first: a market with no hedges is no worse than its liability.
  if (s.exposure.market_liability(market_id) <= terms_.threshold_minor && s.hedges.all().empty()) return;
  const WorstOutcome worst = s.hedges.worst_outcome(*m, s.exposure);
  if (worst.loss_minor <= terms_.threshold_minor) return;
  const Selection* sel = s.book.selection(worst.selection_id);
  if (!sel || sel->price.odds.scaled <= kOddsScale) return;
  const int64_t stake =
      std::min(hedge_stake_for(worst.loss_minor - terms_.target_minor, sel->price.odds), terms_.max_stake_minor);
  if (stake < terms_.min_stake_minor) return;
  HedgeInstructed e;
  e.hedge_id = s.hedges.next_id();
  e.market_id = market_id;
  e.selection_id = sel->id;
  e.stake = stake;
  e.odds = sel->price.odds.scaled;
  e.liability = worst.loss_minor;
  e.venue = terms_.venue;
  e.at_ns = to_ns(engine_.clock().now());
  const uint64_t id = e.hedge_id;
  log::info("hedge", "hedge instructed",
            {{"hedge_id", id}, {"market_id", market_id}, {"selection_id", sel->id}, {"stake", stake},
             {"worst_case", worst.loss_minor}, {"venue", terms_.venue}});
  engine_.commit(std::move(e), [this, id] { send(id); });
  instructed_->inc();
  open_->set(static_cast<double>(s.hedges.open_count()));
}

// Engine thread: hands the order to the port; the answer comes back through
// the engine's inbox.
void HedgeDesk::send(uint64_t hedge_id) {
  const Hedge* h = engine_.state().hedges.find(hedge_id);
  if (!h || h->status != HedgeStatus::kOpen || !port_) return;
  Attempt& a = attempts_[hedge_id];
  if (a.in_flight) return;
  a.in_flight = true;
  ++a.sent;
  a.sent_ns = to_ns(engine_.clock().now());
  ++health_.sent;
  HedgeOrder o{h->id, h->venue, h->market_id, h->selection_id, h->stake_minor, h->odds};
  port_->send(std::move(o), [this, alive = alive_](HedgeAnswer answer) {
    if (!alive->load()) return;
    // A full inbox loses the answer: the order stays in flight until
    // retry_due() gives up waiting and sends it again (same id).
    engine_.submit([this, alive, answer = std::move(answer)] {
      if (alive->load()) answered(answer);
    });
  });
}

void HedgeDesk::answered(const HedgeAnswer& a) {
  auto at = attempts_.find(a.hedge_id);
  if (at != attempts_.end()) at->second.in_flight = false;
  answers_->with({hedge_answer_name(a.kind)}).inc();
  if (a.took_ns > 0) round_trip_->observe(a.took_ns);
  const int64_t now = to_ns(engine_.clock().now());
  const Hedge* h = engine_.state().hedges.find(a.hedge_id);
  if (!h || h->status != HedgeStatus::kOpen) return;  // answered already (a repeat of a resent order)
  if (a.kind == HedgeAnswer::Kind::kFailed) {
    ++health_.failed;
    ++health_.consecutive_failures;
    health_.last_error = a.detail;
    health_.last_failure_ns = now;
    if (at != attempts_.end()) at->second.next_ns = now + terms_.retry.count();
    log::warn("hedge", "hedge venue failed; the order goes again",
              {{"hedge_id", a.hedge_id}, {"venue", h->venue}, {"error", a.detail}});
    return;
  }
  health_.consecutive_failures = 0;
  HedgeAnswered e;
  e.hedge_id = a.hedge_id;
  e.at_ns = now;
  e.detail = a.detail;
  if (a.kind == HedgeAnswer::Kind::kFilled) {
    ++health_.filled;
    e.result = static_cast<uint8_t>(HedgeStatus::kFilled);
    e.matched_stake = a.matched_stake_minor;
    e.matched_odds = a.matched_odds;
  } else {
    ++health_.rejected;
    e.result = static_cast<uint8_t>(HedgeStatus::kRejected);
    held_until_[h->market_id] = now + terms_.backoff.count();
  }
  const uint64_t market_id = h->market_id;
  const int64_t matched = e.matched_stake;
  // A fill the book cannot take (more than was asked, odds <= 1) throws
  // here and changes nothing: the engine logs and counts it, and the order
  // is sent again.
  engine_.commit(std::move(e));
  // The attempt count stays: GET /v1/hedges shows how often an order went.
  if (matched) matched_->inc(static_cast<double>(matched));
  open_->set(static_cast<double>(engine_.state().hedges.open_count()));
  log::info("hedge", "hedge answered",
            {{"hedge_id", a.hedge_id}, {"result", hedge_answer_name(a.kind)}, {"matched_stake", matched}});
  marked_.insert(market_id);  // the market may still be over the line
}

void HedgeDesk::retry_due() {
  const int64_t now = to_ns(engine_.clock().now());
  // An answer that never came back (lost with a full inbox) counts as
  // failed after a generous wait.
  const int64_t lost_after = 3 * (terms_.timeout.count() + terms_.retry.count());
  for (const Hedge* h : engine_.state().hedges.open()) {
    Attempt& a = attempts_[h->id];
    if (a.in_flight && now - a.sent_ns > lost_after) a.in_flight = false;
    if (!a.in_flight && now >= a.next_ns) send(h->id);
  }
}

}  // namespace inplay
