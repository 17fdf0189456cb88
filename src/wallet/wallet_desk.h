// WalletDesk: money in and out of the book, run on the engine (WAL-1,
// WAL-5), and the one idempotency front door of every command that moves
// money — bets included.
//
//  - open(OpenAccount): a channel opens a user account (SEC-1), journaled
//    (AccountOpened) and answered once durable: opened, already this
//    channel's (a repeat; nothing journaled), or ACCOUNT_EXISTS.
//  - move(MoveMoney): a deposit or withdrawal, idempotent by key, checked by
//    the ledger (the one place a balance is checked: Ledger::can_apply),
//    journaled (MoneyMoved, or Rejected with its code) and answered with an
//    Outcome once durable: a MoneyReceipt or an Error. The account must be
//    open and in the caller's scope (wallet/account_owners.h), else
//    ACCOUNT_NOT_FOUND, the same for an unknown account and another
//    channel's — a deposit never opens an account. PSP routes come later;
//    for now house/funding stands for the outside world.
//  - admit(key, fingerprint, done): a command's first step. A new key goes
//    on (true); a repeat is answered with the stored outcome, a different
//    request under the same key with IDEMPOTENCY_KEY_REUSED, and a repeat
//    of a command still deciding waits for its outcome (false: handled).
//  - can_reserve(account, stake): whether a bet's stake can move to the
//    account's reserve.
// A command whose handling throws (Engine's failure handler, or a commit the
// book state refuses) is answered INTERNAL and its key forgotten, so it may
// be repeated; nothing of it was applied or journaled.
// Engine thread only, except submit().
#pragma once
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "engine/engine.h"
#include "telemetry/trace.h"
#include "wallet/account_owners.h"
#include "wallet/idempotency.h"
#include "wallet/outcome.h"

namespace inplay {

// A deposit or withdrawal in flight.
struct MoveMoney {
  std::string idem_key;  // "<caller>:<Idempotency-Key>"
  Fingerprint fingerprint{};
  std::string account;
  AccountScope scope;     // whose accounts the caller may move money for
  std::string user_mask;  // pseudonym for telemetry
  int64_t amount = 0;
  Currency currency;
  TransferReason reason = TransferReason::kDeposit;
  TraceContext gateway;  // the gateway span: parent of the wallet span
  OutcomeFn done;
};

// A channel opening a user account.
struct OpenAccount {
  std::string account;  // valid_account_id; "synthetic-" only for the synthetic role
  std::string channel;  // the owner-to-be
  std::string actor;    // for the journal: "<role>:<token name>", "config", ...
  // Engine thread, once durable: the account opened (true) or already this
  // channel's (false), or ACCOUNT_EXISTS. May be empty.
  std::function<void(const Result<bool>&)> done;
};

class WalletDesk {
 public:
  WalletDesk(Engine& engine, Tracer& tracer);

  // Any thread: hands the command to the engine; false: its inbox is full.
  bool submit(MoveMoney&& cmd);
  bool submit(OpenAccount&& cmd);
  // Engine thread.
  void move(MoveMoney& cmd);
  void open(OpenAccount& cmd);

  // Engine thread: the idempotency front door (see the header comment).
  bool admit(const std::string& key, const Fingerprint& fp, OutcomeFn& done);
  // Engine thread: the commands that waited on key's first decision; answer
  // them with its outcome once it is durable.
  std::vector<OutcomeFn> take_waiters(const std::string& key);
  // Engine thread: a command under key ended without a decision worth
  // keeping (e.g. MARKET_BUSY): the key may be used again, and the outcome
  // answers it and its waiters.
  void abandon(const std::string& key, const Outcome& outcome, OutcomeFn done);

  // Before start(): called on the engine thread after each account a
  // channel opens is journaled (KYC-1 screens it: kyc/kyc_desk.h).
  void add_open_observer(
      std::function<void(const std::string& account, const std::string& channel, const std::string& actor)> fn) {
    open_observers_.push_back(std::move(fn));
  }

  // Engine thread.
  bool can_reserve(uint32_t account, int64_t stake);
  // Engine thread: a command under key failed inside the engine (e) before
  // any of it was kept: answered INTERNAL, the key may be used again.
  void refuse_failed(const std::string& key, const std::exception& e, OutcomeFn done);

 private:
  Engine& engine_;
  Tracer& tracer_;
  std::unordered_map<std::string, std::vector<OutcomeFn>> waiters_;
  std::vector<std::function<void(const std::string&, const std::string&, const std::string&)>> open_observers_;
};

}  // namespace inplay
