// Bettors: the demo's crowd (issue "Odds in", the simulated world). On the
// engine's clock it places bets at a base rate with waves — five times the
// rate for a minute after a kick-off or a goal and around half-time — with
// log-normal stakes (median £10 by default) and a market mix (by default
// match result 60%, total goals 25%, both teams to score 15%), at the book's
// current price with
// price_change "any". Bets go through the placement desk like any channel's
// (their own accounts, opened by their own channel "sim-bettors" through
// the wallet desk as a channel's are, and their own idempotency keys), so
// the bet path cannot tell them from real ones. Match events come from the primary provider.
// With a cash-out desk and cashouts_per_s, they also cash out their open
// bets: a quote, then the offer taken with price_change "any", through the
// cash-out desk like any channel's request. With a payment desk and
// payments_per_min, they top up and cash out money through the book's PSP
// routes (four deposits to one withdrawal).
// Engine thread (it runs from Engine timers).
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "app/sim_config.h"
#include "bet/placement_desk.h"
#include "cashout/cashout_desk.h"
#include "engine/engine.h"
#include "payment/payment_desk.h"
#include "wallet/wallet_desk.h"
#include "sim/feed_provider.h"

namespace inplay {

class Bettors {
 public:
  static constexpr const char* kChannel = "sim-bettors";  // owns the crowd's accounts

  Bettors(PlacementDesk& bets, WalletDesk& wallet, Engine& engine, const FeedProvider* world, BettorsConfig cfg,
          CashoutDesk* cashout = nullptr);
  // Opens and funds the accounts (a repeat of either changes nothing) and
  // registers the tick. Before the engine thread runs.
  void start();
  void tick(int64_t now_ms);
  uint64_t placed() const { return placed_; }
  uint64_t cashouts_asked() const { return cashouts_asked_; }
  // Engine thread. A crowd on one market (a game day's "bettor surge"):
  // bets_per_s more bets on the market_index-th market of the event (0
  // match result, 1 total goals, 2 both teams to score) until until_ms,
  // on top of the base rate and waves.
  void surge(uint64_t event_id, size_t market_index, double bets_per_s, int64_t until_ms);
  // Engine thread. Changes the base rate (a game day's load timeline).
  void set_rate(double bets_per_s) { cfg_.bets_per_s = bets_per_s; }
  // Before start(): deposits and withdrawals go through this desk (PSP
  // routes) at cfg.payments_per_min.
  void set_payments(PaymentDesk* payments) { payments_ = payments; }
  uint64_t payments_asked() const { return payments_asked_; }

 private:
  TimerPtr timer_;  // the crowd's tick, every 100 ms
  void place_one(uint64_t event_id);
  void place_on(const Market& m);
  void cash_out_one();
  void pay_one();
  PaymentDesk* payments_ = nullptr;
  uint64_t payments_asked_ = 0;
  struct Surge {
    uint64_t event_id;
    size_t market_index;
    double bets_per_s;
    int64_t until_ms;
  };
  std::vector<Surge> surges_;
  struct Watch {
    bool seen = false;  // phase and goals read once: a match already in play is no kick-off
    MatchPhase phase = MatchPhase::kPreMatch;
    int goals = 0;
    int64_t wave_until_ms = 0;
  };
  PlacementDesk& bets_;
  WalletDesk& wallet_;
  Engine& engine_;
  const FeedProvider* world_;
  BettorsConfig cfg_;
  std::mt19937_64 rng_;
  std::map<uint64_t, Watch> watch_;
  uint64_t placed_ = 0;
  CashoutDesk* cashout_;
  std::vector<uint64_t> open_;  // the crowd's accepted bets, cash-out candidates (at most kMaxOpen)
  uint64_t cashouts_asked_ = 0;
  uint64_t scanned_to_ = 1;  // bet ids below it were looked at as candidates
  int64_t run_ms_ = 0;  // keys of this run: a restart never reuses one
  int64_t last_tick_ms_ = 0;
};

}  // namespace inplay
