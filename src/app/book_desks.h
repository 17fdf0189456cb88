// BookDesks: the desks one book runs on its engine, wired the one way —
// market controls and prices, the wallet (money and the idempotency front
// door), bet placement (which hears of prices from the market desk and
// checks balances with the wallet), settlement (results to payouts),
// cash-out (offers from live prices, taken through the wallet's front door),
// hedging (a market over its liability line backs its worst case on a
// venue; the runtime gives it the port), payments (deposits and
// withdrawals through PSP routes; the runtime gives it the ports), support
// (customer contacts as a signal: support/support_desk.h). The
// runtime, the tests and the
// benchmarks assemble a book with it. Constructed before the engine starts;
// destroyed before the engine (the desks hold its timers).
#pragma once
#include "bet/placement_desk.h"
#include "cashout/cashout_desk.h"
#include "engine/engine.h"
#include "hedge/hedge_desk.h"
#include "market/market_desk.h"
#include "kyc/kyc_desk.h"
#include "payment/payment_desk.h"
#include "settle/settle_desk.h"
#include "support/support_desk.h"
#include "telemetry/trace.h"
#include "wallet/wallet_desk.h"

namespace inplay {

struct BookDesks {
  BookDesks(Engine& engine, Tracer& tracer)
      : markets(engine),
        wallet(engine, tracer),
        bets(engine, markets, wallet, tracer),
        settle(engine),
        cashout(engine, wallet, tracer, engine.config().cashout),
        hedge(engine, engine.config().hedging),
        payments(engine, wallet, tracer),
        kyc(engine, wallet, payments),
        support(engine, engine.config().support) {
    // KYC-1: new accounts are screened; big withdrawals wait for theirs.
    payments.set_screening_gate(&kyc);
    // The accounts of the config itself ("config") are the book's seed, not a
    // customer's: only those a channel opens are screened.
    wallet.add_open_observer([this](const std::string& account, const std::string& channel, const std::string& actor) {
      if (actor != "config") kyc.on_account_opened(account, channel);
    });
    settle.set_tracer(&tracer);
    bets.add_decision_observer([this](const BetDecision& d) {
      if (!d.accepted) return;
      settle.on_bet(d.market_id);
      if (!d.synthetic) hedge.on_bet(d.market_id);
    });
  }
  BookDesks(const BookDesks&) = delete;

  MarketDesk markets;
  WalletDesk wallet;
  PlacementDesk bets;
  SettleDesk settle;
  CashoutDesk cashout;
  HedgeDesk hedge;
  PaymentDesk payments;
  KycDesk kyc;
  SupportDesk support;
};

}  // namespace inplay
