#include "wallet/wallet_desk.h"

#include <fmt/format.h>

#include <memory>

#include "telemetry/attributes.h"
#include "telemetry/switch.h"
#include "wallet/answer_once.h"

namespace inplay {

WalletDesk::WalletDesk(Engine& engine, Tracer& tracer) : engine_(engine), tracer_(tracer) {
  engine_.add_housekeeping([this](int64_t now_ns) {
    BookState& s = engine_.state();
    s.idempotency.expire(now_ns);
    engine_.metrics().ledger_sum->set(s.ledger.sum());
  });
}

bool WalletDesk::submit(MoveMoney&& cmd) {
  std::shared_ptr<AnswerOnce> once = AnswerOnce::wrap(cmd.done);
  auto c = std::make_shared<MoveMoney>(std::move(cmd));
  return engine_.submit([this, c] { move(*c); },
                        [this, key = c->idem_key, once](const std::exception& e) {
                          refuse_failed(key, e, [once](const Outcome& o) { once->answer(o); });
                        });
}

bool WalletDesk::submit(OpenAccount&& cmd) {
  auto c = std::make_shared<OpenAccount>(std::move(cmd));
  return engine_.submit([this, c] { open(*c); },
                        [c](const std::exception& e) {
                          if (c->done)
                            c->done(Error{ErrorCode::kInternal,
                                          std::string("the book could not open the account and changed nothing (") +
                                              e.what() + "); it may be repeated"});
                        });
}

void WalletDesk::open(OpenAccount& cmd) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  BookState& s = engine_.state();
  Result<bool> answer = true;
  const int64_t existing = s.ledger.find(cmd.account);
  if (existing >= 0) {
    // A repeat by the owner is answered as one; anyone else learns only that
    // the id is taken (not whose it is, nor anything about it).
    const std::string* owner = s.owners.owner(static_cast<uint32_t>(existing));
    if (owner && *owner == cmd.channel && s.ledger.account(existing).kind == AccountKind::kUserCash)
      answer = false;
    else
      answer = Error{ErrorCode::kAccountExists, "an account with this id is already open; choose another id"};
  } else {
    try {
      engine_.commit(AccountOpened{cmd.account, cmd.channel, cmd.actor, to_ns(engine_.clock().now())});
      for (auto& f : open_observers_) f(cmd.account, cmd.channel, cmd.actor);
    } catch (const std::exception& e) {
      engine_.failed("commit", e);
      answer = Error{ErrorCode::kInternal,
                     std::string("the book could not open the account and changed nothing (") + e.what() +
                         "); it may be repeated"};
    }
  }
  if (cmd.done) engine_.after_durable([done = std::move(cmd.done), answer] { done(answer); });
}

void WalletDesk::refuse_failed(const std::string& key, const std::exception& e, OutcomeFn done) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  abandon(key,
          Error{ErrorCode::kInternal,
                std::string("the book could not process this request and changed nothing (") + e.what() +
                    "); it may be repeated"},
          std::move(done));
}

bool WalletDesk::admit(const std::string& key, const Fingerprint& fp, OutcomeFn& done) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  BookState& s = engine_.state();
  const IdempotencyStore::Entry* e = nullptr;
  switch (s.idempotency.begin(key, fp, to_ns(engine_.clock().now()), &e)) {
    case IdempotencyStore::Lookup::kNew: return true;
    case IdempotencyStore::Lookup::kMismatch: {
      if constexpr (kTelemetry) engine_.metrics().rejected(ErrorCode::kIdempotencyKeyReused).inc();
      Outcome reused = Error{ErrorCode::kIdempotencyKeyReused, "Idempotency-Key was used with a different request"};
      engine_.after_durable([done = std::move(done), reused = std::move(reused)] { done(reused); });
      return false;
    }
    case IdempotencyStore::Lookup::kDone:
      if constexpr (kTelemetry) engine_.metrics().idem_stored->inc();
      engine_.after_durable([done = std::move(done), outcome = e->outcome()] { done(outcome); });
      return false;
    case IdempotencyStore::Lookup::kPending:
      if constexpr (kTelemetry) engine_.metrics().idem_joined->inc();
      waiters_[key].push_back(std::move(done));
      return false;
  }
  return true;
}

std::vector<OutcomeFn> WalletDesk::take_waiters(const std::string& key) {
  auto it = waiters_.find(key);
  if (it == waiters_.end()) return {};
  std::vector<OutcomeFn> out = std::move(it->second);
  waiters_.erase(it);
  return out;
}

void WalletDesk::abandon(const std::string& key, const Outcome& outcome, OutcomeFn done) {
  engine_.state().idempotency.abandon(key);
  engine_.after_durable([waiters = take_waiters(key), done = std::move(done), outcome] {
    for (auto& w : waiters) w(outcome);
    done(outcome);
  });
}

bool WalletDesk::can_reserve(uint32_t account, int64_t stake) {
  const Ledger& ledger = engine_.state().ledger;
  return ledger.can_apply(ledger.stake_reserve(account, stake));
}

void WalletDesk::move(MoveMoney& r) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!admit(r.idem_key, r.fingerprint, r.done)) return;
  BookState& s = engine_.state();
  const Currency book_ccy = engine_.config().currency;
  int64_t now = to_ns(engine_.clock().now());
  if (!r.gateway.valid()) r.gateway = TraceContext{tracer_.new_trace_id(), {}, 1};
  Span span = tracer_.start("wallet", r.gateway, now);
  span.attr(attr::kUser, r.user_mask);

  std::optional<Error> refused;
  // Unknown, not a user's, or another channel's: one answer (SEC-1).
  int64_t acct = s.owners.find(r.scope, s.ledger, r.account);
  if (!(r.currency == book_ccy)) {
    refused = Error{ErrorCode::kCurrencyMismatch, fmt::format("the book is in {}", book_ccy.code())};
  } else if (acct < 0) {
    refused = Error{ErrorCode::kAccountNotFound, "unknown account"};
  } else if (r.reason == TransferReason::kWithdrawal &&
             !s.ledger.can_apply(Transfer{static_cast<uint32_t>(acct), s.ledger.funding(), r.amount, r.reason})) {
    refused = Error{ErrorCode::kInsufficientFunds, "balance is below the amount"};
  } else if (!s.ledger.can_move(r.account, r.amount, r.reason)) {
    // The house's funding account runs as negative as all money ever
    // deposited; a balance that would pass the int64 range is refused.
    refused = Error{ErrorCode::kValidationFailed, "amount: the book cannot hold this amount (a balance would pass its limit)"};
  }

  BookEvent event;
  if (!refused) {
    event = MoneyMoved{r.account, r.amount, r.reason, now, r.gateway.trace_id, IdemTag{r.idem_key, r.fingerprint}};
  } else {
    event = Rejected{static_cast<uint16_t>(refused->code), refused->message, now, IdemTag{r.idem_key, r.fingerprint}};
    span.error = true;
    span.attr(attr::kRejectCode, std::string(error_code_name(refused->code)));
  }
  try {
    engine_.commit(std::move(event));  // changes nothing when it throws
  } catch (const std::exception& e) {
    engine_.failed("commit", e);
    span.error = true;
    tracer_.record(std::move(span));
    refuse_failed(r.idem_key, e, std::move(r.done));
    return;
  }
  if (!refused) engine_.metrics().wallet->with({transfer_reason_name(r.reason)}).inc();
  std::vector<OutcomeFn> waiters = take_waiters(r.idem_key);
  // The outcome is what the event left in the idempotency store: a receipt
  // (with the balance after the movement) or the refusal.
  Outcome outcome = refused ? Outcome{*refused}
                            : Outcome{MoneyReceipt{r.account, r.reason, r.amount,
                                                   s.ledger.account(s.ledger.find(r.account)).balance,
                                                   r.gateway.trace_id}};
  engine_.after_durable([client = std::move(r.done), waiters = std::move(waiters), outcome = std::move(outcome)] {
    for (auto& w : waiters) w(outcome);
    client(outcome);
  });
  span.end_ns = to_ns(engine_.clock().now());
  tracer_.record(std::move(span));
}

}  // namespace inplay
