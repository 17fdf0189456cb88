#include "settle/settle_desk.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "feed/feed_parser.h"
#include "telemetry/attributes.h"
#include "telemetry/log.h"

namespace inplay {

const char* settle_verdict_name(SettleVerdict v) {
  switch (v) {
    case SettleVerdict::kSettled: return "settled";
    case SettleVerdict::kCorrected: return "corrected";
    case SettleVerdict::kDuplicate: return "duplicate";
    case SettleVerdict::kStale: return "stale";
    case SettleVerdict::kHeld: return "held";
    case SettleVerdict::kCancelled: return "cancelled";
    case SettleVerdict::kRolledBack: return "rolled_back";
    case SettleVerdict::kDeadLettered: return "dead_lettered";
  }
  return "unknown";
}

namespace {

std::vector<SettledOutcome> by_selection(std::vector<SettledOutcome> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.selection_id < b.selection_id; });
  return v;
}

const char* kind_of(const FeedMessage& m) {
  switch (feed_body_type(m.body)) {
    case FeedMessageType::kBetSettlement: return "settlement";
    case FeedMessageType::kBetCancel: return "cancel";
    case FeedMessageType::kRollbackBetSettlement: return "rollback_settlement";
    case FeedMessageType::kRollbackBetCancel: return "rollback_cancel";
    default: return "other";
  }
}

// The market ids a message names, or every market of its event.
std::vector<uint64_t> markets_named(const Book& book, uint64_t event_id, const std::vector<uint64_t>& ids) {
  if (!ids.empty()) return ids;
  const Event* e = book.event(event_id);
  return e ? e->markets : std::vector<uint64_t>{};
}

std::pair<int64_t, int64_t> range_ns(const std::optional<int64_t>& start_ms, const std::optional<int64_t>& end_ms) {
  return {start_ms ? *start_ms * kNsPerMs : INT64_MIN, end_ms ? *end_ms * kNsPerMs : INT64_MAX};
}

}  // namespace

SettleDesk::SettleDesk(Engine& engine) : engine_(engine), policy_(engine.config().settlement) {
  MetricsRegistry& metrics = engine.registry();
  results_ = &metrics.counter("settlement_results_total",
                              "Results messages per market by kind (settlement, cancel, rollback_settlement, "
                              "rollback_cancel) and what became of them",
                              {"kind", "verdict"});
  dead_letters_ = &metrics.counter("settlement_dead_letters_total",
                                   "Results put in the settlement dead-letter queue, by reason", {"reason"});
  dlq_depth_ = &metrics.gauge("settlement_dlq_depth", "Open entries in the settlement dead-letter queue").with({});
  shadow_ = &metrics.counter("settlement_shadow_checks_total",
                             "Market results checked against the rules on the result's own score: "
                             "match, mismatch (dead-lettered, pages), unchecked (no score sent)",
                             {"result"});
  postings_ = &metrics.counter("settlement_postings_total", "Bets moved by settlement postings, by kind",
                               {"kind"});
  payouts_ = &metrics.counter("settlement_payouts_minor_total",
                              "Gross returns paid to bettors by settlement (minor units), by market type",
                              {"market_type"});
  lag_ = &MetricsRegistry::series(
      metrics.histogram("settlement_lag_seconds",
                        "Settlement lag: the result's provider timestamp to its bets paid (SET-2)", {},
                        {1000000000, 5000000000, 10000000000, 30000000000, 60000000000, 120000000000,
                         300000000000, 600000000000},
                        Unit::kSeconds),
      {});
}

SettleDesk::Signals SettleDesk::signals() const {
  Signals s;
  s.shadow_matched = shadow_matched_.load(std::memory_order_relaxed);
  s.shadow_mismatched = shadow_mismatched_.load(std::memory_order_relaxed);
  s.shadow_unchecked = shadow_unchecked_.load(std::memory_order_relaxed);
  s.corrections = corrections_.load(std::memory_order_relaxed);
  s.results = results_settled_.load(std::memory_order_relaxed);
  s.dlq_depth = dlq_depth_now_.load(std::memory_order_relaxed);
  s.dlq_total = dlq_total_.load(std::memory_order_relaxed);
  s.last_lag_ms = last_lag_ms_.load(std::memory_order_relaxed);
  return s;
}

void SettleDesk::count(const char* kind, SettleVerdict v) { results_->with({kind, settle_verdict_name(v)}).inc(); }

void SettleDesk::dlq_changed() {
  const int64_t depth = static_cast<int64_t>(engine_.state().settlement.dead_letters().size());
  dlq_depth_->set(depth);
  dlq_depth_now_.store(depth, std::memory_order_relaxed);
}

void SettleDesk::resume() {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  uint64_t moved = 0;
  for (uint64_t mid : engine_.state().settlement.markets_with_headers()) moved += drive(mid, /*at_once=*/true);
  if (moved) log::warn("settle", "settlement resumed after a restart", {{"bets", moved}});
  dlq_changed();
}

void SettleDesk::on_feed_result(const std::string& feed, const FeedMessage& m) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  Origin o{m.env, m, "feed:" + feed};
  dispatch(o, 0);
}

SettleVerdict SettleDesk::dispatch(const Origin& o, uint64_t only) {
  const Book& book = engine_.state().book;
  const uint64_t eid = o.env.event_id;
  SettleVerdict last = SettleVerdict::kDuplicate;
  auto each = [&](const std::vector<uint64_t>& named, auto&& fn) {
    std::vector<uint64_t> ids = markets_named(book, eid, named);
    if (ids.empty() && !only) {
      last = dead_letter(o, 0, DeadLetterReason::kUnknownMarket, fmt::format("event {} is not in the book", eid));
      return;
    }
    for (uint64_t mid : ids)
      if (!only || mid == only) last = fn(mid);
  };
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        const char* kind = kind_of(o.message);
        if constexpr (std::is_same_v<T, BetSettlement>) {
          for (const MarketResult& r : body.markets)
            if (!only || r.market_id == only) {
              last = take_result(o, body, r);
              count(kind, last);
            }
        } else if constexpr (std::is_same_v<T, BetCancel>) {
          each(body.market_ids, [&](uint64_t mid) {
            SettleVerdict v = take_cancel(o, body, mid);
            count(kind, v);
            return v;
          });
        } else if constexpr (std::is_same_v<T, RollbackBetSettlement>) {
          each(body.market_ids, [&](uint64_t mid) {
            SettleVerdict v = take_settlement_rollback(o, mid);
            count(kind, v);
            return v;
          });
        } else if constexpr (std::is_same_v<T, RollbackBetCancel>) {
          each(body.market_ids, [&](uint64_t mid) {
            SettleVerdict v = take_cancel_rollback(o, body, mid);
            count(kind, v);
            return v;
          });
        }
      },
      o.message.body);
  return last;
}

std::optional<SettleVerdict> SettleDesk::check_market(const Origin& o, uint64_t market_id) {
  const Market* m = engine_.state().book.market(market_id);
  if (!m) return dead_letter(o, market_id, DeadLetterReason::kUnknownMarket, fmt::format("market {} is not in the book", market_id));
  if (m->event_id != o.env.event_id)
    return dead_letter(o, market_id, DeadLetterReason::kWrongEvent,
                       fmt::format("market {} belongs to event {}, not {}", market_id, m->event_id, o.env.event_id));
  return std::nullopt;
}

std::optional<SettleVerdict> SettleDesk::check_outcomes(const Origin& o, const Market& m, const MarketResult& r) {
  std::unordered_map<uint64_t, int> seen;
  for (uint64_t sid : m.selections) seen[sid] = 0;
  for (const SettledOutcome& out : r.outcomes) {
    auto it = seen.find(out.selection_id);
    if (it == seen.end())
      return dead_letter(o, m.id, DeadLetterReason::kUnknownSelection,
                         fmt::format("selection {} is not in market {}", out.selection_id, m.id));
    if (++it->second > 1)
      return dead_letter(o, m.id, DeadLetterReason::kIncompleteResult,
                         fmt::format("selection {} has two outcomes", out.selection_id));
    if (out.void_halves > 2 || out.dead_heat <= 0 || out.dead_heat > kOddsScale ||
        (out.dead_heat < kOddsScale && (!out.won || out.void_halves)))
      return dead_letter(o, m.id, DeadLetterReason::kInvalidOutcome,
                         fmt::format("selection {}: a dead heat is a won outcome without a void factor",
                                     out.selection_id));
  }
  for (uint64_t sid : m.selections)
    if (seen[sid] == 0)
      return dead_letter(o, m.id, DeadLetterReason::kIncompleteResult, fmt::format("selection {} has no outcome", sid));
  return std::nullopt;
}

std::optional<SettleVerdict> SettleDesk::shadow_check(const Origin& o, const Market& m, const BetSettlement& bs,
                                                      const MarketResult& r) {
  const std::optional<RuleMarket> rm = rule_market(m);
  const std::optional<Score>& score = rm && rm->first_half ? bs.first_half_score : bs.score;
  if (!rm || !score) {
    shadow_->with({"unchecked"}).inc();
    shadow_unchecked_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  const Book& book = engine_.state().book;
  for (const SettledOutcome& out : r.outcomes) {
    const Selection* sel = book.selection(out.selection_id);
    std::optional<SettleResult> want = settle_selection(rm->market, rm->line_for(sel->name), sel->name, *score);
    const SettledOutcome expected = want ? settled_outcome(out.selection_id, outcome_result(*want)) : out;
    if (!want || expected != out) {
      shadow_->with({"mismatch"}).inc();
      shadow_mismatched_.fetch_add(1, std::memory_order_relaxed);
      return dead_letter(o, m.id, DeadLetterReason::kShadowMismatch,
                         fmt::format("selection {} ({}): the feed says {}, the rules on {}-{} say {}", sel->id,
                                     sel->name, outcome_name(out), score->home, score->away,
                                     want ? outcome_name(expected) : "no rule for this selection"));
    }
  }
  shadow_->with({"match"}).inc();
  shadow_matched_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

SettleVerdict SettleDesk::take_result(const Origin& o, const BetSettlement& bs, const MarketResult& r) {
  if (auto v = check_market(o, r.market_id)) return *v;
  const Market& m = *engine_.state().book.market(r.market_id);
  if (auto v = check_outcomes(o, m, r)) return *v;
  if (auto v = shadow_check(o, m, bs, r)) return *v;
  std::vector<SettledOutcome> outcomes = by_selection(r.outcomes);
  const int64_t ts = o.env.ts_ms;
  if (bs.certainty < policy_.pay_on) {
    held_[r.market_id] = Held{std::move(outcomes), ts};
    return SettleVerdict::kHeld;
  }
  const MarketSettlement* ms = engine_.state().settlement.market(r.market_id);
  const std::optional<RuleMarket> rm = rule_market(m);
  const std::optional<Score> score = rm && rm->first_half ? bs.first_half_score : bs.score;
  SettleVerdict verdict = SettleVerdict::kSettled;
  if (ms && ms->version) {
    if (by_selection(ms->result.outcomes) == outcomes) {
      held_.erase(r.market_id);
      return SettleVerdict::kDuplicate;
    }
    if (ts < ms->newest_ts_ms) return SettleVerdict::kStale;
    if (ts == ms->newest_ts_ms)
      return dead_letter(o, r.market_id, DeadLetterReason::kConflictingResult,
                         fmt::format("version {} was settled from a different result stamped at the same time", ms->version));
    engine_.commit(SettlementRolledBack{r.market_id, ms->version, o.source, "correction", ts,
                                        to_ns(engine_.clock().now())});
    corrections_.fetch_add(1, std::memory_order_relaxed);
    verdict = SettleVerdict::kCorrected;
  } else if (ms && ts < ms->newest_ts_ms) {
    return SettleVerdict::kStale;  // older than a rollback the market took
  }
  held_.erase(r.market_id);
  settle(r.market_id, std::move(outcomes), score, bs.certainty, o.source,
         verdict == SettleVerdict::kCorrected ? "correction" : "result", ts, false);
  return verdict;
}

void SettleDesk::settle(uint64_t market_id, std::vector<SettledOutcome> outcomes, std::optional<Score> score,
                        Certainty c, const std::string& source, const std::string& reason, int64_t provider_ts_ms,
                        bool at_once) {
  BookState& s = engine_.state();
  const MarketSettlement* ms = s.settlement.market(market_id);
  const uint32_t version = (ms ? ms->last_version : 0) + 1;
  const int64_t start_ns = to_ns(engine_.clock().now());
  MarketSettled e;
  e.market_id = market_id;
  e.version = version;
  e.certainty = static_cast<uint8_t>(c);
  e.outcomes = std::move(outcomes);
  if (score) {
    e.has_score = true;
    e.score_home = score->home;
    e.score_away = score->away;
  }
  e.source = source;
  e.reason = reason;
  e.provider_ts_ms = provider_ts_ms;
  e.at_ns = start_ns;
  engine_.commit(std::move(e));
  results_settled_.fetch_add(1, std::memory_order_relaxed);

  // What to report when its bets are paid (a correction mid-way replaces
  // the version it corrects).
  Run& run = runs_[market_id];
  run.moved = 0;
  run.report_lag = source.starts_with("feed:");
  run.provider_ts_ms = provider_ts_ms;
  run.version = version;
  run.source = source;
  run.reason = reason;
  if (run.traced && tracer_) tracer_->record(std::move(run.span));
  run.traced = tracer_ != nullptr;
  if (tracer_) {
    run.span = tracer_->start("settle.market", TraceContext{}, start_ns);
    run.span.attr(attr::kMarketId, static_cast<int64_t>(market_id));
    run.span.attr(attr::kResultVersion, static_cast<int64_t>(version));
    run.span.attr(attr::kResultSource, source);
  }
  drive(market_id, at_once);
}

uint64_t SettleDesk::drive(uint64_t market_id, bool at_once) {
  BookState& s = engine_.state();
  const MarketSettlement* ms = s.settlement.market(market_id);
  if (!ms) return 0;
  Run& run = runs_[market_id];
  uint64_t moved = 0;
  do {
    if (run.generation != ms->generation) {  // a header or a bet since: plan again
      run.plan = s.settlement.plan(market_id, s.bets, to_ns(engine_.clock().now()));
      run.next = 0;
      run.generation = ms->generation;
    }
    if (run.next == run.plan.size()) {
      finish(market_id);
      return moved;
    }
    const TraceContext ctx = run.span.context();
    moved += commit_batch(market_id, run.plan[run.next++], run.traced ? &ctx : nullptr);
  } while (at_once);
  if (run.next == run.plan.size()) {
    finish(market_id);
  } else if (!run.scheduled) {
    // The next batch once this one is durable: other work runs in between.
    run.scheduled = true;
    engine_.after_durable([this, market_id] {
      auto it = runs_.find(market_id);
      if (it == runs_.end()) return;
      it->second.scheduled = false;
      drive(market_id);
    });
  }
  return moved;
}

uint64_t SettleDesk::commit_batch(uint64_t market_id, BetPostings& p, const TraceContext* parent) {
  BookState& s = engine_.state();
  const int64_t now_ns = to_ns(engine_.clock().now());
  const Market* m = s.book.market(market_id);
  const MarketSettlement* ms = s.settlement.market(market_id);
  const auto kind = static_cast<PostingKind>(p.kind);
  p.at_ns = now_ns;
  int64_t paid = 0;
  for (auto& [bet_id, amount] : p.bets) {
    if (kind == PostingKind::kPay) paid += amount;
    if (!parent || !tracer_) continue;
    // The bet's own trace gets a span for what settlement did to it,
    // linked (by attribute) to the market's settlement trace.
    const Bet& b = s.bets.at(bet_id);
    Span sp;
    sp.trace_id = b.trace_id;
    sp.span_id = tracer_->new_span_id();
    sp.name = "settle.bet";
    sp.start_ns = sp.end_ns = now_ns;
    sp.attr(attr::kBetId, static_cast<int64_t>(bet_id));
    sp.attr(attr::kPosting, posting_kind_name(kind));
    sp.attr(attr::kReturn, amount);
    if (const SettledOutcome* o = ms ? ms->outcome(b.selection_id) : nullptr; o && kind == PostingKind::kPay)
      sp.attr(attr::kOutcome, outcome_name(*o));
    sp.attr(attr::kSettlementTrace, to_hex(parent->trace_id));
    tracer_->record(std::move(sp));
  }
  const uint64_t n = p.bets.size();
  postings_->with({posting_kind_name(kind)}).inc(n);
  if (paid) payouts_->with({m ? market_type_name(m->type) : "unknown"}).inc(paid);
  engine_.commit(BetPostings(p));
  runs_[market_id].moved += n;
  return n;
}

int64_t SettleDesk::oldest_unpaid_result_ms() const {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  int64_t oldest = -1;
  for (auto& [id, run] : runs_)
    if (run.report_lag && (oldest < 0 || run.provider_ts_ms < oldest)) oldest = run.provider_ts_ms;
  return oldest;
}

void SettleDesk::finish(uint64_t market_id) {
  auto it = runs_.find(market_id);
  if (it == runs_.end()) return;
  Run run = std::move(it->second);
  runs_.erase(it);
  const int64_t now_ns = to_ns(engine_.clock().now());
  if (run.traced && tracer_) {
    run.span.attr(attr::kBets, static_cast<int64_t>(run.moved));
    run.span.end_ns = now_ns;
    tracer_->record(std::move(run.span));
  }
  if (!run.report_lag) return;  // the lag SLI is a feed's result to its money moved
  const int64_t lag_ns = std::max<int64_t>(0, now_ns - run.provider_ts_ms * kNsPerMs);
  lag_->observe(lag_ns);
  last_lag_ms_.store(lag_ns / kNsPerMs, std::memory_order_relaxed);
  const Market* m = engine_.state().book.market(market_id);
  SettledMarket sm{market_id, m ? m->event_id : 0, lag_ns, run.moved, now_ns};
  for (auto& fn : observers_) fn(sm);
  log::info("settle", "market settled",
            {{"market_id", market_id}, {"version", static_cast<int64_t>(run.version)}, {"bets", run.moved},
             {"lag_ms", lag_ns / kNsPerMs}, {"source", run.source}, {"reason", run.reason}});
}

void SettleDesk::on_bet_accepted(uint64_t market_id) {
  const MarketSettlement* ms = engine_.state().settlement.market(market_id);
  if (!ms || ms->cancels.empty() || runs_.count(market_id)) return;
  for (const CancelRange& c : ms->cancels)
    if (c.active) {
      drive(market_id);
      return;
    }
}

SettleVerdict SettleDesk::take_cancel(const Origin& o, const BetCancel& bc, uint64_t market_id) {
  if (auto v = check_market(o, market_id)) return *v;
  auto [from, to] = range_ns(bc.start_ms, bc.end_ms);
  if (from >= to)
    return dead_letter(o, market_id, DeadLetterReason::kInvalidOutcome, "the cancel's start_time is not before its end_time");
  const MarketSettlement* ms = engine_.state().settlement.market(market_id);
  if (ms)
    for (const CancelRange& c : ms->cancels)
      if (c.active && c.from_ns == from && c.to_ns == to) return SettleVerdict::kDuplicate;
  BetsCancelled e;
  e.market_id = market_id;
  e.cancel_id = static_cast<uint32_t>((ms ? ms->cancels.size() : 0) + 1);
  e.from_ns = from;
  e.to_ns = to;
  e.superseded_by = bc.superseded_by;
  e.source = o.source;
  e.reason = bc.reason;
  e.provider_ts_ms = o.env.ts_ms;
  e.at_ns = to_ns(engine_.clock().now());
  engine_.commit(std::move(e));
  drive(market_id);
  log::info("settle", "bets cancelled", {{"market_id", market_id}, {"source", o.source}, {"reason", bc.reason}});
  return SettleVerdict::kCancelled;
}

SettleVerdict SettleDesk::take_settlement_rollback(const Origin& o, uint64_t market_id) {
  if (auto v = check_market(o, market_id)) return *v;
  const bool dropped_held = held_.erase(market_id) > 0;
  const MarketSettlement* ms = engine_.state().settlement.market(market_id);
  const int64_t ts = o.env.ts_ms;
  if (ms && ms->version) {
    if (ts < ms->newest_ts_ms) return SettleVerdict::kStale;
    engine_.commit(SettlementRolledBack{market_id, ms->version, o.source, "rollback", ts, to_ns(engine_.clock().now())});
    drive(market_id);
    log::info("settle", "settlement rolled back", {{"market_id", market_id}, {"source", o.source}});
    return SettleVerdict::kRolledBack;
  }
  if (dropped_held) return SettleVerdict::kRolledBack;
  if (ms && ms->last_version) return SettleVerdict::kDuplicate;  // rolled back already
  return dead_letter(o, market_id, DeadLetterReason::kNothingToRollBack, "the market has no result to roll back");
}

SettleVerdict SettleDesk::take_cancel_rollback(const Origin& o, const RollbackBetCancel& rb, uint64_t market_id) {
  if (auto v = check_market(o, market_id)) return *v;
  auto [from, to] = range_ns(rb.start_ms, rb.end_ms);
  const MarketSettlement* ms = engine_.state().settlement.market(market_id);
  const CancelRange* match = nullptr;
  bool withdrawn_before = false;
  if (ms)
    for (const CancelRange& c : ms->cancels)
      if (c.from_ns == from && c.to_ns == to) {
        if (c.active) match = &c;
        else withdrawn_before = true;
      }
  if (!match) {
    if (withdrawn_before) return SettleVerdict::kDuplicate;
    return dead_letter(o, market_id, DeadLetterReason::kNothingToRollBack, "the market has no cancel with that time range");
  }
  engine_.commit(CancelRolledBack{market_id, match->id, o.source, o.env.ts_ms, to_ns(engine_.clock().now())});
  drive(market_id);
  return SettleVerdict::kRolledBack;
}

SettleVerdict SettleDesk::dead_letter(const Origin& o, uint64_t market_id, DeadLetterReason why, std::string detail) {
  if (o.replaying) {
    replay_failure_ = std::make_pair(why, std::move(detail));
    return SettleVerdict::kDeadLettered;
  }
  const BookState& s = engine_.state();
  SettlementDeadLettered e;
  e.dlq_id = s.settlement.next_dead_letter_id();
  e.event_id = o.env.event_id;
  e.market_id = market_id;
  e.reason = dead_letter_reason_name(why);
  e.detail = std::move(detail);
  e.message = encode_feed_message(o.message);
  e.source = o.source;
  e.provider_ts_ms = o.env.ts_ms;
  e.at_ns = to_ns(engine_.clock().now());
  log::warn("settle", "result dead-lettered",
            {{"dlq_id", e.dlq_id}, {"market_id", market_id}, {"reason", e.reason}, {"detail", e.detail},
             {"source", e.source}});
  dead_letters_->with({e.reason}).inc();
  dlq_total_.fetch_add(1, std::memory_order_relaxed);
  engine_.commit(std::move(e));
  dlq_changed();
  return SettleVerdict::kDeadLettered;
}

Result<SettleVerdict> SettleDesk::replay_dead_letter(uint64_t dlq_id, const std::string& actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const auto& dlq = engine_.state().settlement.dead_letters();
  auto it = dlq.find(dlq_id);
  if (it == dlq.end()) return Error{ErrorCode::kDeadLetterNotFound, fmt::format("no open dead letter {}", dlq_id)};
  const SettlementDeadLettered entry = it->second;
  // The stored line is read again with its own schema accepted.
  ParseResult pr = FeedParser(std::vector<std::string>{"1.0"}).parse(entry.message);
  if (!pr && pr.error().reason == FeedParseReason::kSchemaUnsupported)
    pr = FeedParser(std::vector<std::string>{pr.error().schema}).parse(entry.message);
  if (!pr)
    return Error{ErrorCode::kValidationFailed,
                 fmt::format("dead letter {}: its stored message does not parse: {}", dlq_id, pr.error().detail)};
  const FeedMessage m = std::move(pr.message());
  Origin o{m.env, m, entry.source, true};
  replay_failure_.reset();
  const SettleVerdict v = dispatch(o, entry.market_id);
  if (replay_failure_) {
    auto [why, detail] = *replay_failure_;
    replay_failure_.reset();
    return Error{ErrorCode::kValidationFailed,
                 fmt::format("dead letter {} still fails: {}: {}", dlq_id, dead_letter_reason_name(why), detail)};
  }
  engine_.commit(DeadLetterResolved{dlq_id, static_cast<uint8_t>(DeadLetterResolution::kReplayed), actor,
                                    settle_verdict_name(v), to_ns(engine_.clock().now())});
  dlq_changed();
  log::info("settle", "dead letter replayed", {{"dlq_id", dlq_id}, {"verdict", settle_verdict_name(v)}, {"actor", actor}});
  return v;
}

Result<bool> SettleDesk::discard_dead_letter(uint64_t dlq_id, const std::string& actor, const std::string& reason) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!engine_.state().settlement.dead_letters().count(dlq_id))
    return Error{ErrorCode::kDeadLetterNotFound, fmt::format("no open dead letter {}", dlq_id)};
  engine_.commit(DeadLetterResolved{dlq_id, static_cast<uint8_t>(DeadLetterResolution::kDiscarded), actor, reason,
                                    to_ns(engine_.clock().now())});
  dlq_changed();
  return true;
}

Result<ResettleReport> SettleDesk::resettle(uint64_t market_id, std::optional<Score> score, const std::string& reason,
                                            const std::string& actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  BookState& s = engine_.state();
  const Market* m = s.book.market(market_id);
  if (!m) return Error{ErrorCode::kMarketNotFound, "unknown market"};
  const MarketSettlement* ms = s.settlement.market(market_id);
  std::vector<SettledOutcome> outcomes;
  if (score) {
    const std::optional<RuleMarket> rm = rule_market(*m);
    if (!rm) return Error{ErrorCode::kValidationFailed, fmt::format("no settlement rule for {} markets", market_type_name(m->type))};
    for (uint64_t sid : m->selections) {
      std::optional<SettleResult> r = settle_selection(rm->market, rm->line_for(s.book.selection(sid)->name), s.book.selection(sid)->name, *score);
      if (!r) return Error{ErrorCode::kValidationFailed, fmt::format("no rule settles selection {}", sid)};
      outcomes.push_back(settled_outcome(sid, outcome_result(*r)));
    }
  } else if (ms && ms->version) {
    outcomes = ms->result.outcomes;
    if (ms->result.has_score) score = Score{ms->result.score_home, ms->result.score_away};
  } else {
    return Error{ErrorCode::kValidationFailed, "the market has no result to re-settle: give the score"};
  }
  // What each account got from the market before.
  std::map<uint32_t, std::pair<int64_t, int64_t>> per_account;  // before, after
  if (ms)
    for (uint64_t id : ms->bets) {
      const Bet& b = s.bets.at(id);
      if (b.status == BetStatus::kSettled) per_account[b.account].first += b.return_minor;
    }
  ResettleReport rep;
  rep.market_id = market_id;
  rep.from_version = ms ? ms->version : 0;
  const int64_t now_ms = to_ns(engine_.clock().now()) / kNsPerMs;
  if (ms && ms->version)
    engine_.commit(SettlementRolledBack{market_id, ms->version, actor, "resettle: " + reason, now_ms,
                                        to_ns(engine_.clock().now())});
  settle(market_id, by_selection(std::move(outcomes)), score, Certainty::kConfirmed, actor, "resettle: " + reason, now_ms,
         /*at_once=*/true);
  ms = s.settlement.market(market_id);
  rep.to_version = ms->version;
  for (uint64_t id : ms->bets) {
    const Bet& b = s.bets.at(id);
    if (b.status != BetStatus::kSettled) continue;
    per_account[b.account].second += b.return_minor;
    ++rep.bets;
  }
  for (auto& [acct, ba] : per_account) {
    rep.total_before += ba.first;
    rep.total_after += ba.second;
    if (ba.first != ba.second) rep.changed.push_back({s.ledger.account(acct).id, ba.first, ba.second});
  }
  std::sort(rep.changed.begin(), rep.changed.end(), [](auto& a, auto& b) { return a.account < b.account; });
  // The audit log's record of it (no account ids: the audit log masks them;
  // the per-account list goes to the operator who asked).
  engine_.commit(ActionRecorded{"settlement_resettled", fmt::format("market:{}", market_id), actor,
                                fmt::format("v{} -> v{}: {} bets, {} accounts changed, returns {} -> {} ({})",
                                            rep.from_version, rep.to_version, rep.bets, rep.changed.size(),
                                            rep.total_before, rep.total_after, reason),
                                to_ns(engine_.clock().now())});
  log::info("settle", "market re-settled",
            {{"market_id", market_id}, {"from_version", static_cast<int64_t>(rep.from_version)},
             {"to_version", static_cast<int64_t>(rep.to_version)}, {"accounts_changed", static_cast<int64_t>(rep.changed.size())},
             {"difference", rep.total_after - rep.total_before}, {"actor", actor}});
  return rep;
}

}  // namespace inplay
