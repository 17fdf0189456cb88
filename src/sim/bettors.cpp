#include "sim/bettors.h"

#include <fmt/format.h>

#include <cmath>

namespace inplay {

namespace {
constexpr size_t kMaxOpen = 10000;  // cash-out candidates kept (a random one is replaced past it)
}  // namespace

Bettors::Bettors(PlacementDesk& bets, WalletDesk& wallet, Engine& engine, const FeedProvider* world,
                 BettorsConfig cfg, CashoutDesk* cashout)
    : bets_(bets), wallet_(wallet), engine_(engine), world_(world), cfg_(cfg), rng_(cfg.seed), cashout_(cashout) {
  for (uint64_t eid : engine_.state().book.event_ids()) watch_[eid] = Watch{};
}

void Bettors::start() {
  run_ms_ = to_ms(engine_.clock().now());
  for (int i = 0; i < cfg_.accounts; ++i) {
    OpenAccount o;
    o.account = fmt::format("sim-bettor-{}", i);
    o.channel = kChannel;
    o.actor = kChannel;
    wallet_.submit(std::move(o));  // queued before its deposit: the engine takes them in order
    MoveMoney r;
    r.account = fmt::format("sim-bettor-{}", i);
    r.scope = AccountScope::of_channel(kChannel);
    r.idem_key = "sim-bettors:fund:" + r.account;
    r.user_mask = "u_sim";
    r.amount = cfg_.deposit_minor;
    r.currency = engine_.config().currency;
    r.reason = TransferReason::kDeposit;
    r.done = [](const Outcome&) {};
    wallet_.submit(std::move(r));  // queued: the engine has not started yet
  }
  timer_ = engine_.every(std::chrono::milliseconds(100), [this] { tick(to_ms(engine_.clock().now())); });
}

void Bettors::tick(int64_t now_ms) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  int64_t dt = last_tick_ms_ ? now_ms - last_tick_ms_ : 100;
  last_tick_ms_ = now_ms;
  if (dt <= 0 || watch_.empty()) return;
  for (auto& [eid, w] : watch_) {
    if (world_) {
      MatchPhase ph = world_->phase(eid);
      MatchScore sc = world_->score(eid);
      int goals = sc.home + sc.away;
      bool kickoff = w.seen && w.phase == MatchPhase::kPreMatch && ph == MatchPhase::kFirstHalf;
      bool half_time = w.seen && w.phase != MatchPhase::kHalfTime && ph == MatchPhase::kHalfTime;
      if (kickoff || half_time || (w.seen && goals > w.goals)) w.wave_until_ms = now_ms + cfg_.wave_ms;
      w.seen = true;
      w.phase = ph;
      w.goals = goals;
    }
    double rate = cfg_.bets_per_s / static_cast<double>(watch_.size());
    if (now_ms < w.wave_until_ms) rate *= cfg_.wave_factor;
    std::poisson_distribution<int> n(rate * static_cast<double>(dt) / 1000.0);
    for (int k = n(rng_); k > 0; --k) place_one(eid);
  }
  const Book& book = engine_.state().book;
  std::erase_if(surges_, [&](const Surge& s) { return now_ms >= s.until_ms; });
  for (const Surge& s : surges_) {
    const Event* e = book.event(s.event_id);
    if (!e || s.market_index >= e->markets.size()) continue;
    std::poisson_distribution<int> n(s.bets_per_s * static_cast<double>(dt) / 1000.0);
    for (int k = n(rng_); k > 0; --k) place_on(*book.market(e->markets[s.market_index]));
  }
  if (cashout_ && cfg_.cashouts_per_s > 0) {
    // The crowd's bets accepted since the last tick become candidates, read
    // from the book (not from answers, whose timing follows the journal's
    // thread): the same seed cashes out the same bets.
    const BookState& st = engine_.state();
    for (; scanned_to_ < st.next_bet_id; ++scanned_to_) {
      const Bet* b = st.bets.find(scanned_to_);
      if (!b || st.ledger.account(b->account).id.rfind("sim-bettor-", 0) != 0) continue;
      if (open_.size() < kMaxOpen) {
        open_.push_back(scanned_to_);
      } else {
        std::uniform_int_distribution<size_t> pick(0, open_.size() - 1);
        open_[pick(rng_)] = scanned_to_;
      }
    }
    std::poisson_distribution<int> n(cfg_.cashouts_per_s * static_cast<double>(dt) / 1000.0);
    for (int k = n(rng_); k > 0; --k) cash_out_one();
  }
  if (payments_ && payments_->enabled() && cfg_.payments_per_min > 0) {
    std::poisson_distribution<int> n(cfg_.payments_per_min * static_cast<double>(dt) / 60000.0);
    for (int k = n(rng_); k > 0; --k) pay_one();
  }
}

// A bettor tops up (four in five) or cashes some of their balance out,
// through the book's PSP routes like any channel's customer.
void Bettors::pay_one() {
  std::uniform_int_distribution<int> who(0, std::max(0, cfg_.accounts - 1));
  std::lognormal_distribution<double> amount(std::log(static_cast<double>(cfg_.stake_median_minor) * 5), 0.7);
  RequestPayment r;
  r.account = fmt::format("sim-bettor-{}", who(rng_));
  r.scope = AccountScope::of_channel(kChannel);
  r.idem_key = fmt::format("sim-bettors:pay:{}", ++payments_asked_);
  r.fingerprint[0] = 1;
  r.user_mask = "u_sim";
  r.amount = std::max<int64_t>(100, static_cast<int64_t>(amount(rng_)));
  r.currency = engine_.config().currency;
  r.kind = std::uniform_int_distribution<int>(0, 4)(rng_) == 0 ? TransferReason::kWithdrawal : TransferReason::kDeposit;
  r.done = [](const Outcome&) {};
  payments_->request(r);  // on the engine thread already (the crowd's tick)
}

void Bettors::cash_out_one() {
  BookState& s = engine_.state();
  // A random open bet of the crowd's (closed ones leave the list as they are met).
  while (!open_.empty()) {
    std::uniform_int_distribution<size_t> pick(0, open_.size() - 1);
    const size_t i = pick(rng_);
    const Bet* b = s.bets.find(open_[i]);
    if (b && b->status == BetStatus::kAccepted) {
      ++cashouts_asked_;
      QuoteCashout q;
      q.bet_id = open_[i];
      q.scope = AccountScope::of_channel(kChannel);
      Result<Quote> r = cashout_->quote(q);
      if (!r.ok()) return;  // refused: the desk counted it
      // Taken at once, in the same engine step, at any price.
      AcceptCashout a;
      a.idem_key = fmt::format("sim-cashout:{}:{}", run_ms_, cashouts_asked_);
      a.fingerprint[0] = static_cast<uint8_t>(q.bet_id);
      a.bet_id = q.bet_id;
      a.scope = q.scope;
      a.quote_id = r.value().id;
      a.amount = r.value().offer.amount;
      a.policy = PriceChangePolicy::kAny;
      a.done = [](const Outcome&) {};
      cashout_->accept(a);
      return;
    }
    open_[i] = open_.back();
    open_.pop_back();
  }
}

void Bettors::surge(uint64_t event_id, size_t market_index, double bets_per_s, int64_t until_ms) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  surges_.push_back(Surge{event_id, market_index, bets_per_s, until_ms});
}

void Bettors::place_one(uint64_t event_id) {
  const Book& book = engine_.state().book;
  const Event* e = book.event(event_id);
  if (!e || e->markets.empty()) return;
  const auto& mix = cfg_.market_mix;
  std::uniform_real_distribution<double> u(0.0, mix[0] + mix[1] + mix[2]);
  double pick = u(rng_);
  size_t mi = pick < mix[0] ? 0 : pick < mix[0] + mix[1] ? 1 : 2;
  if (mi >= e->markets.size()) mi = 0;
  place_on(*book.market(e->markets[mi]));
}

void Bettors::place_on(const Market& m) {
  const Book& book = engine_.state().book;
  if (m.status != MarketStatus::kOpen || m.selections.empty()) return;
  std::uniform_int_distribution<size_t> sel(0, m.selections.size() - 1);
  const Selection* s = book.selection(m.selections[sel(rng_)]);
  if (s->price.version == 0) return;
  std::lognormal_distribution<double> stake(std::log(static_cast<double>(cfg_.stake_median_minor)), 1.0);
  int64_t minor = std::clamp<int64_t>(static_cast<int64_t>(stake(rng_)), 100, 50000);
  std::uniform_int_distribution<int> who(0, cfg_.accounts - 1);
  PlaceBet r;
  r.account = fmt::format("sim-bettor-{}", who(rng_));
  r.scope = AccountScope::of_channel(kChannel);
  r.idem_key = fmt::format("sim-bettors:{}:{}", run_ms_, placed_);
  r.fingerprint[0] = static_cast<uint8_t>(placed_);
  r.user_mask = "u_sim";
  r.selection_id = s->id;
  r.stake = minor;
  r.currency = engine_.config().currency;
  r.odds = s->price.odds;
  r.policy = PriceChangePolicy::kAny;
  r.gateway_start_ns = to_ns(engine_.clock().now());
  r.done = [](const Outcome&) {};
  bets_.place(std::move(r));  // we are on the engine thread (its timer)
  ++placed_;
}

}  // namespace inplay
